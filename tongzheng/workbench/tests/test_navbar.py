"""The workbench header is rendered once per user and language with placeholders
(``workbench_shell.workbench_navbar``): byte for byte what the template gives, with the
page's own CSRF token, path and menu, and each user's own name and organisation."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tongzheng.accounts.tests.factories import UserFactory, verified_login
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.workbench.templatetags import workbench_shell

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)"')


@pytest.fixture(autouse=True)
def fresh_navbars():
    workbench_shell._navbars.clear()
    yield
    workbench_shell._navbars.clear()


def _header(html: str) -> str:
    return html[html.index("<header>") : html.index("</header>")]


def _tokens(html: str) -> set[str]:
    return {match[1] for match in TOKEN.findall(html)}


def _page(client, settings, *, debug: bool, path: str) -> str:
    settings.DEBUG = debug
    return client.get(path).content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_header_is_the_template_s(client, settings, language):
    organisation = OrganisationFactory(name="金堂县<热线>中心")
    user = UserFactory(full_name="王&芳", organisation=organisation)
    verified_login(client, user)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
    path = reverse("workbench:home") + '?q=<路灯>&x="1"'
    normal = _page(client, settings, debug=True, path=path)
    assert workbench_shell._navbars == {}
    for _round in range(2):
        kept = _page(client, settings, debug=False, path=path)
        assert TOKEN.sub("", kept) == TOKEN.sub("", normal)
        assert len(_tokens(kept)) == 1  # one token per page, as the template has it
    assert len(workbench_shell._navbars) == 1
    assert "王&amp;芳" in _header(kept) and "金堂县&lt;热线&gt;中心" in _header(kept)


def test_each_user_sees_their_own_name_and_organisation(client, settings):
    settings.DEBUG = False
    first = UserFactory(full_name="张三", organisation=OrganisationFactory(name="甲局"))
    second = UserFactory(full_name="李四", organisation=OrganisationFactory(name="乙局"))
    for user, other in ((first, second), (second, first), (first, second)):
        client.logout()
        verified_login(client, user)
        header = _header(client.get(reverse("workbench:home")).content.decode())
        assert user.full_name in header and str(user.organisation) in header
        assert other.full_name not in header and str(other.organisation) not in header


def test_a_renamed_user_or_organisation_shows_at_once(client, settings):
    settings.DEBUG = False
    user = UserFactory(full_name="张三", organisation=OrganisationFactory(name="甲局"))
    verified_login(client, user)
    client.get(reverse("workbench:home"))
    user.full_name = "张三丰"
    user.save(update_fields=["full_name"])
    user.organisation.name = "甲局（新）"
    user.organisation.save()
    header = _header(client.get(reverse("workbench:home")).content.decode())
    assert "张三丰" in header and "甲局（新）" in header


def test_each_page_has_its_own_token(client, settings):
    settings.DEBUG = False
    user = UserFactory()
    verified_login(client, user)
    first = client.get(reverse("workbench:home")).content.decode()
    second = client.get(reverse("workbench:home")).content.decode()
    assert _tokens(first) and _tokens(first) != _tokens(second)  # masked afresh


def test_the_shell_reads_nothing_outside_its_key():
    with_organisation = UserFactory(organisation=OrganisationFactory())
    assert workbench_shell.shell_unsafe_reads(with_organisation) == []


def test_a_variable_of_the_page_the_shell_lacks_takes_the_normal_path(settings):
    settings.DEBUG = False
    user = UserFactory()
    request = RequestFactory().get("/workbench/")
    request.user = user
    plain = render_to_string("workbench/_navbar.html", {}, request=request)
    assert 'class="tz-language-form "' in plain
    styled = render_to_string("workbench/_navbar.html", {"form_class": "x"}, request=request)
    assert 'class="tz-language-form x"' in styled
