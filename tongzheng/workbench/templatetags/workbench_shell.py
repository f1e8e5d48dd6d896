"""``{% workbench_menu %}``: the navigation menu of the signed-in user, rendered once per
process for each permission set, section and language (``workbench.context.menu_html``)."""

from django import template
from django.utils.safestring import mark_safe

from tongzheng.workbench.context import menu_html

register = template.Library()


@register.simple_tag(takes_context=True)
def workbench_menu(context) -> str:
    request = context["request"]
    return mark_safe(menu_html(getattr(request, "user", None), request.path))  # noqa: S308 - our own template
