"""The hotline centre's actions: rules, state checks, audit records, notifications."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongzheng.accounts.tests.factories import CitizenFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core import calendar
from tongzheng.core.models import Notification
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Channel,
    DecisionStatus,
    DispatchRule,
    Dispute,
    ExtensionRequest,
    MailBox,
    Satisfaction,
    Ticket,
    TicketStatus,
    TicketType,
    TicketUpdate,
    UpdateKind,
    limit_for,
)
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return centre_world()


def events(action):
    return AuditEvent.objects.filter(action=action).count()


def dispatched(world, **fields):
    filed = ticket(world, **fields)
    actions.dispatch_ticket(
        actor=world.operator,
        ticket=filed,
        lead=world.lead_org,
        assisting=[world.assist_org],
        instructions="请于三日内处理。",
    )
    filed.refresh_from_db()
    return filed


# ---- 派单 -------------------------------------------------------------------------------


def test_dispatch_names_a_lead_and_assisting_units_starts_the_clock_and_audits(world):
    filed = ticket(world, type=TicketType.COMPLAINT)
    actions.dispatch_ticket(
        actor=world.operator,
        ticket=filed,
        lead=world.lead_org,
        assisting=[world.assist_org, world.third_org],
        instructions="请于三日内处理。",
    )
    filed.refresh_from_db()
    assert filed.status == TicketStatus.DISPATCHED
    assert filed.organisation == world.lead_org
    assert filed.dispatched_at is not None
    assert filed.started_at is not None
    assert filed.limit_working_days == limit_for(TicketType.COMPLAINT) == 13
    assert filed.due_at is not None
    roles = sorted(Assignment.objects.filter(ticket=filed).values_list("organisation", "role"))
    assert roles == sorted(
        [
            (world.lead_org.pk, AssignmentRole.LEAD),
            (world.assist_org.pk, AssignmentRole.ASSIST),
            (world.third_org.pk, AssignmentRole.ASSIST),
        ]
    )
    update = filed.updates.get(kind=UpdateKind.DISPATCH)
    assert world.lead_org.name in update.content and not update.public
    for handler, role in ((world.lead_handler, "主办"), (world.assist_handler, "协办")):
        assert Notification.objects.filter(recipient=handler, subject__contains=role).exists()
    assert events("hotline.ticket_dispatched") == 1


def test_dispatch_twice_is_refused_and_writes_nothing(world):
    filed = dispatched(world)
    with pytest.raises(ValidationError, match="只有待派单的工单才能派单"):
        actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.third_org)
    assert Assignment.objects.filter(ticket=filed).count() == 2
    assert events("hotline.ticket_dispatched") == 1


def test_a_closed_ticket_cannot_be_dispatched(world):
    filed = ticket(world, status=TicketStatus.CLOSED)
    with pytest.raises(ValidationError):
        actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.lead_org)
    assert not Assignment.objects.exists()


def test_dispatch_rules_on_organisations(world):
    filed = ticket(world)
    with pytest.raises(ValidationError, match="主办单位不能同时作为协办单位"):
        actions.dispatch_ticket(
            actor=world.operator, ticket=filed, lead=world.lead_org, assisting=[world.lead_org]
        )
    elsewhere = OrganisationFactory(name="绵阳市城市管理局", division=world.other_city)
    with pytest.raises(ValidationError, match="不能派单给该单位"):
        actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=elsewhere)
    assert not Assignment.objects.exists()


def test_only_the_centre_dispatches(world):
    filed = ticket(world)
    with pytest.raises(PermissionDenied):
        actions.dispatch_ticket(actor=world.lead_handler, ticket=filed, lead=world.lead_org)


def test_the_most_specific_active_rule_is_suggested(world):
    assert actions.dispatch_rule_for(ticket(world)) is None
    DispatchRule.objects.create(subject=world.subject, organisation=world.third_org)
    DispatchRule.objects.create(
        subject=world.subject,
        division=world.city,
        division_path=world.city.path,
        organisation=world.lead_org,
    )
    DispatchRule.objects.create(
        subject=world.subject,
        division=world.other_city,
        division_path=world.other_city.path,
        organisation=world.assist_org,
    )
    assert actions.dispatch_rule_for(ticket(world)).organisation == world.lead_org
    DispatchRule.objects.filter(organisation=world.lead_org).update(active=False)
    assert actions.dispatch_rule_for(ticket(world)).organisation == world.third_org


# ---- 撤回 / 改派 ---------------------------------------------------------------------------


def test_withdrawing_the_lead_returns_the_ticket_to_dispatch(world):
    filed = dispatched(world)
    lead = Assignment.objects.get(ticket=filed, role=AssignmentRole.LEAD)
    actions.withdraw_assignment(actor=world.operator, assignment=lead, reason="派错单位")
    filed.refresh_from_db()
    assert filed.status == TicketStatus.RECEIVED
    assert filed.organisation is None
    assert set(Assignment.objects.filter(ticket=filed).values_list("status", flat=True)) == {
        AssignmentStatus.WITHDRAWN
    }
    with pytest.raises(ValidationError):
        actions.withdraw_assignment(actor=world.operator, assignment=lead, reason="再撤一次")
    assert events("hotline.assignment_withdrawn") == 1


def test_redispatch_withdraws_and_dispatches_anew_keeping_the_clock(world):
    filed = dispatched(world)
    due = filed.due_at
    actions.redispatch_ticket(
        actor=world.operator, ticket=filed, lead=world.third_org, reason="职责调整"
    )
    filed.refresh_from_db()
    assert filed.organisation == world.third_org
    assert filed.due_at == due
    active = Assignment.objects.filter(ticket=filed).exclude(status=AssignmentStatus.WITHDRAWN)
    assert list(active.values_list("organisation", "role")) == [
        (world.third_org.pk, AssignmentRole.LEAD)
    ]
    assert events("hotline.ticket_redispatched") == 1


# ---- 不予受理 ------------------------------------------------------------------------------


def test_a_12310_report_is_refused_only_on_its_grounds(world):
    report = ticket(world, channel=Channel.R12310, type=TicketType.REPORT)
    with pytest.raises(ValidationError):
        actions.mark_not_accepted(actor=world.operator, ticket=report, ground="out_of_scope")
    actions.mark_not_accepted(
        actor=world.operator, ticket=report, ground="personal", reason="反映本人职级待遇"
    )
    report.refresh_from_db()
    assert report.status == TicketStatus.NOT_ACCEPTED
    assert "个人安置、待遇问题" in report.not_accepted_reason
    assert report.finished_at is not None
    assert report.updates.get(kind=UpdateKind.CLOSE).public
    with pytest.raises(ValidationError):
        actions.mark_not_accepted(actor=world.operator, ticket=report, ground="personal")
    assert events("hotline.ticket_not_accepted") == 1


# ---- 合并 ---------------------------------------------------------------------------------


def test_merge_informs_every_reporter_of_the_merged_tickets(world):
    master = dispatched(world)
    citizen = CitizenFactory()
    duplicate = dispatched(world, account=citizen)
    earlier = ticket(world, reporter_name="王五")
    actions.merge_ticket(actor=world.operator, duplicate=earlier, master=duplicate)

    actions.merge_ticket(actor=world.operator, duplicate=duplicate, master=master)

    duplicate.refresh_from_db()
    earlier.refresh_from_db()
    assert duplicate.status == TicketStatus.MERGED
    assert duplicate.duplicate_of == master
    assert duplicate.finished_at is not None
    # The ticket merged into the duplicate earlier now follows the master directly.
    assert earlier.duplicate_of == master
    for merged in (duplicate, earlier):
        update = merged.updates.filter(kind=UpdateKind.MERGE, public=True).last()
        assert master.number in update.content
    assert Notification.objects.filter(recipient=citizen).exists()
    assert not Assignment.objects.filter(
        ticket=duplicate, status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
    ).exists()
    assert master.updates.filter(kind=UpdateKind.MERGE, public=False).exists()
    assert events("hotline.ticket_merged") == 2


def test_merge_refuses_itself_and_merged_tickets(world):
    master, duplicate = ticket(world), ticket(world)
    with pytest.raises(ValidationError):
        actions.merge_ticket(actor=world.operator, duplicate=master, master=master)
    actions.merge_ticket(actor=world.operator, duplicate=duplicate, master=master)
    with pytest.raises(ValidationError):
        actions.merge_ticket(actor=world.operator, duplicate=duplicate, master=master)
    with pytest.raises(ValidationError):
        actions.merge_ticket(actor=world.operator, duplicate=ticket(world), master=duplicate)
    assert events("hotline.ticket_merged") == 1


def test_closing_a_master_tells_its_duplicates(world):
    master = answered(world)
    citizen = CitizenFactory()
    duplicate = ticket(world, account=citizen)
    actions.merge_ticket(actor=world.operator, duplicate=duplicate, master=master)
    actions.revisit_ticket(actor=world.operator, ticket=master, satisfaction=Satisfaction.SATISFIED)
    assert duplicate.updates.filter(kind=UpdateKind.CLOSE, public=True).exists()
    assert Notification.objects.filter(recipient=citizen, subject__contains="已办结").exists()


# ---- 派单异议 -------------------------------------------------------------------------------


def disputed(world, filed, suggested=None):
    lead = Assignment.objects.get(ticket=filed, role=AssignmentRole.LEAD)
    lead.status = AssignmentStatus.DISPUTED
    lead.save()
    return Dispute.objects.create(
        assignment=lead,
        reason="不属于本单位职责",
        suggested_organisation=suggested,
        raised_by=world.lead_handler,
    )


def test_approving_a_dispute_redispatches_the_lead(world):
    filed = dispatched(world)
    dispute = disputed(world, filed, suggested=world.third_org)
    actions.decide_dispute(actor=world.operator, dispute=dispute, approve=True, note="同意")
    dispute.refresh_from_db()
    filed.refresh_from_db()
    assert dispute.status == DecisionStatus.APPROVED
    assert dispute.decided_by == world.operator
    assert filed.organisation == world.third_org
    assert filed.status == TicketStatus.DISPATCHED
    assert dispute.assignment.__class__.objects.get(pk=dispute.assignment_id).status == (
        AssignmentStatus.WITHDRAWN
    )
    new_lead = Assignment.objects.get(
        ticket=filed, role=AssignmentRole.LEAD, status=AssignmentStatus.PENDING
    )
    assert new_lead.organisation == world.third_org
    assert Notification.objects.filter(recipient=world.lead_handler, subject__contains="异议")
    assert Notification.objects.filter(recipient=world.third_handler, subject__contains="新派单")
    with pytest.raises(ValidationError, match="不能重复审核"):
        actions.decide_dispute(actor=world.operator, dispute=dispute, approve=False)
    assert events("hotline.dispute_decided") == 1


def test_approving_to_an_assisting_unit_makes_it_the_lead(world):
    filed = dispatched(world)
    dispute = disputed(world, filed)
    with pytest.raises(ValidationError):
        actions.decide_dispute(actor=world.operator, dispute=dispute, approve=True)
    actions.decide_dispute(
        actor=world.operator, dispute=dispute, approve=True, organisation=world.assist_org
    )
    active = Assignment.objects.filter(ticket=filed).exclude(status=AssignmentStatus.WITHDRAWN)
    assert list(active.values_list("organisation", "role")) == [
        (world.assist_org.pk, AssignmentRole.LEAD)
    ]


def test_rejecting_a_dispute_returns_the_assignment_to_its_status(world):
    filed = dispatched(world)
    lead = Assignment.objects.get(ticket=filed, role=AssignmentRole.LEAD)
    lead.accepted_at = timezone.now()
    lead.save()
    dispute = disputed(world, filed)
    actions.decide_dispute(actor=world.operator, dispute=dispute, approve=False, note="属职责")
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.ACCEPTED
    assert Dispute.objects.get().status == DecisionStatus.REJECTED


# ---- 延期 ---------------------------------------------------------------------------------


def extension(world, filed, days=5, requested_at=None):
    request = ExtensionRequest.objects.create(
        ticket=filed,
        organisation=world.lead_org,
        working_days=days,
        reason="需现场勘验",
        requested_by=world.lead_handler,
    )
    if requested_at:
        ExtensionRequest.objects.filter(pk=request.pk).update(requested_at=requested_at)
        request.refresh_from_db()
    return request


def test_approving_an_extension_moves_the_deadline(world):
    filed = dispatched(world)
    due = filed.due_at
    request = extension(world, filed, days=5)
    actions.decide_extension(actor=world.operator, extension=request, approve=True)
    filed.refresh_from_db()
    assert filed.limit_working_days == limit_for(filed.type) + 5
    assert timezone.localdate(filed.due_at) == calendar.add_working_days(timezone.localdate(due), 5)
    assert filed.updates.filter(kind=UpdateKind.EXTENSION).count() == 1
    with pytest.raises(ValidationError, match="不能重复审核"):
        actions.decide_extension(actor=world.operator, extension=request, approve=True)
    filed.refresh_from_db()
    assert filed.limit_working_days == limit_for(filed.type) + 5
    assert events("hotline.extension_decided") == 1


def test_an_extension_asked_after_the_deadline_cannot_be_approved(world):
    filed = dispatched(world)
    late = extension(world, filed, requested_at=filed.due_at + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError, match="办理期限届满前"):
        actions.decide_extension(actor=world.operator, extension=late, approve=True)
    late.refresh_from_db()
    assert late.status == DecisionStatus.PENDING
    actions.decide_extension(actor=world.operator, extension=late, approve=False)
    late.refresh_from_db()
    assert late.status == DecisionStatus.REJECTED


# ---- 催办 / 督办 ---------------------------------------------------------------------------


def test_urging_notifies_the_lead_handlers_once(world):
    filed = dispatched(world)
    actions.urge_ticket(actor=world.operator, ticket=filed, content="请尽快答复。")
    assert filed.updates.filter(kind=UpdateKind.URGE).count() == 1
    assert Notification.objects.filter(recipient=world.lead_handler, subject__contains="催办")
    assert not Notification.objects.filter(
        recipient=world.assist_handler, subject__contains="催办"
    ).exists()
    with pytest.raises(ValidationError, match="请勿重复提交"):
        actions.urge_ticket(actor=world.operator, ticket=filed, content="请尽快答复。")
    actions.supervise_ticket(actor=world.operator, ticket=filed, content="列入督办。")
    assert filed.updates.filter(kind=UpdateKind.SUPERVISE).count() == 1
    assert events("hotline.ticket_urged") == 1
    assert events("hotline.ticket_supervised") == 1


def test_a_received_ticket_cannot_be_urged(world):
    with pytest.raises(ValidationError):
        actions.urge_ticket(actor=world.operator, ticket=ticket(world), content="催办")
    assert not TicketUpdate.objects.exists()


# ---- 回访 ---------------------------------------------------------------------------------


def test_an_unsatisfied_revisit_reopens_with_a_fresh_clock(world):
    filed = answered(world, type=TicketType.ENQUIRY)
    actions.revisit_ticket(
        actor=world.operator,
        ticket=filed,
        satisfaction=Satisfaction.UNSATISFIED,
        note="路灯仍不亮",
    )
    filed.refresh_from_db()
    assert filed.status == TicketStatus.HANDLING
    assert filed.reopen_count == 1
    assert filed.satisfaction == Satisfaction.UNSATISFIED
    assert filed.finished_at is None
    assert timezone.localdate(filed.started_at) == timezone.localdate()
    assert filed.limit_working_days == 3
    assert timezone.localdate(filed.due_at) == calendar.add_working_days(timezone.localdate(), 3)
    lead = Assignment.objects.get(ticket=filed, role=AssignmentRole.LEAD)
    assert lead.status == AssignmentStatus.ACCEPTED
    assert filed.updates.filter(kind=UpdateKind.REOPEN, public=True).exists()
    assert filed.updates.get(kind=UpdateKind.REVISIT).satisfaction == Satisfaction.UNSATISFIED
    assert Notification.objects.filter(recipient=world.lead_handler, subject__contains="重办")
    assert events("hotline.ticket_reopened") == 1
    with pytest.raises(ValidationError, match="只有已答复待回访"):
        actions.revisit_ticket(
            actor=world.operator, ticket=filed, satisfaction=Satisfaction.SATISFIED
        )


@pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASICALLY])
def test_a_satisfied_revisit_closes(world, satisfaction):
    filed = answered(world)
    actions.revisit_ticket(actor=world.operator, ticket=filed, satisfaction=satisfaction)
    filed.refresh_from_db()
    assert filed.status == TicketStatus.CLOSED
    assert filed.closed_at is not None
    assert filed.finished_at == filed.answered_at
    assert events("hotline.ticket_closed") == 1
    with pytest.raises(ValidationError):
        actions.revisit_ticket(actor=world.operator, ticket=filed, satisfaction=satisfaction)
    assert events("hotline.ticket_closed") == 1


def test_an_unanswered_ticket_cannot_be_revisited(world):
    filed = dispatched(world)
    with pytest.raises(ValidationError):
        actions.revisit_ticket(
            actor=world.operator, ticket=filed, satisfaction=Satisfaction.SATISFIED
        )
    assert not filed.updates.filter(kind=UpdateKind.REVISIT).exists()


# ---- 公开 ---------------------------------------------------------------------------------


def test_publishing_an_answered_letter(world):
    box = MailBox.objects.create(
        slug="mayor", title="市长信箱", organisation=world.centre, division=world.city
    )
    letter = answered(world, channel=Channel.MAILBOX, mailbox=box)
    with pytest.raises(ValidationError):
        actions.publish_letter(actor=world.operator, ticket=letter, title="", content="", reply="")
    actions.publish_letter(
        actor=world.operator,
        ticket=letter,
        title="关于路灯维修",
        content="某小区路灯不亮。",
        reply="已修复。",
    )
    letter.refresh_from_db()
    assert letter.published_at is not None
    assert letter.published_title == "关于路灯维修"
    with pytest.raises(ValidationError, match="已经公开"):
        actions.publish_letter(
            actor=world.operator, ticket=letter, title="再次", content="再次", reply="再次"
        )
    assert events("hotline.letter_published") == 1


def test_unpublishing_a_letter_takes_it_off_the_portal_and_is_audited(world):
    box = MailBox.objects.create(
        slug="mayor", title="市长信箱", organisation=world.centre, division=world.city
    )
    letter = answered(world, channel=Channel.MAILBOX, mailbox=box)
    with pytest.raises(ValidationError, match="未公开"):
        actions.unpublish_letter(actor=world.operator, ticket=letter, reason="误操作")
    actions.publish_letter(
        actor=world.operator,
        ticket=letter,
        title="关于路灯",
        content="路灯不亮。",
        reply="已修复。",
    )
    with pytest.raises(PermissionDenied):
        actions.unpublish_letter(actor=world.lead_handler, ticket=letter, reason="误操作")
    with pytest.raises(ValidationError):
        actions.unpublish_letter(actor=world.operator, ticket=letter, reason="  ")
    actions.unpublish_letter(actor=world.operator, ticket=letter, reason="答复内容含有个人信息")
    letter.refresh_from_db()
    assert letter.published_at is None
    assert letter.published_title == "关于路灯"  # kept, internal, for a later publication
    note = TicketUpdate.objects.filter(ticket=letter, kind=UpdateKind.NOTE).last()
    assert "撤销公开" in note.content and "答复内容含有个人信息" in note.content
    assert note.public is False
    assert events("hotline.letter_unpublished") == 1
    event = AuditEvent.objects.get(action="hotline.letter_unpublished")
    assert event.detail["reason"] == "答复内容含有个人信息"
    with pytest.raises(ValidationError, match="未公开"):
        actions.unpublish_letter(actor=world.operator, ticket=letter, reason="再次")
    assert events("hotline.letter_unpublished") == 1
    # It can be published again.
    actions.publish_letter(
        actor=world.operator,
        ticket=letter,
        title="关于路灯",
        content="路灯不亮。",
        reply="已修复。",
    )
    letter.refresh_from_db()
    assert letter.published_at is not None


def test_only_answered_letters_are_published(world):
    with pytest.raises(ValidationError):
        actions.publish_letter(
            actor=world.operator, ticket=answered(world), title="t", content="c", reply="r"
        )
    assert not Ticket.objects.filter(published_at__isnull=False).exists()


def test_dispatch_starts_a_clock_intake_did_not_start(world):
    filed = ticket(world, started=None, type=TicketType.HELP)
    actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.lead_org)
    filed.refresh_from_db()
    assert filed.started_at == filed.created_at
    assert filed.limit_working_days == 3


def test_a_merged_tickets_dispute_cannot_be_decided(world):
    filed = dispatched(world)
    dispute = disputed(world, filed, suggested=world.third_org)
    actions.merge_ticket(actor=world.operator, duplicate=filed, master=ticket(world))
    with pytest.raises(ValidationError):
        actions.decide_dispute(actor=world.operator, dispute=dispute, approve=True)
    assert not Assignment.objects.filter(ticket=filed, organisation=world.third_org).exists()
