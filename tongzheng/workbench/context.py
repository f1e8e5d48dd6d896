"""The workbench navigation, built from the platform registry for the signed-in user.

This context processor runs for every template rendered with a request (portal pages
and error pages too), so it must be cheap for anonymous visitors and must never fail:
an entry whose URL cannot be reversed is skipped and logged, not raised.
"""

import logging
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, SimpleLazyObject

from tongzheng.core.access import has_permission
from tongzheng.core.registry import platform

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


def is_staff_user(user) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.is_active
        and getattr(user, "kind", None) == "staff"
    )


def navigation_for(user, path: str) -> list[NavItem]:
    """Entries ``user`` may open, in registry order; the best match for ``path`` is active."""
    if not is_staff_user(user):
        return []
    visible: list[tuple[str | Promise, str]] = []
    for entry in platform.navigation:
        if entry.permission is not None and not has_permission(user, entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            logger.warning("Navigation entry %r does not resolve; skipped", entry.url_name)
            continue
        visible.append((entry.label, url))
    # The longest URL that prefixes the current path is the current section.
    matches = [url for _label, url in visible if path == url or path.startswith(url)]
    current = max(matches, key=len) if matches else None
    return [NavItem(label, url, url == current) for label, url in visible]


def navigation(request):
    """``workbench_navigation``: computed only when a template iterates it."""
    user = getattr(request, "user", None)
    return {"workbench_navigation": SimpleLazyObject(lambda: navigation_for(user, request.path))}
