"""Workbench organisation pages: list, detail, create and edit (机构)."""

import pytest
from django.urls import reverse

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, confirmed_totp_device
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.models import Organisation
from tongzheng.tests_matrix.cast import build_cast, logged_in_client


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def manager(cast):
    role = RoleFactory(
        code="page_manager",
        permissions=["core.view_organisation", "core.manage_organisation"],
        scope=DataScope.DIVISION_AND_BELOW,
    )
    user = UserFactory(username="page_manager", organisation=cast.org_admin, roles=[role])
    return logged_in_client(user, confirmed_totp_device(user))


def form_data(cast, **overrides):
    data = {
        "division_code": cast.city.code,
        "name": "成都市机关事务管理局",
        "short_name": "",
        "kind": "party_government",
        "category": "government",
        "rank": "zc",
        "subordination": "40",
        "uscc": "",
    }
    return {**data, **overrides}


def test_list_shows_only_the_callers_organisations(cast):
    response = cast.client("staff_same_org").get(reverse("organisations:list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [cast.org_a]
    assert cast.org_b.name not in response.content.decode()


def test_list_filters_by_division_and_name(cast, manager):
    url = reverse("organisations:list")
    in_city = manager.get(url, {"division": cast.city.code}).context["page"].paginator.count
    assert in_city == 4
    assert manager.get(url, {"division": "999999"}).context["page"].paginator.count == 0
    named = manager.get(url, {"q": "财政"}).context["page"].object_list
    assert list(named) == [cast.org_b]


def test_detail_shows_departments_and_users_in_scope(cast, manager):
    response = manager.get(reverse("organisations:detail", args=[cast.org_a.pk]))
    assert response.status_code == 200
    assert list(response.context["children"]) == [cast.org_a_child]
    assert list(response.context["users"]) == [cast.staff_same_org]
    assert cast.org_a_child.name in response.content.decode()


def test_detail_of_another_organisation_is_404(cast):
    url = reverse("organisations:detail", args=[cast.org_a.pk])
    assert cast.client("staff_other_org").get(url).status_code == 404


def test_create_through_the_form(cast, manager):
    response = manager.post(reverse("organisations:create"), form_data(cast))
    created = Organisation.objects.get(name="成都市机关事务管理局")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:detail", args=[created.pk])
    assert AuditEvent.objects.filter(action="core.organisation_created").count() == 1


def test_create_an_internal_department_under_a_parent(cast, manager):
    url = reverse("organisations:create") + f"?parent={cast.org_b.pk}"
    data = form_data(cast, name="财政局办公室", kind="internal_department")
    assert manager.post(url, data).status_code == 302
    assert Organisation.objects.get(name="财政局办公室").parent == cast.org_b


def test_bad_uscc_in_the_form_is_400_with_a_chinese_message(cast, manager):
    before = Organisation.objects.count()
    response = manager.post(reverse("organisations:create"), form_data(cast, uscc="123456"))
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode()
    assert Organisation.objects.count() == before


def test_empty_form_is_400(cast, manager):
    response = manager.post(reverse("organisations:create"), {})
    assert response.status_code == 400
    assert "请填写机构名称" in response.content.decode()


def test_edit_through_the_form(cast, manager):
    url = reverse("organisations:edit", args=[cast.org_b.pk])
    assert manager.get(url).status_code == 200
    data = form_data(cast, name="成都市财政局（改）", is_active="on")
    response = manager.post(url, data)
    assert response.status_code == 302
    cast.org_b.refresh_from_db()
    assert cast.org_b.name == "成都市财政局（改）"
    event = AuditEvent.objects.get(action="core.organisation_updated")
    assert event.detail["changes"]["name"] == ["成都市财政局", "成都市财政局（改）"]


def test_staff_without_the_manage_permission_cannot_create(cast):
    response = cast.client("staff_same_org").post(reverse("organisations:create"), {})
    assert response.status_code == 403
