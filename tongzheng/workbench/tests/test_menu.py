"""The workbench menu is rendered once per permission set, section and language, and
shows what the entries' loop would show for each user (workbench.context.menu_html)."""

import pytest
from django.urls import reverse

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, verified_login
from tongzheng.core.registry import NavEntry
from tongzheng.workbench import context
from tongzheng.workbench.context import menu_html

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_menus():
    context._visible_by_permissions.clear()
    yield
    context._visible_by_permissions.clear()


def test_each_user_sees_the_menu_of_their_permissions(client, registry_navigation):
    registry_navigation.append(NavEntry("审计日志", "portal:about", "audit.view_event", order=50))
    auditor = UserFactory(roles=[RoleFactory(permissions=["audit.view_event"])])
    plain = UserFactory()
    for user, sees_audit in ((auditor, True), (plain, False), (auditor, True)):
        client.logout()
        verified_login(client, user)
        page = client.get(reverse("workbench:home")).content.decode()
        assert ('href="/about/">审计日志</a>' in page) is sees_audit
        assert 'aria-current="page">工作台</a>' in page


def test_the_current_section_is_marked(registry_navigation):
    registry_navigation.append(NavEntry("关于", "portal:about", None, order=5))
    user = UserFactory()
    on_home, on_about = menu_html(user, "/workbench/"), menu_html(user, "/about/x/")
    assert 'href="/workbench/" aria-current="page"' in on_home
    assert 'href="/about/" aria-current="page"' not in on_home
    assert 'href="/about/" aria-current="page"' in on_about
    assert menu_html(user, "/workbench/") is on_home  # rendered once


def test_each_language_has_its_own_menu(client):
    user = UserFactory()
    verified_login(client, user)
    chinese = client.get(reverse("workbench:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get(reverse("workbench:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'aria-current="page">工作台</a>' in chinese.content.decode()
    assert 'aria-current="page">Workbench</a>' in english.content.decode()


def test_nothing_is_kept_under_debug(settings):
    settings.DEBUG = True
    user = UserFactory()
    assert menu_html(user, "/workbench/") == menu_html(user, "/workbench/")
    assert menu_html(user, "/workbench/") is not menu_html(user, "/workbench/")


def test_a_changed_registry_renders_again(registry_navigation):
    user = UserFactory()
    before = menu_html(user, "/workbench/")
    registry_navigation.append(NavEntry("关于", "portal:about", None, order=5))
    after = menu_html(user, "/workbench/")
    assert "关于" not in before
    assert "关于" in after


def test_a_template_rendered_without_a_request_has_an_empty_menu():
    from django.template.loader import render_to_string

    html = render_to_string("workbench/_navbar.html", {})
    assert '<ul class="navbar-nav me-auto mb-2 mb-xl-0">' in html
    assert "nav-link" not in html
