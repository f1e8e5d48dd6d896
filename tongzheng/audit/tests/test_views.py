"""The audit viewer: 审计管理员 only, filtered, paginated, scoped, and itself audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.audit.actions import VERIFY_ACTION, VIEW_ACTION, record_event
from tongzheng.audit.models import AuditEvent
from tongzheng.audit.tests.conftest import make_events, sign_in
from tongzheng.audit.tests.permission_rows import ROWS
from tongzheng.core.access import DataScope
from tongzheng.core.registry import platform

pytestmark = pytest.mark.django_db

LIST = reverse("audit:event_list")


def listed(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def test_permission_and_navigation_are_registered():
    assert "audit.view_event" in platform.permissions
    assert any(
        e.url_name == "audit:event_list" and e.permission == "audit.view_event"
        for e in platform.navigation
    )


def test_list_url_is_under_the_workbench():
    assert LIST == "/workbench/audit/"


def test_audit_admin_sees_the_list_and_the_view_is_recorded(auditor_client, audit_admin):
    events = make_events(3, actor_name="张三")
    response = auditor_client.get(LIST)
    assert response.status_code == 200
    shown = listed(response)
    assert {e.pk for e in events} <= {e.pk for e in shown}
    assert "张三" in response.content.decode()
    viewed = AuditEvent.objects.filter(action=VIEW_ACTION, actor=audit_admin).get()
    assert viewed.outcome == "success" and viewed.detail["view"] == "list"
    assert viewed.source_address == "127.0.0.1"


def test_detail_is_shown_and_recorded(auditor_client, audit_admin):
    (event,) = make_events(1, detail={"reason": "核查"})
    response = auditor_client.get(reverse("audit:event_detail", args=[event.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert event.digest in page and "核查" in page
    viewed = AuditEvent.objects.filter(action=VIEW_ACTION, actor=audit_admin).get()
    assert (viewed.object_type, viewed.object_id) == ("audit.auditevent", str(event.pk))


def test_missing_event_is_404(auditor_client):
    assert (
        auditor_client.get(reverse("audit:event_detail", args=[2_000_000_000])).status_code == 404
    )


@pytest.mark.parametrize("name", ["audit:event_list", "audit:chain_status"])
def test_staff_without_the_permission_is_refused_and_the_attempt_recorded(client, name):
    staff = UserFactory(roles=[RoleFactory(permissions=["accounts.manage_user"])])
    response = sign_in(client, staff).get(reverse(name))
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action=VIEW_ACTION, actor=staff)
    assert denied.outcome == "denied"


def test_staff_without_the_permission_cannot_open_a_detail(client):
    (event,) = make_events(1)
    staff = UserFactory(roles=[RoleFactory(permissions=[])])
    response = sign_in(client, staff).get(reverse("audit:event_detail", args=[event.pk]))
    assert response.status_code == 403


def test_citizen_is_refused(client):
    response = sign_in(client, CitizenFactory()).get(LIST)
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_filters_narrow_the_list(auditor_client):
    make_events(2, actor_name="张三", action="accounts.login")
    make_events(1, actor_name="李四", action="accounts.login", outcome="failure")
    make_events(1, actor_name="李四", action="staffing.person_created")
    by_actor = listed(auditor_client.get(LIST, {"actor": "李四"}))
    assert {e.actor_name for e in by_actor} == {"李四"} and len(by_actor) == 2
    by_action = listed(auditor_client.get(LIST, {"action": "staffing."}))
    assert [e.action for e in by_action] == ["staffing.person_created"]
    by_outcome = listed(auditor_client.get(LIST, {"outcome": "failure", "actor": "李四"}))
    assert len(by_outcome) == 1 and by_outcome[0].outcome == "failure"


def test_object_filter(auditor_client, audit_admin):
    target = UserFactory(full_name="王五")
    record_event(actor=audit_admin, action="accounts.user_disabled", target=target)
    make_events(2)
    shown = listed(auditor_client.get(LIST, {"object": "王五"}))
    assert [e.object_id for e in shown] == [str(target.pk)]
    assert listed(auditor_client.get(LIST, {"object": str(target.pk)}))[0].object_repr == "王五"


def test_time_range_filter(auditor_client):
    old = make_events(1, days_ago=30)
    recent = make_events(1, days_ago=2)
    today = timezone.localdate()
    shown = listed(
        auditor_client.get(
            LIST,
            {
                "date_from": (today - timedelta(days=3)).isoformat(),
                "date_to": (today - timedelta(days=1)).isoformat(),
            },
        )
    )
    assert [e.pk for e in shown] == [recent[0].pk]
    shown = listed(auditor_client.get(LIST, {"date_to": (today - timedelta(days=20)).isoformat()}))
    assert [e.pk for e in shown] == [old[0].pk]


def test_reversed_time_range_is_a_400_in_chinese(auditor_client):
    response = auditor_client.get(LIST, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_malformed_date_is_a_400(auditor_client):
    response = auditor_client.get(LIST, {"date_from": "昨天"})
    assert response.status_code == 400


def test_pagination(auditor_client):
    make_events(60, action="test.page")
    first = auditor_client.get(LIST, {"action": "test.page"})
    second = auditor_client.get(LIST, {"action": "test.page", "page": 2})
    assert len(listed(first)) == 50 and len(listed(second)) == 10
    assert not {e.pk for e in listed(first)} & {e.pk for e in listed(second)}
    assert "action=test.page&amp;page=2" in first.content.decode()
    # Newest first
    assert listed(first)[0].pk > listed(second)[0].pk


def test_data_scope_limits_an_organisation_level_auditor(client):
    role = RoleFactory(permissions=["audit.view_event"], scope=DataScope.OWN_ORGANISATION)
    auditor = UserFactory(roles=[role])
    colleague = UserFactory(organisation=auditor.organisation)
    outsider = UserFactory()
    mine = record_event(actor=colleague, action="test.scope")
    theirs = record_event(actor=outsider, action="test.scope")
    sign_in(client, auditor)
    shown = listed(client.get(LIST, {"action": "test.scope"}))
    assert [e.pk for e in shown] == [mine.pk]
    assert client.get(reverse("audit:event_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("audit:event_detail", args=[theirs.pk])).status_code == 404


def test_chain_status_and_verification_from_the_page(auditor_client, audit_admin):
    make_events(4)
    page = auditor_client.get(reverse("audit:chain_status"))
    assert page.status_code == 200
    assert page.context["status"].missing_triggers == []
    response = auditor_client.post(reverse("audit:chain_verify"))
    assert response.status_code == 302 and response["Location"] == reverse("audit:chain_status")
    verified = AuditEvent.objects.get(action=VERIFY_ACTION)
    assert verified.actor == audit_admin and verified.outcome == "success"
    page = auditor_client.get(reverse("audit:chain_status"))
    assert [e.pk for e in page.context["status"].verifications] == [verified.pk]
    assert "审计链完整" in page.content.decode()


def test_verification_from_the_page_reports_a_break(auditor_client, bypass):
    from tongzheng.audit.tests.conftest import raw

    events = make_events(3)
    with bypass():
        raw("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[1].id])
    auditor_client.post(reverse("audit:chain_verify"))
    verified = AuditEvent.objects.filter(action=VERIFY_ACTION).get()
    assert verified.outcome == "failure"
    assert verified.detail["broken"]["id"] == events[1].id


def test_verification_needs_the_permission(client):
    staff = UserFactory(roles=[RoleFactory(permissions=[])])
    assert sign_in(client, staff).post(reverse("audit:chain_verify")).status_code == 403
    assert not AuditEvent.objects.filter(action=VERIFY_ACTION).exists()


def test_permission_rows_cover_every_audit_route():
    from tongzheng.audit import urls

    assert {row["name"] for row in ROWS} == {f"audit:{p.name}" for p in urls.urlpatterns}
