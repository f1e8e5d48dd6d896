import pytest
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.testing.clients import login_verified

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_sees_name_organisation_roles_and_navigation(client):
    organisation = OrganisationFactory(name="某某县机构编制委员会办公室")
    user = UserFactory(
        full_name="张三",
        organisation=organisation,
        roles=[RoleFactory(name="编办业务员"), RoleFactory(name="统计员")],
    )
    login_verified(client, user)

    response = client.get(reverse("workbench:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "您好，张三" in body
    assert "某某县机构编制委员会办公室" in body
    assert "编办业务员" in body and "统计员" in body
    assert 'href="/workbench/" aria-current="page"' in body
    assert body.count("<main") == 1
    assert reverse("accounts:logout") in body
    assert 'lang="zh-hans"' in body


def test_staff_without_roles_is_told_so(client):
    login_verified(client, UserFactory())
    assert "暂未分配角色" in client.get("/workbench/").content.decode()


def test_citizen_is_refused_with_the_403_page(client):
    client.force_login(CitizenFactory())
    response = client.get("/workbench/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_workbench_in_english(client, settings):
    login_verified(client, UserFactory(full_name="张三"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/workbench/").content.decode()
    assert '<html lang="en">' in body
    assert "Hello, 张三" in body
    assert "Nothing to do" in body
    assert "Sign out" in body
