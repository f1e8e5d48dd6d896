"""``{% workbench_menu %}``: the navigation menu of the signed-in user, rendered once per
process for each permission set, section and language (``workbench.context.menu_html``)."""

from django import template
from django.utils.safestring import mark_safe

from tongzheng.workbench.context import menu_html

register = template.Library()


@register.simple_tag(takes_context=True)
def workbench_menu(context) -> str:
    # Without a request (a template rendered outside a view) there is no user: no entries.
    request = context.get("request")
    user, path = getattr(request, "user", None), getattr(request, "path", "")
    return mark_safe(menu_html(user, path))  # noqa: S308 - our own template
