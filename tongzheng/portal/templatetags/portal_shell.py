"""The parts of the page shell (门户外框) that are the same for every request.

The header's brand and links, the sign-in links of an anonymous visitor, the language
buttons and the footer depend on nothing but the active language (and the URLconf they
are reversed in). Rendering them cost about a third of a cheap public page such as the
status lookup (办件查询), so ``{% shell_fragment "name.html" %}`` renders such a template
once per process and language and reuses the HTML. Whatever varies per request — the
CSRF token, the current path, the signed-in user — stays outside the fragments.

A fragment template must not read the request, the user or the context: it is rendered
with an empty context apart from the keyword arguments, which are part of the key.
Under DEBUG nothing is kept, so template edits show at once; a changed setting (tests'
``override_settings``) empties the store.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_rendered: dict[tuple, str] = {}


def _forget(**_kwargs) -> None:
    _rendered.clear()


setting_changed.connect(_forget, dispatch_uid="portal_shell")


@register.simple_tag
def shell_fragment(name: str, **values) -> str:
    key = (name, get_language(), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    key += tuple(sorted(values.items()))
    html = _rendered.get(key)
    if html is None:
        html = mark_safe(render_to_string(name, values))  # noqa: S308 - our own template
        if not settings.DEBUG:
            _rendered[key] = html
    return html
