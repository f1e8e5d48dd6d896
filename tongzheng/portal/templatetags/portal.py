"""Template helpers for public pages that extend ``portal_base.html``."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


def optional_url(url_name: str) -> str | None:
    """The URL of ``url_name``, or None while the module that serves it is not installed."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@register.simple_tag
def portal_account_links() -> dict[str, str | None]:
    """Citizen sign-in and registration links; a missing page is hidden, never faked."""
    return {
        "login": optional_url("accounts:login"),
        "register": optional_url("accounts:register"),
    }
