"""The workbench navigation, built from the platform registry for the signed-in user.

This context processor runs for every template rendered with a request (portal pages
and error pages too), so it must be cheap for anonymous visitors and must never fail:
an entry whose URL cannot be reversed is skipped and logged, not raised.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import get_language

from tongzheng.core.access import permissions_of
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


# The entries a set of permissions may open: the same for every user with that set, and
# the registry is fixed once the apps are loaded, so each process works them out once per
# set instead of once per staff page (a permission check and a reverse() per entry). Each
# result keeps the registry entries it was made from and is used only while they are the
# same objects (tests change the registry); the URLconfs and script prefix are in the key.
# Beside the entries, their menu's HTML per (current entry, language): see menu_html.
_visible_by_permissions: dict[tuple, tuple[tuple, list[tuple[str | Promise, str]], dict]] = {}


def _visible(user) -> tuple[list[tuple[str | Promise, str]], dict]:
    permissions = frozenset(permissions_of(user))
    entries = platform.navigation
    key = (permissions, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    cached = _visible_by_permissions.get(key)
    if (
        cached is not None
        and len(cached[0]) == len(entries)
        and all(a is b for a, b in zip(cached[0], entries, strict=True))
    ):
        return cached[1], cached[2]
    visible = []
    for entry in entries:
        if entry.permission is not None and entry.permission not in permissions:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            logger.warning("Navigation entry %r does not resolve; skipped", entry.url_name)
            continue
        visible.append((entry.label, url))
    _visible_by_permissions[key] = (tuple(entries), visible, {})
    return visible, _visible_by_permissions[key][2]


def _current(visible, path: str) -> str | None:
    """The longest URL that prefixes the current path is the current section."""
    matches = [url for _label, url in visible if path == url or path.startswith(url)]
    return max(matches, key=len) if matches else None


def navigation_for(user, path: str) -> list[NavItem]:
    """Entries ``user`` may open, in registry order; the best match for ``path`` is active."""
    if not is_staff_user(user):
        return []
    visible, _menus = _visible(user)
    current = _current(visible, path)
    return [NavItem(label, url, url == current) for label, url in visible]


def menu_html(user, path: str) -> str:
    """The navigation menu (``workbench/_menu.html``) of ``user`` on ``path``.

    The same for every user with the same permissions on the same section in the same
    language, so it is rendered once per process for each (not under DEBUG, so that
    template edits show at once); a staff page then skips the loop over its entries.
    """
    if not is_staff_user(user):
        return render_to_string("workbench/_menu.html", {"items": []})
    visible, menus = _visible(user)
    current = _current(visible, path)
    key = (current, get_language())
    html = menus.get(key)
    if html is None:
        items = [NavItem(label, url, url == current) for label, url in visible]
        html = render_to_string("workbench/_menu.html", {"items": items})
        if not settings.DEBUG:
            menus[key] = html
    return html


def navigation(request):
    """``workbench_navigation``: computed only when a template iterates it."""
    user = getattr(request, "user", None)
    return {"workbench_navigation": SimpleLazyObject(lambda: navigation_for(user, request.path))}
