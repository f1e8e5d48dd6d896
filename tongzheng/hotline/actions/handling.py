"""承办单位: what a handling department does with a ticket dispatched to it.

- ``accept`` (签收) a pending assignment; the lead's signature puts the ticket in 办理中;
- ``add_note`` (办理记录): an internal note, never shown to the reporter;
- ``submit_opinion`` (协办意见): an assisting unit's contribution to the lead;
- ``reply`` (答复): the lead's answer to the reporter, with up to three files (checked as
  at intake); the ticket is answered and its clock stops (late when after ``due_at``);
- ``request_extension`` (延期申请): the lead asks the centre for more working days, only
  before the deadline and one pending request at a time;
- ``dispute`` (派单异议): the department says the ticket is not its business, with reasons
  and optionally the organisation it thinks is right; the centre reviews it.

Each action is one transaction with the permission check, the state check on rows locked
with ``select_for_update`` (ticket first, then assignment: the same order everywhere, so two
actions on one ticket queue instead of deadlocking, and a double submission finds the state
already changed), one ``TicketUpdate`` and one audit record. A move the state does not allow
raises ``ValidationError`` with a Chinese message and the code ``invalid_state``; bad input
raises it with the code ``invalid``. Nothing is written in either case.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import require_permission
from tongzheng.core.timed import CLOCK_FIELDS
from tongzheng.hotline.actions.intake import checked_uploads, remove_files, store_attachments
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DecisionStatus,
    Dispute,
    ExtensionRequest,
    Ticket,
    TicketStatus,
    TicketUpdate,
    UpdateKind,
)

HANDLE = "hotline.handle_ticket"
INVALID_STATE = "invalid_state"
MAX_TEXT = 5000
MAX_EXTENSION_DAYS = 60

# A department works on a ticket only while the centre has it out for handling.
WORKABLE_TICKET_STATUSES = (TicketStatus.DISPATCHED, TicketStatus.HANDLING)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code=INVALID_STATE)


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}}, code="invalid")
    if len(value) > MAX_TEXT:
        raise ValidationError(
            {field: _("%(label)s不能超过%(max)s个字。") % {"label": label, "max": MAX_TEXT}},
            code="invalid",
        )
    return value


def _lock(actor, assignment: Assignment) -> tuple[Ticket, Assignment]:
    """Lock the ticket then the assignment; check the actor's department owns it."""
    require_permission(actor, HANDLE)
    ticket = Ticket.objects.select_for_update().get(pk=assignment.ticket_id)
    locked = (
        Assignment.objects.for_user(actor, HANDLE)
        .select_for_update(of=("self",))
        .filter(pk=assignment.pk)
    ).first()
    if locked is None:
        raise PermissionDenied(_("该派单不属于您的单位。"))
    # The clean rows, not the caller's (possibly redacted) copy, are the ones we save.
    locked.ticket = ticket
    return ticket, locked


def _require_workable(ticket: Ticket) -> None:
    if ticket.status not in WORKABLE_TICKET_STATUSES:
        raise _refuse(
            _("工单当前状态为“%(status)s”，承办单位不能办理。")
            % {"status": ticket.get_status_display()}
        )


def _require_status(assignment: Assignment, *allowed: str, doing: str) -> None:
    if assignment.status not in allowed:
        raise _refuse(
            _("派单当前状态为“%(status)s”，不能%(doing)s。")
            % {"status": assignment.get_status_display(), "doing": doing}
        )


def _update(ticket, kind, content, *, actor, public=False) -> TicketUpdate:
    return TicketUpdate.objects.create(
        ticket=ticket,
        kind=kind,
        content=content,
        public=public,
        actor=actor,
        organisation_id=actor.organisation_id,
    )


def _audit(actor, action: str, assignment: Assignment, request, **detail) -> None:
    record_event(
        actor=actor,
        action=action,
        target=assignment.ticket,
        request=request,
        detail={"assignment": assignment.pk, "role": assignment.role, **detail},
    )


def accept(*, actor, assignment: Assignment, request=None) -> Assignment:
    """签收: pending → accepted; the lead's signature puts the ticket in 办理中."""
    with transaction.atomic():
        ticket, assignment = _lock(actor, assignment)
        _require_workable(ticket)
        _require_status(assignment, AssignmentStatus.PENDING, doing=_("签收"))
        now = timezone.now()
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.accepted_at = now
        assignment.save(update_fields=["status", "accepted_at"])
        if assignment.role == AssignmentRole.LEAD and ticket.status == TicketStatus.DISPATCHED:
            ticket.status = TicketStatus.HANDLING
            ticket.save(update_fields=["status", "updated_at"])
        _update(
            ticket,
            UpdateKind.NOTE,
            _("%(organisation)s已签收（%(role)s）。")
            % {"organisation": assignment.organisation.name, "role": assignment.get_role_display()},
            actor=actor,
        )
        _audit(actor, "hotline.assignment_accepted", assignment, request)
    return assignment


def add_note(*, actor, assignment: Assignment, content: str, request=None) -> TicketUpdate:
    """办理记录: an internal note of the department's work (not shown to the reporter)."""
    content = _text(content, "content", _("办理记录"))
    with transaction.atomic():
        ticket, assignment = _lock(actor, assignment)
        _require_workable(ticket)
        _require_status(
            assignment,
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.REPLIED,
            doing=_("填写办理记录"),
        )
        update = _update(ticket, UpdateKind.NOTE, content, actor=actor)
        _audit(actor, "hotline.note_added", assignment, request, update=update.pk)
    return update


def _record_reply(assignment: Assignment, content: str, actor, now) -> None:
    """The assignment's answer (答复 of the lead, 协办意见 of an assisting unit): replied."""
    assignment.reply = content
    assignment.replied_at = now
    assignment.replied_by = actor
    assignment.status = AssignmentStatus.REPLIED
    assignment.save(update_fields=["reply", "replied_at", "replied_by", "status"])


def submit_opinion(*, actor, assignment: Assignment, content: str, request=None) -> Assignment:
    """协办意见: an assisting unit's contribution, for the lead to use in its answer."""
    content = _text(content, "content", _("协办意见"))
    with transaction.atomic():
        ticket, assignment = _lock(actor, assignment)
        if assignment.role != AssignmentRole.ASSIST:
            raise _refuse(_("主办单位请直接答复反映人。"))
        _require_workable(ticket)
        _require_status(assignment, AssignmentStatus.ACCEPTED, doing=_("提交协办意见"))
        _record_reply(assignment, content, actor, timezone.now())
        update = _update(
            ticket,
            UpdateKind.NOTE,
            _("协办意见（%(organisation)s）：%(content)s")
            % {"organisation": assignment.organisation.name, "content": content},
            actor=actor,
        )
        _audit(actor, "hotline.opinion_submitted", assignment, request, update=update.pk)
    return assignment


def reply(
    *, actor, assignment: Assignment, content: str, attachments=None, request=None
) -> TicketUpdate:
    """答复: the lead answers the reporter; the ticket is answered and its clock stops.

    ``attachments``: up to three files (e.g. a photo of the repair, the signed reply letter),
    checked as at intake and linked to the reply's update, so the reporter sees them.
    """
    content = _text(content, "content", _("答复内容"))
    checked = checked_uploads(attachments)
    stored = []
    try:
        with transaction.atomic():
            return _reply(actor, assignment, content, checked, stored, request)
    except BaseException:
        # The rows roll back with the transaction; the files on disk do not.
        remove_files(stored)
        raise


def _reply(actor, assignment, content, checked, stored, request) -> TicketUpdate:
    ticket, assignment = _lock(actor, assignment)
    if assignment.role != AssignmentRole.LEAD:
        raise _refuse(_("只有主办单位可以答复反映人，协办单位请提交协办意见。"))
    _require_workable(ticket)
    _require_status(assignment, AssignmentStatus.ACCEPTED, doing=_("答复"))
    now = timezone.now()
    _record_reply(assignment, content, actor, now)
    ticket.status = TicketStatus.ANSWERED
    ticket.answered_at = now
    fields = ["status", "answered_at", "updated_at"]
    # A reopened ticket may come back with its clock already stopped by the first
    # answer; the centre restarts it when it reopens, so only a running clock stops here.
    if ticket.started_at is not None and ticket.finished_at is None:
        ticket.finish(now)
        fields += list(CLOCK_FIELDS)
    ticket.save(update_fields=fields)
    update = _update(ticket, UpdateKind.REPLY, content, actor=actor, public=True)
    store_attachments(ticket, checked, update=update, into=stored)
    _audit(
        actor,
        "hotline.ticket_answered",
        assignment,
        request,
        update=update.pk,
        late=bool(ticket.finished_late),
        attachments=len(stored),
    )
    return update


def request_extension(
    *, actor, assignment: Assignment, working_days: int, reason: str, request=None
) -> ExtensionRequest:
    """延期申请: only the lead, only before the deadline, one pending request at a time."""
    reason = _text(reason, "reason", _("延期理由"))
    if not isinstance(working_days, int) or not 0 < working_days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {
                "working_days": _("延长的工作日数应为1到%(max)s之间的整数。")
                % {"max": MAX_EXTENSION_DAYS}
            },
            code="invalid",
        )
    with transaction.atomic():
        ticket, assignment = _lock(actor, assignment)
        if assignment.role != AssignmentRole.LEAD:
            raise _refuse(_("只有主办单位可以申请延期。"))
        _require_workable(ticket)
        _require_status(assignment, AssignmentStatus.ACCEPTED, doing=_("申请延期"))
        if ticket.due_at is None or ticket.finished_at is not None:
            raise _refuse(_("工单没有正在计时的办理时限，无需延期。"))
        if timezone.now() > ticket.due_at:
            raise _refuse(_("已超过办理时限，延期须在截止时间之前申请。"))
        if ExtensionRequest.objects.filter(ticket=ticket, status=DecisionStatus.PENDING).exists():
            raise _refuse(_("已有一份延期申请正在审核，请等待热线中心的决定。"))
        extension = ExtensionRequest.objects.create(
            ticket=ticket,
            organisation=assignment.organisation,
            working_days=working_days,
            reason=reason,
            requested_by=actor,
        )
        _update(
            ticket,
            UpdateKind.EXTENSION,
            _("申请延期%(days)s个工作日：%(reason)s") % {"days": working_days, "reason": reason},
            actor=actor,
        )
        _audit(
            actor,
            "hotline.extension_requested",
            assignment,
            request,
            extension=extension.pk,
            working_days=working_days,
        )
    return extension


def dispute(
    *, actor, assignment: Assignment, reason: str, suggested_organisation=None, request=None
) -> Dispute:
    """派单异议: before answering, the department disputes the dispatch; the centre reviews."""
    reason = _text(reason, "reason", _("异议理由"))
    if (
        suggested_organisation is not None
        and suggested_organisation.pk == assignment.organisation_id
    ):
        raise ValidationError(
            {"suggested_organisation": _("建议承办单位不能是本单位。")}, code="invalid"
        )
    with transaction.atomic():
        ticket, assignment = _lock(actor, assignment)
        _require_workable(ticket)
        _require_status(
            assignment, AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, doing=_("提出派单异议")
        )
        found = Dispute.objects.create(
            assignment=assignment,
            reason=reason,
            suggested_organisation=suggested_organisation,
            raised_by=actor,
        )
        assignment.status = AssignmentStatus.DISPUTED
        assignment.save(update_fields=["status"])
        suggestion = (
            _("；建议改派%(organisation)s") % {"organisation": suggested_organisation.name}
            if suggested_organisation
            else ""
        )
        _update(
            ticket,
            UpdateKind.NOTE,
            _("派单异议（%(organisation)s）：%(reason)s%(suggestion)s")
            % {
                "organisation": assignment.organisation.name,
                "reason": reason,
                "suggestion": suggestion,
            },
            actor=actor,
        )
        _audit(
            actor,
            "hotline.dispatch_disputed",
            assignment,
            request,
            dispute=found.pk,
            suggested_organisation=getattr(suggested_organisation, "pk", None),
        )
    return found
