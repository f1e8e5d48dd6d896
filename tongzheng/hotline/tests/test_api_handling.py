"""/api/hotline/: scoped reads with filters and pagination, a department's idempotent writes."""

import datetime
import json

import pytest
from django.utils import timezone

from tongzheng.audit.models import AuditEvent
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
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.django_db


def client_for(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return logged_in_client(user, TOTPDevice.objects.get(user=user))


@pytest.fixture
def world():
    province = DivisionFactory(code="510000", name="四川省", parent=None)
    city = DivisionFactory(code="510100", name="成都市", parent=province)
    other_city = DivisionFactory(code="510300", name="自贡市", parent=province)
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    helper = OrganisationFactory(name="锦江区人民政府", division=city)
    other = OrganisationFactory(name="成都市教育局", division=city)
    far = OrganisationFactory(name="自贡市城市管理局", division=other_city)
    operator = operator_user(centre)
    return {
        "lead": lead,
        "helper": helper,
        "other": other,
        "far": far,
        "operator": operator,
        "centre": client_for(operator),
        "lead_client": client_for(handler_user(lead)),
        "helper_client": client_for(handler_user(helper)),
        "other_client": client_for(handler_user(other)),
    }


def post(client, url, body=None, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def base(number):
    return f"/api/hotline/tickets/{number}"


def test_list_is_scoped_and_filtered(world):
    mine = dispatched_ticket(world["lead"], dispatcher=world["operator"], ticket_type="complaint")
    assisted = dispatched_ticket(
        world["other"], assist=[world["lead"]], dispatcher=world["operator"]
    )
    foreign = dispatched_ticket(world["other"], dispatcher=world["operator"])
    far = dispatched_ticket(world["far"], dispatcher=world["operator"])

    body = world["lead_client"].get("/api/hotline/tickets").json()
    assert {item["number"] for item in body["items"]} == {mine.number, assisted.number}
    assert body["count"] == 2

    centre = world["centre"].get("/api/hotline/tickets").json()
    numbers = {item["number"] for item in centre["items"]}
    assert {mine.number, assisted.number, foreign.number} <= numbers
    assert far.number not in numbers  # another city: outside the centre's division

    complaints = world["centre"].get("/api/hotline/tickets", {"type": "complaint"}).json()
    assert [item["number"] for item in complaints["items"]] == [mine.number]
    by_org = (
        world["centre"].get("/api/hotline/tickets", {"organisation_id": world["other"].pk}).json()
    )
    assert {item["number"] for item in by_org["items"]} == {assisted.number, foreign.number}
    paged = world["centre"].get("/api/hotline/tickets", {"page_size": 2, "page": 2}).json()
    assert (paged["count"], len(paged["items"])) == (3, 1)


def test_clock_filter(world):
    late = dispatched_ticket(
        world["lead"],
        dispatcher=world["operator"],
        started_at=timezone.now() - datetime.timedelta(days=40),
    )
    dispatched_ticket(world["lead"], dispatcher=world["operator"], ticket_type="complaint")
    red = world["lead_client"].get("/api/hotline/tickets", {"clock": "red"}).json()
    assert [(item["number"], item["clock_status"]) for item in red["items"]] == [
        (late.number, "red")
    ]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/hotline/tickets", {"clock": "purple"}),
        ("/api/hotline/tickets", {"status": "lost"}),
        ("/api/hotline/tickets", {"type": "poem"}),
        ("/api/hotline/assignments", {"status": "sleeping"}),
    ],
)
def test_unknown_filter_values_are_422_in_chinese(world, path, query):
    response = world["lead_client"].get(path, query)
    assert response.status_code == 422
    assert "不是可选的值" in response.json()["detail"]


def test_unknown_division_filter_is_422_in_chinese(world):
    response = world["centre"].get("/api/hotline/tickets", {"division": "999999"})
    assert response.status_code == 422
    assert "行政区划代码不存在" in response.json()["detail"]


def test_detail_has_assignments_history_and_extensions(world):
    ticket = dispatched_ticket(
        world["lead"], assist=[world["helper"]], dispatcher=world["operator"]
    )
    TicketUpdate.objects.create(ticket=ticket, kind="addition", content="补充信息")
    body = world["lead_client"].get(base(ticket.number)).json()
    assert body["reporter_name"] == REPORTER_NAME
    assert body["reporter_phone"] == REPORTER_PHONE_MASKED
    assert body["reporter_redacted"] is False
    assert [a["role"] for a in body["assignments"]] == ["lead", "assist"]
    assert [u["content"] for u in body["updates"]] == ["补充信息"]
    assert body["clock_status"] == "normal" and body["due_at"]


def test_another_departments_ticket_is_404(world):
    ticket = dispatched_ticket(world["other"], dispatcher=world["operator"])
    response = world["lead_client"].get(base(ticket.number))
    assert response.status_code == 404
    assert response.json()["detail"]
    response = post(world["lead_client"], f"{base(ticket.number)}/accept")
    assert response.status_code == 404
    assert ticket.assignments.get().status == AssignmentStatus.PENDING


def test_writes_require_an_idempotency_key(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    response = post(world["lead_client"], f"{base(ticket.number)}/accept", key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert ticket.assignments.get().status == AssignmentStatus.PENDING


def test_accept_reply_flow_and_a_retry_does_not_act_twice(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    client = world["lead_client"]
    accepted = post(client, f"{base(ticket.number)}/accept", key="accept-1")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    events = AuditEvent.objects.count()
    replayed = post(client, f"{base(ticket.number)}/accept", key="accept-1")
    assert replayed.status_code == 200
    assert replayed["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.count() == events
    # a new key is a new request: accepting twice is a 409 with the reason
    conflict = post(client, f"{base(ticket.number)}/accept", key="accept-2")
    assert conflict.status_code == 409
    assert "不能签收" in conflict.json()["detail"]

    replied = post(client, f"{base(ticket.number)}/reply", {"content": "已修复。"}, key="r-1")
    assert replied.status_code == 200
    assert replied.json()["status"] == TicketStatus.ANSWERED
    assert replied.json()["clock_status"] == "finished"
    again = post(client, f"{base(ticket.number)}/reply", {"content": "已修复。"}, key="r-1")
    assert again.status_code == 200
    assert TicketUpdate.objects.filter(ticket=ticket, kind="reply").count() == 1


def test_empty_reply_is_422_and_writes_nothing(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    post(world["lead_client"], f"{base(ticket.number)}/accept")
    before = TicketUpdate.objects.count()
    response = post(world["lead_client"], f"{base(ticket.number)}/reply", {"content": ""}, "r")
    assert response.status_code == 422
    assert "content" in response.json()["detail"]
    blank = post(world["lead_client"], f"{base(ticket.number)}/reply", {"content": "  "}, "r2")
    assert blank.status_code == 422
    assert "请填写答复内容" in blank.json()["detail"]
    assert TicketUpdate.objects.count() == before


def test_assist_opinion_note_extension_and_dispute(world):
    ticket = dispatched_ticket(
        world["lead"], assist=[world["helper"]], dispatcher=world["operator"]
    )
    helper, lead = world["helper_client"], world["lead_client"]
    assert post(helper, f"{base(ticket.number)}/accept", key="a").status_code == 200
    refused = post(helper, f"{base(ticket.number)}/reply", {"content": "x"}, key="b")
    assert refused.status_code == 409
    opinion = post(helper, f"{base(ticket.number)}/opinion", {"content": "同意"}, key="c")
    assert opinion.status_code == 200 and opinion.json()["status"] == "replied"

    assert post(lead, f"{base(ticket.number)}/accept", key="a").status_code == 200
    note = post(lead, f"{base(ticket.number)}/notes", {"content": "现场查看"}, key="n")
    assert note.status_code == 201 and note.json()["public"] is False
    extension = post(
        lead, f"{base(ticket.number)}/extension", {"working_days": 3, "reason": "协调"}, key="e"
    )
    assert extension.status_code == 201
    assert ExtensionRequest.objects.get().working_days == 3
    second = post(
        lead, f"{base(ticket.number)}/extension", {"working_days": 2, "reason": "再"}, key="e2"
    )
    assert second.status_code == 409
    bad_days = post(
        lead, f"{base(ticket.number)}/extension", {"working_days": 0, "reason": "x"}, key="e3"
    )
    assert bad_days.status_code == 422

    unknown = post(
        lead,
        f"{base(ticket.number)}/dispute",
        {"reason": "非本单位职责", "suggested_organisation": "无此单位"},
        key="d0",
    )
    assert unknown.status_code == 422
    dispute = post(
        lead,
        f"{base(ticket.number)}/dispute",
        {"reason": "非本单位职责", "suggested_organisation": "成都市教育局"},
        key="d",
    )
    assert dispute.status_code == 201
    assert Dispute.objects.get().suggested_organisation == world["other"]
    assert ticket.assignments.get(role=AssignmentRole.LEAD).status == AssignmentStatus.DISPUTED


def test_inbox_endpoint(world):
    ticket = dispatched_ticket(world["lead"], dispatcher=world["operator"])
    body = world["lead_client"].get("/api/hotline/assignments").json()
    assert [(i["ticket_number"], i["role"], i["clock_status"]) for i in body["items"]] == [
        (ticket.number, "lead", "normal")
    ]
    assert world["centre"].get("/api/hotline/assignments").status_code == 403
