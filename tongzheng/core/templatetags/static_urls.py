"""``{% static %}`` with each file's URL worked out once per process.

Django's tag asks ``apps.is_installed`` (a walk over every installed app) and the static
files storage (``filepath_to_uri``, ``urljoin``) on every use: ~80 Python calls a tag,
and every page renders the four of ``base.html``. The answer for a path is the same
until the static settings change (the storage keeps its base URL, and a manifest
storage its manifest, for the life of the process), so it is kept per path.

Same syntax and output as Django's (``{% load static_urls %}`` instead of
``{% load static %}``); ``{% static ... as name %}`` is Django's own.
"""

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import StaticNode
from django.utils.html import conditional_escape

register = template.Library()

#: (path, autoescape) -> the tag's output. Paths are the templates' own (a few dozen).
_rendered: dict[tuple[str, bool], str] = {}
RENDERED_MAX = 1024


def _static_changed(setting, **_kwargs) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "INSTALLED_APPS"}:
        _rendered.clear()


setting_changed.connect(_static_changed, dispatch_uid="core.static_urls")


class KeptStaticNode(StaticNode):
    def render(self, context):
        if self.varname is not None:
            return super().render(context)
        key = (self.path.resolve(context), context.autoescape)
        url = _rendered.get(key)
        if url is None:
            url = self.handle_simple(key[0])
            if key[1]:
                url = conditional_escape(url)
            if len(_rendered) < RENDERED_MAX:
                _rendered[key] = url
        return url


@register.tag("static")
def do_static(parser, token):
    """``{% static "path" %}``: the URL of a static file (Django's tag, kept per path)."""
    return KeptStaticNode.handle_token(parser, token)
