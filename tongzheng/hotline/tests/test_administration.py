"""热线配置: subjects, dispatch rules, mailboxes and Open311 keys — pages, actions, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.models import DivisionLevel
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import administration as actions
from tongzheng.hotline.models import DispatchRule, MailBox, Open311Client, Subject
from tongzheng.hotline.open311 import client_for_key, key_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", parent=province)
    county = DivisionFactory(code="510104", name="锦江区", parent=city, level=DivisionLevel.COUNTY)
    other = DivisionFactory(code="510300", name="自贡市", parent=province)
    return {"province": province, "city": city, "county": county, "other": other}


@pytest.fixture
def manager(places):
    role = RoleFactory(code="hotline_admin_test", permissions=["hotline.manage_hotline"])
    centre = OrganisationFactory(name="成都市12345热线中心", division=places["city"])
    return UserFactory(organisation=centre, roles=[role])


@pytest.fixture
def manager_client(manager):
    client = Client()
    verified_login(client, manager)
    return client


@pytest.fixture
def bureau(places):
    return OrganisationFactory(
        name="成都市城市管理委员会", uscc="11510100MB1234567X", division=places["city"]
    )


def events(action):
    return AuditEvent.objects.filter(action=action).count()


# --- Subjects --------------------------------------------------------------------------


def test_create_rename_and_deactivate_a_subject_through_the_pages(manager_client):
    response = manager_client.post(
        reverse("hotline:admin_subjects"), {"code": "PARK", "name": "停车", "order": 5}
    )
    assert response.status_code == 302
    subject = Subject.objects.get(code="PARK")
    assert events("hotline.subject_created") == 1
    url = reverse("hotline:admin_subject_edit", args=[subject.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, {"name": "停车管理", "order": 6})  # active unticked
    assert response.status_code == 302
    subject.refresh_from_db()
    assert (subject.name, subject.order, subject.active) == ("停车管理", 6, False)
    assert events("hotline.subject_updated") == 1
    page = manager_client.get(reverse("hotline:admin_subjects")).content.decode()
    assert "停车管理" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "bad code!", "name": "x", "order": 1}, "分类代码须为"),
        ({"code": "01", "name": "重复", "order": 1}, "已存在"),  # seeded by migration 0003
        ({"code": "NEW", "name": "", "order": 1}, "这个字段是必填项"),
    ],
)
def test_bad_subject_is_400_with_a_chinese_message(manager_client, data, message):
    before = Subject.objects.count()
    response = manager_client.post(reverse("hotline:admin_subjects"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Subject.objects.count() == before
    assert events("hotline.subject_created") == 0


def test_subject_actions_need_the_permission(places):
    clerk = UserFactory(organisation=OrganisationFactory(division=places["city"]))
    with pytest.raises(PermissionDenied):
        actions.create_subject(actor=clerk, code="X1", name="测试")
    assert not Subject.objects.filter(code="X1").exists()


# --- Dispatch rules --------------------------------------------------------------------


def test_dispatch_rule_by_uscc_and_division_code(manager_client, bureau, places):
    subject = Subject.objects.get(code="01")
    data = {
        "subject": subject.pk,
        "division": "510104",
        "organisation": "11510100MB1234567X",
        "active": "on",
    }
    response = manager_client.post(reverse("hotline:admin_rules"), data)
    assert response.status_code == 302
    rule = DispatchRule.objects.get()
    assert rule.division == places["county"]
    assert rule.division_path == places["county"].path
    assert rule.organisation == bureau
    assert events("hotline.rule_created") == 1
    # One rule per subject and place.
    response = manager_client.post(reverse("hotline:admin_rules"), data)
    assert response.status_code == 400
    assert "已有派单规则" in response.content.decode()
    # Edit: the whole city, by full name, deactivated.
    url = reverse("hotline:admin_rule_edit", args=[rule.pk])
    assert manager_client.get(url).status_code == 200
    edit = {"subject": subject.pk, "division": "510100", "organisation": bureau.name}
    assert manager_client.post(url, edit).status_code == 302
    rule.refresh_from_db()
    assert (rule.division, rule.division_path, rule.active) == (
        places["city"],
        "510000/510100/",
        False,
    )
    response = manager_client.post(reverse("hotline:admin_rule_delete", args=[rule.pk]))
    assert response.status_code == 302
    assert not DispatchRule.objects.exists()
    assert events("hotline.rule_deleted") == 1


@pytest.mark.parametrize(
    ("division", "organisation", "message"),
    [
        ("999999", "11510100MB1234567X", "行政区划代码 999999 不存在"),
        ("510104", "不存在的局", "找不到该单位"),
        ("510104", "自贡市城市管理局", "不在该行政区划"),
        ("510300", "自贡市城市管理局", "只能配置本单位所在行政区划"),
        ("", "11510100MB1234567X", "只有全部数据范围的管理员"),
    ],
)
def test_bad_rule_is_400(manager_client, bureau, places, division, organisation, message):
    OrganisationFactory(name="自贡市城市管理局", division=places["other"])
    data = {
        "subject": Subject.objects.get(code="01").pk,
        "division": division,
        "organisation": organisation,
    }
    response = manager_client.post(reverse("hotline:admin_rules"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DispatchRule.objects.exists()


def test_rules_and_mailboxes_of_other_places_are_404(manager_client, manager, bureau, places):
    neighbour = OrganisationFactory(name="自贡市城市管理局", division=places["other"])
    subject = Subject.objects.get(code="01")
    theirs = actions.save_dispatch_rule(
        actor=None, subject=subject, division=places["other"], organisation=neighbour
    )
    everywhere = actions.save_dispatch_rule(
        actor=None, subject=subject, division=None, organisation=bureau
    )
    box = actions.save_mailbox(
        actor=None,
        slug="zg-mayor",
        title="自贡市长信箱",
        leader_name="",
        organisation=neighbour,
        division=places["other"],
    )
    listing = manager_client.get(reverse("hotline:admin_rules")).content.decode()
    assert "自贡市城市管理局" not in listing
    for rule in (theirs, everywhere):
        assert (
            manager_client.get(reverse("hotline:admin_rule_edit", args=[rule.pk])).status_code
            == 404
        )
        delete = reverse("hotline:admin_rule_delete", args=[rule.pk])
        assert manager_client.post(delete).status_code == 404
    assert (
        manager_client.get(reverse("hotline:admin_mailbox_edit", args=[box.pk])).status_code == 404
    )
    assert (
        "自贡市长信箱"
        not in manager_client.get(reverse("hotline:admin_mailboxes")).content.decode()
    )
    with pytest.raises(PermissionDenied):
        actions.delete_dispatch_rule(actor=manager, rule=theirs)
    assert DispatchRule.objects.count() == 2


def test_the_all_scope_manages_every_place(bureau):
    from tongzheng.core.access import DataScope

    role = RoleFactory(
        code="hotline_admin_all", permissions=["hotline.manage_hotline"], scope=DataScope.ALL
    )
    chief = UserFactory(organisation=bureau, roles=[role])
    rule = actions.save_dispatch_rule(
        actor=chief, subject=Subject.objects.get(code="01"), division=None, organisation=bureau
    )
    assert rule.division_path == ""


# --- Mailboxes -------------------------------------------------------------------------


def test_mailbox_create_and_edit(manager_client, bureau):
    data = {
        "slug": "mayor",
        "title": "市长信箱",
        "leader_name": "王市长",
        "organisation": bureau.name,
        "division": "510100",
        "order": 1,
        "active": "on",
    }
    assert manager_client.post(reverse("hotline:admin_mailboxes"), data).status_code == 302
    mailbox = MailBox.objects.get()
    assert (mailbox.slug, mailbox.title, mailbox.organisation) == ("mayor", "市长信箱", bureau)
    assert events("hotline.mailbox_created") == 1
    again = manager_client.post(reverse("hotline:admin_mailboxes"), data)
    assert again.status_code == 400
    assert "已被使用" in again.content.decode()
    url = reverse("hotline:admin_mailbox_edit", args=[mailbox.pk])
    assert manager_client.get(url).status_code == 200
    edit = {**data, "title": "市长信箱（新）", "slug": "ignored"}
    del edit["active"]
    assert manager_client.post(url, edit).status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.slug, mailbox.title, mailbox.active) == ("mayor", "市长信箱（新）", False)
    assert events("hotline.mailbox_updated") == 1


def test_bad_mailbox_slug_is_400(manager_client, bureau):
    data = {
        "slug": "市长",
        "title": "市长信箱",
        "organisation": bureau.name,
        "division": "510100",
        "order": 1,
    }
    response = manager_client.post(reverse("hotline:admin_mailboxes"), data)
    assert response.status_code == 400
    assert "信箱标识须为" in response.content.decode()
    assert not MailBox.objects.exists()


# --- Open311 keys ----------------------------------------------------------------------


def test_issue_shows_the_key_once_and_stores_only_its_hash(manager_client, manager):
    response = manager_client.post(reverse("hotline:admin_open311"), {"name": "随手拍"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = response.context["issued"]["key"]
    assert key in response.content.decode()
    client = Open311Client.objects.get()
    assert client.key_hash == key_hash(key)
    assert key not in (client.key_hash, client.key_prefix)
    assert client.issued_by == manager
    assert client_for_key(key) == client
    assert events("hotline.open311_key_issued") == 1
    listing = manager_client.get(reverse("hotline:admin_open311")).content.decode()
    assert key not in listing
    assert client.key_prefix in listing
    # The same name twice is refused.
    again = manager_client.post(reverse("hotline:admin_open311"), {"name": "随手拍"})
    assert again.status_code == 400
    assert "已存在" in again.content.decode()


def test_revoke_stops_the_key(manager_client):
    client, key = actions.issue_open311_key(actor=None, name="市民通")
    url = reverse("hotline:admin_open311_revoke", args=[client.pk])
    assert manager_client.post(url).status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert client_for_key(key) is None
    assert events("hotline.open311_key_revoked") == 1
    with pytest.raises(ValidationError):
        actions.revoke_open311_key(actor=None, client=client)


def test_command_line_issues_lists_and_revokes(capsys):
    call_command("open311", "key", "网格化平台")
    key = capsys.readouterr().out.strip()
    client = Open311Client.objects.get()
    assert client_for_key(key) == client
    event = AuditEvent.objects.get(action="hotline.open311_key_issued")
    assert event.actor_name == "命令行"
    call_command("open311", "list")
    listing = capsys.readouterr().out
    assert "网格化平台" in listing and "active" in listing and key not in listing
    call_command("open311", "revoke", "网格化平台")
    capsys.readouterr()
    assert client_for_key(key) is None
    with pytest.raises(CommandError):
        call_command("open311", "revoke", "无此客户端")
    with pytest.raises(CommandError):
        call_command("open311", "key", "")


def test_navigation_entry_is_registered():
    from tongzheng.core.registry import platform

    entries = [e for e in platform.navigation if e.url_name == "hotline:admin_home"]
    assert entries and entries[0].permission == "hotline.manage_hotline"
    assert entries[0].order == 64
