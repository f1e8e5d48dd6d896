"""The workbench's header, rendered once per process instead of on every staff page.

``{% workbench_menu %}``: the navigation menu of the signed-in user, rendered once per
process for each permission set, section and language (``workbench.context.menu_html``).

``{% workbench_navbar %}`` (in ``workbench/_navbar.html``): the header with the brand,
the menu and the user's dropdown (name, organisation, language switcher, sign-out),
``workbench/_navbar_shell.html``. Rendering it was about a tenth of a hotline centre
page. For a signed-in staff user it is the same text on every page apart from the menu's
current section, the CSRF token and the path the language switcher returns to, so it is
rendered once per user (their name, username and organisation's name in the key, so a
change shows at once) and language with placeholders for those three, which are put in
per request: the page's own token (CSRF protection unchanged), the escaped full path
and ``menu_html``. The output is byte for byte the template's (tests compare both).

What the shell template reads is checked, not assumed: it is rendered with a stand-in
user that answers only the attributes in the key, a stand-in request that answers only
``get_full_path``, and no other variable: reading another attribute keeps nothing
(every page takes the normal path, and the tests fail); a variable looked up and not
found sends a page whose context has it down the normal path. Anonymous visitors, pages without a
CSRF token and ``DEBUG`` (template edits show at once) take the normal path; a changed
setting (tests' ``override_settings``) empties the store.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template import Context
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tongzheng.core.shell import RecordingContext
from tongzheng.workbench.context import is_staff_user, menu_html

register = template.Library()

SHELL = "workbench/_navbar_shell.html"
# Letters only: autoescaping leaves them as they are.
_MARK = "tzShellW7bq4Lx"
CSRF_SLOT, PATH_SLOT, MENU_SLOT = f"{_MARK}Csrf", f"{_MARK}Path", f"{_MARK}Menu"
_MENU_SLOT_NAME = "workbench_menu_slot"
_navbars: dict[tuple, str | None] = {}
_NAVBARS_MAX = 2000  # one per user and language


def _forget(**_kwargs) -> None:
    _navbars.clear()


setting_changed.connect(_forget, dispatch_uid="workbench_shell")


@register.simple_tag(takes_context=True)
def workbench_menu(context) -> str:
    if _MENU_SLOT_NAME in context:  # the navbar's shell: the menu goes in per request
        return context[_MENU_SLOT_NAME]
    # Without a request (a template rendered outside a view) there is no user: no entries.
    request = context.get("request")
    user, path = getattr(request, "user", None), getattr(request, "path", "")
    return mark_safe(menu_html(user, path))  # noqa: S308 - our own template


@register.simple_tag(takes_context=True)
def workbench_navbar(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    token = context.get("csrf_token")
    if settings.DEBUG or not is_staff_user(user) or not token or str(token) == "NOTPROVIDED":
        return _render(context)
    values = _user_values(user)
    key = (
        user.pk,
        *values.values(),
        get_language(),
        settings.ROOT_URLCONF,
        get_urlconf(),
        get_script_prefix(),
    )
    try:
        shell = _navbars[key]
    except KeyError:
        if len(_navbars) >= _NAVBARS_MAX:
            _navbars.clear()
        html, missing, unsafe = _shell(context.template.engine, values)
        shell = _navbars[key] = None if unsafe else (html, missing)
    # A variable the shell looked up and did not have (the language form's ``form_class``)
    # is rendered as the page's context has it when it has it.
    if shell is None or any(name in context for name in shell[1]):
        return _render(context)
    shell = shell[0]
    html = (
        shell.replace(CSRF_SLOT, escape(str(token)))
        .replace(PATH_SLOT, escape(request.get_full_path()))
        .replace(MENU_SLOT, menu_html(user, request.path))
    )
    return mark_safe(html)  # noqa: S308 - our own template, the values escaped as it does


def _render(context) -> str:
    """The shell template rendered as an ``{% include %}`` would."""
    return context.template.engine.get_template(SHELL).render(context)


class _StandInUser:
    is_authenticated = True

    def __init__(self, values, unsafe: list):
        self._values, self._unsafe = values, unsafe

    def get_username(self):
        return self._values["username"]

    def __getattr__(self, name):
        if name in ("full_name", "organisation_id", "organisation"):
            return self._values[name]
        self._unsafe.append(f"user.{name}")
        raise AttributeError(name)


class _StandInRequest:
    def __init__(self, unsafe: list):
        self._unsafe = unsafe

    def get_full_path(self):
        return PATH_SLOT

    def __getattr__(self, name):
        self._unsafe.append(f"request.{name}")
        raise AttributeError(name)


def _user_values(user) -> dict:
    """What the shell shows of the user (``_StandInUser`` answers these alone)."""
    return {
        "full_name": user.full_name,
        "username": user.get_username(),
        "organisation_id": user.organisation_id,
        "organisation": str(user.organisation) if user.organisation_id else "",
    }


def _shell(engine, values) -> tuple[str, frozenset[str], list[str]]:
    """The shell with its placeholders, the variables it looked up and did not have, and
    what it read of the user and request beyond ``values`` (if anything, the HTML must
    not be kept)."""
    missing: set[str] = set()
    unsafe: list[str] = []
    context = Context(autoescape=engine.autoescape)
    context.dicts[-1] = RecordingContext(
        {
            "user": _StandInUser(values, unsafe),
            "request": _StandInRequest(unsafe),
            "csrf_token": CSRF_SLOT,
            _MENU_SLOT_NAME: MENU_SLOT,
        },
        missing,
    )
    html = str(engine.get_template(SHELL).render(context))
    return html, frozenset(missing), unsafe


def shell_unsafe_reads(user) -> list[str]:
    """What the shell template reads beyond its key for ``user`` (tests: nothing)."""
    from django.template import engines

    return _shell(engines["django"].engine, _user_values(user))[2]
