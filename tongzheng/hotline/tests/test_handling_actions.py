"""承办单位 actions: accept, note, 协办意见, reply, extension, dispute — rules and refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Dispute,
    ExtensionRequest,
    TicketStatus,
    TicketUpdate,
    UpdateKind,
)
from tongzheng.hotline.tests.factories_handling import (
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
    helper = OrganisationFactory(name="锦江区人民政府", division=city)
    other = OrganisationFactory(name="成都市教育局", division=city)
    operator = operator_user(centre)
    ticket = dispatched_ticket(lead, assist=[helper], dispatcher=operator)
    return {
        "ticket": ticket,
        "lead": lead,
        "helper": helper,
        "other": other,
        "operator": operator,
        "lead_user": handler_user(lead),
        "helper_user": handler_user(helper),
        "other_user": handler_user(other),
        "lead_assignment": ticket.assignments.get(role=AssignmentRole.LEAD),
        "assist_assignment": ticket.assignments.get(role=AssignmentRole.ASSIST),
    }


def counts():
    return (
        TicketUpdate.objects.count(),
        AuditEvent.objects.count(),
        Dispute.objects.count(),
        ExtensionRequest.objects.count(),
    )


def test_lead_accept_starts_handling_with_one_update_and_one_event(world):
    before = counts()
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    assignment = Assignment.objects.get(pk=world["lead_assignment"].pk)
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert assignment.accepted_at is not None
    world["ticket"].refresh_from_db()
    assert world["ticket"].status == TicketStatus.HANDLING
    after = counts()
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
    update = TicketUpdate.objects.latest("id")
    assert (update.kind, update.public, update.organisation) == (
        UpdateKind.NOTE,
        False,
        world["lead"],
    )
    event = AuditEvent.objects.latest("id")
    assert event.action == "hotline.assignment_accepted"
    assert event.object_id == str(world["ticket"].pk)


def test_assist_accept_leaves_the_ticket_status_alone(world):
    actions.accept(actor=world["helper_user"], assignment=world["assist_assignment"])
    world["ticket"].refresh_from_db()
    assert world["ticket"].status == TicketStatus.DISPATCHED


def test_accepting_twice_is_refused_and_writes_nothing(world):
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    assert caught.value.code == actions.INVALID_STATE
    assert "办理中" in caught.value.messages[0]
    assert counts() == before


def test_another_department_cannot_act(world):
    with pytest.raises(PermissionDenied):
        actions.accept(actor=world["other_user"], assignment=world["lead_assignment"])
    assert Assignment.objects.get(pk=world["lead_assignment"].pk).status == "pending"


def test_the_centre_without_handle_permission_cannot_act(world):
    with pytest.raises(PermissionDenied):
        actions.accept(actor=world["operator"], assignment=world["lead_assignment"])


def test_lead_reply_answers_the_ticket_and_stops_the_clock(world):
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    update = actions.reply(
        actor=world["lead_user"], assignment=world["lead_assignment"], content="已安排维修。"
    )
    assert (update.kind, update.public) == (UpdateKind.REPLY, True)
    ticket = world["ticket"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    assert ticket.answered_at is not None
    assert ticket.finished_at == ticket.answered_at
    assert not ticket.finished_late
    assignment = Assignment.objects.get(pk=world["lead_assignment"].pk)
    assert (assignment.status, assignment.reply, assignment.replied_by) == (
        AssignmentStatus.REPLIED,
        "已安排维修。",
        world["lead_user"],
    )
    assert AuditEvent.objects.latest("id").detail["late"] is False


def test_a_reply_after_the_deadline_finishes_late(world):
    ticket = world["ticket"]
    start = timezone.now() - datetime.timedelta(days=30)
    ticket.due_at = None
    ticket.started_at = None
    ticket.start(start, 3)
    ticket.save()
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    actions.reply(actor=world["lead_user"], assignment=world["lead_assignment"], content="迟复。")
    ticket.refresh_from_db()
    assert ticket.finished_late
    assert AuditEvent.objects.latest("id").detail["late"] is True


def test_reply_before_accepting_is_refused(world):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.reply(actor=world["lead_user"], assignment=world["lead_assignment"], content="x")
    assert "待签收" in caught.value.messages[0]
    assert counts() == before


def test_assisting_unit_cannot_reply_to_the_reporter(world):
    actions.accept(actor=world["helper_user"], assignment=world["assist_assignment"])
    with pytest.raises(ValidationError) as caught:
        actions.reply(
            actor=world["helper_user"], assignment=world["assist_assignment"], content="x"
        )
    assert "协办意见" in caught.value.messages[0]
    world["ticket"].refresh_from_db()
    assert world["ticket"].status == TicketStatus.DISPATCHED


def test_opinion_goes_to_the_lead_not_the_reporter(world):
    actions.accept(actor=world["helper_user"], assignment=world["assist_assignment"])
    actions.submit_opinion(
        actor=world["helper_user"],
        assignment=world["assist_assignment"],
        content="路灯属街道管理。",
    )
    assignment = Assignment.objects.get(pk=world["assist_assignment"].pk)
    assert (assignment.status, assignment.reply) == (AssignmentStatus.REPLIED, "路灯属街道管理。")
    assert not TicketUpdate.objects.filter(ticket=world["ticket"], public=True).exists()
    with pytest.raises(ValidationError):
        actions.submit_opinion(
            actor=world["helper_user"], assignment=world["assist_assignment"], content="again"
        )


def test_lead_cannot_submit_an_opinion(world):
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    with pytest.raises(ValidationError):
        actions.submit_opinion(
            actor=world["lead_user"], assignment=world["lead_assignment"], content="x"
        )


def test_note_is_internal_and_needs_content(world):
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    note = actions.add_note(
        actor=world["lead_user"], assignment=world["lead_assignment"], content="已现场查看。"
    )
    assert (note.kind, note.public) == (UpdateKind.NOTE, False)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.add_note(actor=world["lead_user"], assignment=world["lead_assignment"], content=" ")
    assert caught.value.message_dict == {"content": ["请填写办理记录。"]}
    assert counts() == before


def test_extension_before_the_deadline_once(world):
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    extension = actions.request_extension(
        actor=world["lead_user"],
        assignment=world["lead_assignment"],
        working_days=5,
        reason="需协调供电公司。",
    )
    assert (extension.working_days, extension.status, extension.organisation) == (
        5,
        "pending",
        world["lead"],
    )
    before = counts()
    with pytest.raises(ValidationError) as caught:
        actions.request_extension(
            actor=world["lead_user"],
            assignment=world["lead_assignment"],
            working_days=3,
            reason="再延。",
        )
    assert "正在审核" in caught.value.messages[0]
    assert counts() == before


def test_extension_after_the_deadline_is_refused(world):
    ticket = world["ticket"]
    ticket.started_at = ticket.due_at = None
    ticket.start(timezone.now() - datetime.timedelta(days=30), 3)
    ticket.save()
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    with pytest.raises(ValidationError) as caught:
        actions.request_extension(
            actor=world["lead_user"],
            assignment=world["lead_assignment"],
            working_days=3,
            reason="太晚了。",
        )
    assert "截止时间之前" in caught.value.messages[0]
    assert not ExtensionRequest.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 61])
def test_extension_days_out_of_range(world, days):
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    with pytest.raises(ValidationError) as caught:
        actions.request_extension(
            actor=world["lead_user"],
            assignment=world["lead_assignment"],
            working_days=days,
            reason="理由",
        )
    assert "working_days" in caught.value.message_dict
    assert not ExtensionRequest.objects.exists()


def test_assisting_unit_cannot_ask_for_an_extension(world):
    actions.accept(actor=world["helper_user"], assignment=world["assist_assignment"])
    with pytest.raises(ValidationError):
        actions.request_extension(
            actor=world["helper_user"],
            assignment=world["assist_assignment"],
            working_days=2,
            reason="理由",
        )


def test_dispute_with_suggestion(world):
    dispute = actions.dispute(
        actor=world["lead_user"],
        assignment=world["lead_assignment"],
        reason="路灯由区政府管理。",
        suggested_organisation=world["helper"],
    )
    assert (dispute.reason, dispute.suggested_organisation, dispute.status) == (
        "路灯由区政府管理。",
        world["helper"],
        "pending",
    )
    assignment = Assignment.objects.get(pk=world["lead_assignment"].pk)
    assert assignment.status == AssignmentStatus.DISPUTED
    assert "建议改派锦江区人民政府" in TicketUpdate.objects.latest("id").content
    before = counts()
    with pytest.raises(ValidationError):
        actions.dispute(actor=world["lead_user"], assignment=assignment, reason="again")
    with pytest.raises(ValidationError):
        actions.accept(actor=world["lead_user"], assignment=assignment)
    assert counts() == before


def test_dispute_cannot_suggest_oneself_or_follow_a_reply(world):
    with pytest.raises(ValidationError) as caught:
        actions.dispute(
            actor=world["lead_user"],
            assignment=world["lead_assignment"],
            reason="x",
            suggested_organisation=world["lead"],
        )
    assert "suggested_organisation" in caught.value.message_dict
    actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    actions.reply(actor=world["lead_user"], assignment=world["lead_assignment"], content="已办")
    with pytest.raises(ValidationError):
        actions.dispute(actor=world["lead_user"], assignment=world["lead_assignment"], reason="x")
    assert not Dispute.objects.exists()


def test_closed_ticket_cannot_be_worked(world):
    ticket = world["ticket"]
    ticket.status = TicketStatus.CLOSED
    ticket.save()
    with pytest.raises(ValidationError) as caught:
        actions.accept(actor=world["lead_user"], assignment=world["lead_assignment"])
    assert "已办结" in caught.value.messages[0]


def test_a_redacted_copy_in_the_caller_hands_is_never_saved(world):
    """The action locks and saves the real row; the reporter survives a department's reply."""
    from tongzheng.hotline import queries

    ticket = world["ticket"]
    ticket.confidential = True
    ticket.save()
    assignment = queries.assignment_for(world["lead_user"], world["lead_assignment"].pk)
    assert assignment.ticket.reporter_redacted
    actions.accept(actor=world["lead_user"], assignment=assignment)
    actions.reply(actor=world["lead_user"], assignment=assignment, content="已办")
    ticket.refresh_from_db()
    assert ticket.reporter_name == "保密的李四"
    assert ticket.reporter_phone == "139****5678"
