"""Intake pages: leader's mailbox, 我的诉求, operator phone intake with duplicates."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tongzheng.accounts.tests.factories import (
    CitizenFactory,
    RoleFactory,
    UserFactory,
    confirmed_totp_device,
)
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.registry import platform
from tongzheng.hotline.models import Channel, Ticket, TicketStatus, Urgency
from tongzheng.hotline.tests.factories import MailBoxFactory, SubjectFactory, TicketFactory
from tongzheng.hotline.tests.test_public import receipt_code
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path


def letter(**overrides):
    data = {
        "type": "suggestion",
        "title": "增设公交线路",
        "content": "建议在高新区增设一条夜间公交线路。",
        "reporter_name": "王五",
        "reporter_phone": "13700137000",
    }
    data.update(overrides)
    return data


# ---- leader's mailbox -------------------------------------------------------------------


def test_the_mailbox_list_shows_active_boxes_only(client):
    MailBoxFactory(title="市长信箱", leader_name="")
    MailBoxFactory(title="已停用信箱", active=False)
    body = client.get(reverse("hotline:mailbox_list")).content.decode()
    assert "市长信箱" in body
    assert "已停用信箱" not in body


def test_a_letter_becomes_a_mailbox_ticket(client):
    box = MailBoxFactory(title="市长信箱")
    response = client.post(reverse("hotline:mailbox_letter", args=[box.slug]), letter())
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.MAILBOX
    assert ticket.mailbox == box
    assert ticket.division == box.division
    assert ticket.title == "增设公交线路"
    assert ticket.limit_working_days == 13
    assert ticket.check_code(receipt_code(response))
    assert "市长信箱" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"type": "report"}, "选择一个有效的选项"),
        ({"title": ""}, "请填写标题"),
        ({"content": ""}, "请填写内容"),
    ],
)
def test_bad_letters_give_400(client, overrides, message):
    box = MailBoxFactory()
    response = client.post(reverse("hotline:mailbox_letter", args=[box.slug]), letter(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_an_inactive_or_unknown_box_is_404(client):
    box = MailBoxFactory(active=False)
    assert client.get(reverse("hotline:mailbox_letter", args=[box.slug])).status_code == 404
    response = client.post(reverse("hotline:mailbox_letter", args=["nobox"]), letter())
    assert response.status_code == 404
    assert not Ticket.objects.exists()


# ---- 我的诉求 ------------------------------------------------------------------------------


def test_mine_lists_only_the_accounts_tickets(client):
    citizen = CitizenFactory()
    own = TicketFactory(account=citizen, title="我的工单")
    TicketFactory(account=CitizenFactory(), title="别人的工单")
    TicketFactory(title="匿名工单")
    client.force_login(citizen)
    response = client.get(reverse("hotline:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert own.number in body
    assert "我的工单" in body
    assert "别人的工单" not in body
    assert "匿名工单" not in body


def test_mine_is_for_public_accounts_only(client):
    assert client.get(reverse("hotline:mine")).status_code == 302  # login first
    staff = UserFactory()
    device = confirmed_totp_device(staff)
    response = logged_in_client(staff, device).get(reverse("hotline:mine"))
    assert response.status_code == 403


def test_mine_counts_queries(client, django_assert_max_num_queries):
    citizen = CitizenFactory()
    box = MailBoxFactory()
    for _n in range(15):
        TicketFactory(account=citizen, mailbox=box, channel=Channel.MAILBOX)
    client.force_login(citizen)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("hotline:mine")).status_code == 200


# ---- 电话受理 -----------------------------------------------------------------------------


def operator_client(scope=DataScope.DIVISION_AND_BELOW):
    role = RoleFactory(permissions=["hotline.take_call", "hotline.view_ticket"], scope=scope)
    user = UserFactory(roles=[role])
    return user, logged_in_client(user, confirmed_totp_device(user))


def call(**overrides):
    data = {
        "reporter_phone": "13800138000",
        "recording_ref": "REC-20261128-0001",
        "urgency": Urgency.URGENT,
        "type": "complaint",
        "title": "夜间施工噪音",
        "content": "人民路工地夜间施工噪音扰民，每晚十一点以后还在施工。",
        "address": "人民路 1 号",
    }
    data.update(overrides)
    return data


def test_the_navigation_entry_is_registered():
    entries = [entry for entry in platform.navigation if entry.url_name == "hotline:call_new"]
    assert len(entries) == 1
    assert entries[0].permission == "hotline.take_call"
    assert str(entries[0].label) == "电话受理"


def test_phone_intake_saves_and_shows_receipt_and_duplicates():
    user, client = operator_client()
    division = user.organisation.division  # the centre sees its own division
    earlier = TicketFactory(
        phone="13800138000",
        title="上次来电",
        division=division,
        content="人民路工地夜间施工噪音扰民。",
    )
    merged = TicketFactory(phone="13800138000", status=TicketStatus.MERGED)
    subject = SubjectFactory(name="城市管理")
    response = client.post(
        reverse("hotline:call_new"), call(subject=subject.pk, division=division.code)
    )
    assert response.status_code == 200
    ticket = Ticket.objects.exclude(pk__in=[earlier.pk, merged.pk]).get()
    assert ticket.channel == Channel.PHONE
    assert ticket.operator == user
    assert ticket.recording_ref == "REC-20261128-0001"
    assert ticket.urgency == Urgency.URGENT
    assert ticket.limit_working_days == 0
    assert ticket.subject == subject
    assert Ticket.reporter_phone.unseal(ticket) == "13800138000"
    body = response.content.decode()
    assert ticket.number in body
    assert response.context["code"] in body
    assert [dup.ticket.pk for dup in response.context["duplicates"]] == [earlier.pk]
    assert "同一来电号码" in body
    assert earlier.number in body
    assert merged.number not in body
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="hotline.ticket_created")
    assert event.actor_id == user.pk


def test_phone_intake_shows_no_duplicate_outside_the_operators_scope():
    _user, client = operator_client(scope=DataScope.OWN_ORGANISATION)
    TicketFactory(phone="13800138000")  # no organisation: outside the operator's scope
    response = client.post(reverse("hotline:call_new"), call())
    assert response.status_code == 200
    assert response.context["duplicates"] == []
    assert "未发现可能重复的诉求" in response.content.decode()


def test_a_caller_without_a_name_keeps_the_number():
    _user, client = operator_client()
    response = client.post(reverse("hotline:call_new"), call(anonymous="on"))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.anonymous and ticket.reporter_name == ""
    assert Ticket.reporter_phone.unseal(ticket) == "13800138000"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reporter_phone": ""}, "请填写来电号码"),
        ({"reporter_phone": "123"}, "请填写正确的手机号码"),
        ({"content": ""}, "请填写内容"),
        ({"urgency": "whenever"}, "选择一个有效的选项"),
    ],
)
def test_bad_phone_intake_gives_400(overrides, message):
    _user, client = operator_client()
    response = client.post(reverse("hotline:call_new"), call(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_phone_intake_needs_take_call(client):
    user = UserFactory(roles=[RoleFactory(permissions=["hotline.view_ticket"])])
    staff = logged_in_client(user, confirmed_totp_device(user))
    assert staff.get(reverse("hotline:call_new")).status_code == 403
    assert staff.post(reverse("hotline:call_new"), call()).status_code == 403
    citizen = CitizenFactory()
    client.force_login(citizen)
    assert client.post(reverse("hotline:call_new"), call()).status_code == 403
    assert not Ticket.objects.exists()
