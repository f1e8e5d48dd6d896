"""承办单位 pages: the inbox (scope, order, clock colours, pagination) and the assignment page."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.models import (
    AssignmentRole,
    AssignmentStatus,
    Dispute,
    ExtensionRequest,
    TicketStatus,
    TicketUpdate,
)
from tongzheng.hotline.tests.factories_handling import (
    REPORTER_NAME,
    REPORTER_PHONE_MASKED,
    dispatched_ticket,
    handler_user,
    operator_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    helper = OrganisationFactory(name="锦江区人民政府", division=city, uscc="")
    other = OrganisationFactory(name="成都市教育局", division=city)
    operator = operator_user(centre)
    return {
        "city": city,
        "lead": lead,
        "helper": helper,
        "other": other,
        "operator": operator,
        "lead_user": handler_user(lead),
        "helper_user": handler_user(helper),
        "other_user": handler_user(other),
    }


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def lead_assignment(ticket):
    return ticket.assignments.get(role=AssignmentRole.LEAD)


def test_inbox_lists_own_assignments_by_deadline_with_clock_colours(world):
    now = timezone.now()
    overdue = dispatched_ticket(
        world["lead"],
        dispatcher=world["operator"],
        started_at=now - datetime.timedelta(days=40),
        title="超期工单",
    )
    fresh = dispatched_ticket(
        world["lead"], dispatcher=world["operator"], title="新工单", ticket_type="complaint"
    )
    assisted = dispatched_ticket(
        world["other"], assist=[world["lead"]], dispatcher=world["operator"], title="协办工单"
    )
    foreign = dispatched_ticket(world["other"], dispatcher=world["operator"], title="别人的")
    # an urgent ticket is due at the end of today: at most one working day left, yellow
    urgent = dispatched_ticket(world["lead"], dispatcher=world["operator"], urgency="urgent")
    response = client_for(world["lead_user"]).get(reverse("hotline:assignment_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert overdue.number in body and fresh.number in body and assisted.number in body
    assert foreign.number not in body
    # earliest deadline first: the overdue one, then the 3-day enquiry, then the complaint
    assert body.index(overdue.number) < body.index(assisted.number) < body.index(fresh.number)
    assert "红牌（已超期）" in body and "黄牌（即将到期）" in body and "正常" in body
    assert body.index(overdue.number) < body.index(urgent.number) < body.index(assisted.number)
    assert "协办" in body


def test_inbox_query_count_does_not_grow_with_rows(world):
    for _ in range(3):
        dispatched_ticket(world["lead"], dispatcher=world["operator"])
    client = client_for(world["lead_user"])
    url = reverse("hotline:assignment_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        dispatched_ticket(world["lead"], dispatcher=world["operator"])
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_inbox_paginates(world, monkeypatch):
    from tongzheng.hotline.views import handling

    monkeypatch.setattr(handling, "PAGE_SIZE", 2)
    tickets = [dispatched_ticket(world["lead"], dispatcher=world["operator"]) for _ in range(3)]
    client = client_for(world["lead_user"])
    first = client.get(reverse("hotline:assignment_list")).content.decode()
    second = client.get(reverse("hotline:assignment_list"), {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first
    assert sum(t.number in first for t in tickets) == 2
    assert sum(t.number in second for t in tickets) == 1


def test_inbox_status_filter(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    assignment = lead_assignment(ticket)
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.save()
    client = client_for(world["lead_user"])
    assert ticket.number not in client.get(reverse("hotline:assignment_list")).content.decode()
    everything = client.get(reverse("hotline:assignment_list"), {"status": "all"})
    assert ticket.number in everything.content.decode()
    # the ticket went elsewhere: the withdrawn assignment no longer opens it
    detail = client.get(reverse("hotline:assignment_detail", args=[assignment.pk]))
    assert detail.status_code == 404


def test_inbox_refuses_users_without_the_handle_permission(world):
    response = client_for(world["operator"]).get(reverse("hotline:assignment_list"))
    assert response.status_code == 403


def test_detail_shows_ticket_history_contributions_and_allowed_forms(world):
    ticket = dispatched_ticket(
        world["lead"], assist=[world["helper"]], dispatcher=world["operator"]
    )
    TicketUpdate.objects.create(ticket=ticket, kind="addition", content="补充：东门旁。")
    assist = ticket.assignments.get(role=AssignmentRole.ASSIST)
    assist.status = AssignmentStatus.REPLIED
    assist.reply = "已通知街道。"
    assist.save()
    response = client_for(world["lead_user"]).get(
        reverse("hotline:assignment_detail", args=[lead_assignment(ticket).pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert REPORTER_NAME in body and REPORTER_PHONE_MASKED in body  # not confidential
    assert "补充：东门旁。" in body and "已通知街道。" in body and "锦江区人民政府" in body
    assert "签收" in body and "提出派单异议" in body
    assert 'name="reply-content"' not in body  # not accepted yet


def test_detail_of_another_departments_assignment_is_404(world):
    ticket = dispatched_ticket(world["other"], dispatcher=world["operator"])
    response = client_for(world["lead_user"]).get(
        reverse("hotline:assignment_detail", args=[lead_assignment(ticket).pk])
    )
    assert response.status_code == 404
    post = client_for(world["lead_user"]).post(
        reverse("hotline:assignment_accept", args=[lead_assignment(ticket).pk])
    )
    assert post.status_code == 404
    assert lead_assignment(ticket).status == AssignmentStatus.PENDING


def test_accept_then_reply_through_the_pages(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    pk = lead_assignment(ticket).pk
    client = client_for(world["lead_user"])
    response = client.post(reverse("hotline:assignment_accept", args=[pk]))
    assert response.status_code == 302
    again = client.post(reverse("hotline:assignment_accept", args=[pk]))
    assert again.status_code == 400
    assert "不能签收" in again.content.decode()
    page = client.get(reverse("hotline:assignment_detail", args=[pk])).content.decode()
    assert 'name="reply-content"' in page and 'name="extension-working_days"' in page
    response = client.post(
        reverse("hotline:assignment_reply", args=[pk]), {"reply-content": "已修复路灯。"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    assert ticket.updates.filter(kind="reply", public=True, content="已修复路灯。").exists()


def test_empty_reply_is_400_and_writes_nothing(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    pk = lead_assignment(ticket).pk
    client = client_for(world["lead_user"])
    client.post(reverse("hotline:assignment_accept", args=[pk]))
    before = TicketUpdate.objects.count()
    response = client.post(reverse("hotline:assignment_reply", args=[pk]), {"reply-content": ""})
    assert response.status_code == 400
    assert 'id="id_reply-content"' in response.content.decode()
    assert 'class="text-danger small" role="alert"' in response.content.decode()
    assert TicketUpdate.objects.count() == before


def test_reply_before_accepting_is_400_with_the_reason(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    pk = lead_assignment(ticket).pk
    response = client_for(world["lead_user"]).post(
        reverse("hotline:assignment_reply", args=[pk]), {"reply-content": "抢答"}
    )
    assert response.status_code == 400
    assert "待签收" in response.content.decode()
    assert not ticket.updates.filter(kind="reply").exists()


def test_extension_and_dispute_forms(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    pk = lead_assignment(ticket).pk
    client = client_for(world["lead_user"])
    client.post(reverse("hotline:assignment_accept", args=[pk]))
    response = client.post(
        reverse("hotline:assignment_extension", args=[pk]),
        {"extension-working_days": "4", "extension-reason": "需要现场检测。"},
    )
    assert response.status_code == 302
    assert ExtensionRequest.objects.get().working_days == 4
    page = client.get(reverse("hotline:assignment_detail", args=[pk])).content.decode()
    assert 'name="extension-working_days"' not in page  # one pending at a time
    unknown = client.post(
        reverse("hotline:assignment_dispute", args=[pk]),
        {"dispute-reason": "非本单位职责。", "dispute-suggested_organisation": "不存在的局"},
    )
    assert unknown.status_code == 400
    assert "没有找到该单位" in unknown.content.decode()
    assert not Dispute.objects.exists()
    response = client.post(
        reverse("hotline:assignment_dispute", args=[pk]),
        {"dispute-reason": "非本单位职责。", "dispute-suggested_organisation": "锦江区人民政府"},
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.suggested_organisation == world["helper"]


def test_assisting_unit_submits_an_opinion(world):
    ticket = dispatched_ticket(world["other"], assist=[world["lead"]], dispatcher=world["operator"])
    assist = ticket.assignments.get(role=AssignmentRole.ASSIST)
    client = client_for(world["lead_user"])
    client.post(reverse("hotline:assignment_accept", args=[assist.pk]))
    page = client.get(reverse("hotline:assignment_detail", args=[assist.pk])).content.decode()
    assert 'name="opinion-content"' in page and 'name="reply-content"' not in page
    response = client.post(
        reverse("hotline:assignment_opinion", args=[assist.pk]), {"opinion-content": "同意。"}
    )
    assert response.status_code == 302
    assist.refresh_from_db()
    assert assist.status == AssignmentStatus.REPLIED
