"""Writes of the hotline centre (热线中心): dispatch to revisit.

Every action takes a keyword-only ``actor`` holding ``hotline.dispatch_ticket``, runs in
one transaction, re-reads the rows it changes with ``select_for_update`` and checks the
state on the locked row (so a double submit finds the work already done and is refused),
writes one ``TicketUpdate`` and one audit record. An illegal move raises
``ValidationError`` with a Chinese message and writes nothing.

State machine of a ticket as the centre moves it (handling departments move
dispatched → handling → answered through ``actions.handling``)::

    received ──派单──▶ dispatched ──(签收)──▶ handling ──(答复)──▶ answered
       │                   ▲  │                 │                    │
       │不予受理           └──┘改派 / 撤回       │                    │回访
       ▼                                                         满意 ▼  不满意
    not_accepted      any open, unanswered ──合并──▶ merged    closed   handling (重办)
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzheng.audit.actions import record_event
from tongzheng.core.access import DataScope, has_permission, require_permission, scope_for
from tongzheng.core.models import Organisation, OrganisationKind
from tongzheng.core.notifications import notify
from tongzheng.core.timed import CLOCK_FIELDS
from tongzheng.hotline import pagecache
from tongzheng.hotline.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Channel,
    DecisionStatus,
    DispatchRule,
    Dispute,
    ExtensionRequest,
    Satisfaction,
    Ticket,
    TicketStatus,
    TicketUpdate,
    UpdateKind,
    limit_for,
)
from tongzheng.supervision import public as supervision
from tongzheng.supervision.public import DISPATCH_OVERDUE, Urge, UrgeLevel

DISPATCH = "hotline.dispatch_ticket"
HANDLE = "hotline.handle_ticket"

# 不予受理 grounds. A 12310 report may be refused only on the four grounds of DOMAIN.md §2;
# other channels on the general ones.
NOT_ACCEPTED_GROUNDS_12310 = (
    ("litigation", gettext_lazy("应通过诉讼、仲裁、行政复议解决的事项")),
    ("personal", gettext_lazy("个人安置、待遇问题")),
    ("repeated", gettext_lazy("无新情况、新证据的重复举报")),
    ("disclosure", gettext_lazy("政府信息公开申请和一般咨询")),
)
NOT_ACCEPTED_GROUNDS = (
    ("out_of_scope", gettext_lazy("不属于政务服务便民热线受理范围")),
    ("no_content", gettext_lazy("诉求内容不清、无法办理")),
    ("legal_process", gettext_lazy("已进入诉讼、仲裁、行政复议等法定程序")),
    ("harassment", gettext_lazy("恶意骚扰或无实质内容")),
)

# A 催办 / 督办 with the same text by the same operator within this window is a double
# submit, not a second reminder.
REPEAT_WINDOW = datetime.timedelta(minutes=2)

REVISIT_CLOSES = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


def grounds_for(ticket: Ticket) -> tuple:
    return NOT_ACCEPTED_GROUNDS_12310 if ticket.channel == Channel.R12310 else NOT_ACCEPTED_GROUNDS


# ---- reads the actions need -------------------------------------------------------------


def dispatchable_organisations(actor):
    """承办单位 the actor may dispatch to: active, not internal departments, in its division.

    A centre with the DIVISION_AND_BELOW scope dispatches to the organisations of its own
    division and the divisions below it (a county centre does not task a city bureau).
    """
    organisations = Organisation.objects.filter(is_active=True).exclude(
        kind=OrganisationKind.INTERNAL_DEPARTMENT
    )
    scope = scope_for(actor, DISPATCH)
    if scope is None:
        return organisations.none()
    if scope == DataScope.ALL:
        return organisations
    if actor.organisation is None:
        return organisations.none()
    if scope == DataScope.DIVISION_AND_BELOW:
        return organisations.filter(division_path__startswith=actor.organisation.division_path)
    return organisations.filter(path__startswith=actor.organisation.path)


def dispatch_rule_for(ticket: Ticket) -> DispatchRule | None:
    """The most specific active 派单规则 for the ticket's subject and place.

    Longest matching division path wins; a rule without a division applies everywhere.
    A suggestion only: the operator always chooses the organisation.
    """
    if ticket.subject_id is None:
        return None
    rules = DispatchRule.objects.filter(subject_id=ticket.subject_id, active=True).select_related(
        "organisation"
    )
    path = ticket.division_path or ""
    matching = [rule for rule in rules if path.startswith(rule.division_path or "")]
    if not matching:
        return None
    return max(matching, key=lambda rule: len(rule.division_path or ""))


def handlers_of(organisation_id: int) -> list:
    """The active staff of an organisation who hold ``hotline.handle_ticket``."""
    users = (
        get_user_model()
        .objects.filter(organisation_id=organisation_id, is_active=True)
        .prefetch_related("roles")
    )
    return [user for user in users if has_permission(user, HANDLE)]


# ---- helpers ----------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    """The ticket's row, locked for this transaction (never the possibly redacted copy)."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _require_status(ticket: Ticket, allowed, message: str) -> None:
    if ticket.status not in allowed:
        raise ValidationError(message)


def _active_assignments(ticket: Ticket):
    return Assignment.objects.select_for_update().filter(
        ticket=ticket, status__in=ACTIVE_ASSIGNMENT_STATUSES
    )


def _check_organisations(actor, lead, assisting) -> list:
    assisting = list(dict.fromkeys(assisting or ()))
    if lead is None:
        raise ValidationError({"lead": _("请选择主办单位。")})
    if lead in assisting:
        raise ValidationError({"assisting": _("主办单位不能同时作为协办单位。")})
    allowed = set(
        dispatchable_organisations(actor)
        .filter(pk__in=[lead.pk, *[o.pk for o in assisting]])
        .values_list("pk", flat=True)
    )
    if lead.pk not in allowed:
        raise ValidationError({"lead": _("不能派单给该单位。")})
    if any(o.pk not in allowed for o in assisting):
        raise ValidationError({"assisting": _("不能派单给所选的协办单位。")})
    return assisting


def _start_clock(ticket: Ticket) -> None:
    """The ticket's clock runs from 受理 (created_at) with the limit of its type and urgency."""
    if ticket.started_at is None:
        ticket.start(ticket.created_at, limit_for(ticket.type, ticket.urgency))


def _create_assignments(actor, ticket, lead, assisting, instructions) -> list[Assignment]:
    rows = [
        Assignment.objects.create(
            ticket=ticket,
            organisation=lead,
            role=AssignmentRole.LEAD,
            instructions=instructions,
            dispatched_by=actor,
        )
    ]
    rows += [
        Assignment.objects.create(
            ticket=ticket,
            organisation=organisation,
            role=AssignmentRole.ASSIST,
            instructions=instructions,
            dispatched_by=actor,
        )
        for organisation in assisting
    ]
    for row in rows:
        _notify_assigned(ticket, row)
    return rows


def _notify_assigned(ticket: Ticket, assignment: Assignment) -> None:
    """新派单: the handlers of a department that was just given a part are told."""
    notify_handlers(
        assignment.organisation_id,
        ticket,
        _("新派单（%(role)s）：工单 %(number)s")
        % {"role": assignment.get_role_display(), "number": ticket.number},
        assignment.instructions or _("请及时签收办理。"),
    )


def _dispatch_text(lead, assisting, instructions) -> str:
    text = _("主办：%(lead)s") % {"lead": lead.name}
    if assisting:
        text += _("；协办：%(assisting)s") % {"assisting": "、".join(o.name for o in assisting)}
    if instructions:
        text += _("。派单意见：%(instructions)s") % {"instructions": instructions}
    return text


def notify_handlers(organisation_id, ticket, subject, body, handlers=None) -> int:
    """Notify the handlers of an organisation about a ticket; how many were told.

    ``handlers``: the organisation's handlers when the caller already has them (a
    follow-up run looks each organisation up once, not once a ticket).
    """
    recipients = handlers_of(organisation_id) if handlers is None else handlers
    for user in recipients:
        notify(recipient=user, subject=subject, body=body, about=ticket)
    return len(recipients)


def _notify_account(ticket, subject, body) -> None:
    if ticket.account_id is not None:
        notify(recipient=ticket.account, subject=subject, body=body, about=ticket)


# ---- 派单 / 改派 / 撤回 ------------------------------------------------------------------


def dispatch_ticket(
    *,
    actor,
    ticket: Ticket,
    lead: Organisation,
    assisting=(),
    instructions: str = "",
    request=None,
) -> Ticket:
    """派单: one lead (主办) and any assisting (协办) organisations; status dispatched."""
    require_permission(actor, DISPATCH)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_status(ticket, (TicketStatus.RECEIVED,), _("只有待派单的工单才能派单。"))
        assisting = _check_organisations(actor, lead, assisting)
        assignments = _create_assignments(actor, ticket, lead, assisting, instructions)
        now = timezone.now()
        if ticket.dispatch_overdue_at(now):
            warn_dispatch_overdue(ticket, now, actor=actor)
        ticket.status = TicketStatus.DISPATCHED
        ticket.organisation = lead
        ticket.dispatched_at = now
        _start_clock(ticket)
        ticket.save(
            update_fields=["status", "organisation", "dispatched_at", "updated_at", *CLOCK_FIELDS]
        )
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.DISPATCH,
            content=_dispatch_text(lead, assisting, instructions),
            public=False,
            actor=actor,
            organisation=lead,
        )
        record_event(
            actor=actor,
            action="hotline.ticket_dispatched",
            target=ticket,
            request=request,
            detail={
                "lead": lead.pk,
                "assisting": [o.pk for o in assisting],
                "assignments": [a.pk for a in assignments],
            },
        )
    return ticket


def _withdraw(assignment: Assignment) -> None:
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.save(update_fields=["status"])


def withdraw_assignment(*, actor, assignment: Assignment, reason: str, request=None) -> Assignment:
    """撤回 one department's part. Withdrawing the lead returns the ticket to 待派单."""
    require_permission(actor, DISPATCH)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤回理由。")})
    with transaction.atomic():
        ticket = _locked(assignment.ticket)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        _require_status(
            ticket,
            (TicketStatus.DISPATCHED, TicketStatus.HANDLING),
            _("工单当前状态不能撤回派单。"),
        )
        if assignment.status not in ACTIVE_ASSIGNMENT_STATUSES:
            raise ValidationError(_("该派单已经撤回。"))
        _withdraw(assignment)
        fields = ["updated_at"]
        if assignment.role == AssignmentRole.LEAD:
            # The assisting units worked for the lead; without one they wait for the next
            # dispatch, which names its own assisting units.
            for other in _active_assignments(ticket):
                _withdraw(other)
            ticket.status = TicketStatus.RECEIVED
            ticket.organisation = None
            fields += ["status", "organisation"]
        ticket.save(update_fields=fields)
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.DISPATCH,
            content=_("撤回 %(organisation)s 的%(role)s：%(reason)s")
            % {
                "organisation": assignment.organisation.name,
                "role": assignment.get_role_display(),
                "reason": reason,
            },
            public=False,
            actor=actor,
            organisation=assignment.organisation,
        )
        record_event(
            actor=actor,
            action="hotline.assignment_withdrawn",
            target=ticket,
            request=request,
            detail={"assignment": assignment.pk, "role": assignment.role, "reason": reason},
        )
    return assignment


def redispatch_ticket(
    *,
    actor,
    ticket: Ticket,
    lead: Organisation,
    assisting=(),
    instructions: str = "",
    reason: str,
    request=None,
) -> Ticket:
    """改派: withdraw every active assignment and dispatch anew; the clock keeps running."""
    require_permission(actor, DISPATCH)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写改派理由。")})
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_status(
            ticket,
            (TicketStatus.DISPATCHED, TicketStatus.HANDLING),
            _("只有已派单或办理中的工单才能改派。"),
        )
        assisting = _check_organisations(actor, lead, assisting)
        withdrawn = []
        for assignment in _active_assignments(ticket):
            _withdraw(assignment)
            withdrawn.append(assignment.pk)
        assignments = _create_assignments(actor, ticket, lead, assisting, instructions)
        ticket.status = TicketStatus.DISPATCHED
        ticket.organisation = lead
        ticket.dispatched_at = timezone.now()
        ticket.save(update_fields=["status", "organisation", "dispatched_at", "updated_at"])
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.DISPATCH,
            content=_("改派（%(reason)s）。") % {"reason": reason}
            + _dispatch_text(lead, assisting, instructions),
            public=False,
            actor=actor,
            organisation=lead,
        )
        record_event(
            actor=actor,
            action="hotline.ticket_redispatched",
            target=ticket,
            request=request,
            detail={
                "withdrawn": withdrawn,
                "lead": lead.pk,
                "assisting": [o.pk for o in assisting],
                "assignments": [a.pk for a in assignments],
                "reason": reason,
            },
        )
    return ticket


# ---- 不予受理 -----------------------------------------------------------------------------


def mark_not_accepted(
    *, actor, ticket: Ticket, ground: str, reason: str = "", request=None
) -> Ticket:
    """不予受理: a received ticket is refused on one of the grounds (12310: DOMAIN.md §2)."""
    require_permission(actor, DISPATCH)
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_status(ticket, (TicketStatus.RECEIVED,), _("只有待派单的工单才能不予受理。"))
        grounds = dict(grounds_for(ticket))
        if ground not in grounds:
            raise ValidationError({"ground": _("请选择不予受理的理由。")})
        text = str(grounds[ground])
        if reason.strip():
            text = f"{text}：{reason.strip()}"
        now = timezone.now()
        ticket.status = TicketStatus.NOT_ACCEPTED
        ticket.not_accepted_reason = text[:200]
        _start_clock(ticket)
        ticket.finish(now)
        ticket.save(update_fields=["status", "not_accepted_reason", "updated_at", *CLOCK_FIELDS])
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.CLOSE,
            content=_("不予受理：%(reason)s") % {"reason": ticket.not_accepted_reason},
            public=True,
            actor=actor,
        )
        _notify_account(
            ticket,
            _("工单 %(number)s 不予受理") % {"number": ticket.number},
            ticket.not_accepted_reason,
        )
        record_event(
            actor=actor,
            action="hotline.ticket_not_accepted",
            target=ticket,
            request=request,
            detail={"ground": ground, "reason": ticket.not_accepted_reason},
        )
    return ticket


# ---- 合并 ---------------------------------------------------------------------------------


def _merged_text(master: Ticket) -> str:
    return _("您反映的问题与工单 %(number)s 为同一事项，已合并办理，办理结果将一并告知。") % {
        "number": master.number
    }


def merge_ticket(*, actor, duplicate: Ticket, master: Ticket, request=None) -> Ticket:
    """合并: a duplicate follows its master; every reporter concerned is told.

    The duplicate's active assignments are withdrawn, its clock finishes, and tickets
    already merged into it move to the master (one level of 合并, never a chain). Each
    merged ticket gets a public update and, when it was filed from an account, a
    notification.
    """
    require_permission(actor, DISPATCH)
    if duplicate.pk == master.pk:
        raise ValidationError({"master": _("不能把工单合并到它自己。")})
    with transaction.atomic():
        # Lock both rows in primary-key order, so two opposite merges cannot deadlock.
        locked = {
            t.pk: t
            for t in Ticket.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, master.pk])
            .order_by("pk")
        }
        duplicate, master = locked[duplicate.pk], locked[master.pk]
        _require_status(
            duplicate,
            (TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.HANDLING),
            _("已答复、已办结、已合并或不予受理的工单不能再合并。"),
        )
        if master.status in (TicketStatus.MERGED, TicketStatus.NOT_ACCEPTED):
            raise ValidationError({"master": _("主工单已合并或不予受理，不能作为合并目标。")})
        now = timezone.now()
        withdrawn = []
        for assignment in _active_assignments(duplicate):
            _withdraw(assignment)
            withdrawn.append(assignment.pk)
        followers = list(Ticket.objects.select_for_update().filter(duplicate_of=duplicate))
        merged = [duplicate, *followers]
        duplicate.status = TicketStatus.MERGED
        duplicate.duplicate_of = master
        _start_clock(duplicate)
        duplicate.finish(now)
        duplicate.save(update_fields=["status", "duplicate_of", "updated_at", *CLOCK_FIELDS])
        for follower in followers:
            follower.duplicate_of = master
            follower.save(update_fields=["duplicate_of", "updated_at"])
        for ticket in merged:
            TicketUpdate.objects.create(
                ticket=ticket,
                kind=UpdateKind.MERGE,
                content=_merged_text(master),
                public=True,
                actor=actor,
            )
            _notify_account(
                ticket,
                _("工单 %(number)s 已合并办理") % {"number": ticket.number},
                _merged_text(master),
            )
        TicketUpdate.objects.create(
            ticket=master,
            kind=UpdateKind.MERGE,
            content=_("合并重复工单：%(numbers)s")
            % {"numbers": "、".join(t.number for t in merged)},
            public=False,
            actor=actor,
        )
        record_event(
            actor=actor,
            action="hotline.ticket_merged",
            target=duplicate,
            request=request,
            detail={
                "master": master.number,
                "merged": [t.number for t in merged],
                "withdrawn": withdrawn,
            },
        )
    return duplicate


# ---- 派单异议 ------------------------------------------------------------------------------


def decide_dispute(
    *,
    actor,
    dispute: Dispute,
    approve: bool,
    note: str = "",
    organisation: Organisation | None = None,
    request=None,
) -> Dispute:
    """审核派单异议. Approve: withdraw the disputed assignment and redispatch its part to
    ``organisation`` (default: the one the department suggested). Reject: the assignment
    returns to the status it had (签收 or not)."""
    require_permission(actor, DISPATCH)
    with transaction.atomic():
        ticket = _locked(dispute.assignment.ticket)
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        assignment = Assignment.objects.select_for_update().get(pk=dispute.assignment_id)
        if dispute.status != DecisionStatus.PENDING:
            raise ValidationError(_("该派单异议已经审核，不能重复审核。"))
        if assignment.status != AssignmentStatus.DISPUTED:
            raise ValidationError(_("该派单已不在异议状态。"))
        _require_status(
            ticket,
            (TicketStatus.DISPATCHED, TicketStatus.HANDLING),
            _("工单已不在办理中，不能审核派单异议。"),
        )
        now = timezone.now()
        detail = {"dispute": dispute.pk, "assignment": assignment.pk, "approve": approve}
        if approve:
            target = organisation or dispute.suggested_organisation
            if target is None:
                raise ValidationError({"organisation": _("同意异议时必须选择新的承办单位。")})
            if target.pk == assignment.organisation_id:
                raise ValidationError({"organisation": _("新的承办单位不能是提出异议的单位。")})
            _check_organisations(actor, target, ())
            _withdraw(assignment)
            # The new unit may already assist: its part becomes the disputed one.
            for other in _active_assignments(ticket).filter(organisation=target):
                _withdraw(other)
            new = Assignment.objects.create(
                ticket=ticket,
                organisation=target,
                role=assignment.role,
                instructions=assignment.instructions,
                dispatched_by=actor,
            )
            _notify_assigned(ticket, new)
            if assignment.role == AssignmentRole.LEAD:
                ticket.organisation = target
                ticket.status = TicketStatus.DISPATCHED
                ticket.dispatched_at = now
                ticket.save(update_fields=["organisation", "status", "dispatched_at", "updated_at"])
            content = _("同意 %(from)s 的派单异议，改派 %(to)s%(role)s。") % {
                "from": assignment.organisation.name,
                "to": target.name,
                "role": assignment.get_role_display(),
            }
            detail.update(new_assignment=new.pk, organisation=target.pk)
        else:
            assignment.status = (
                AssignmentStatus.ACCEPTED if assignment.accepted_at else AssignmentStatus.PENDING
            )
            assignment.save(update_fields=["status"])
            content = _("不同意 %(from)s 的派单异议，由其继续办理。") % {
                "from": assignment.organisation.name
            }
        if note:
            content += _("审核意见：%(note)s") % {"note": note}
        dispute.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        dispute.decided_by = actor
        dispute.decided_at = now
        dispute.decision_note = note
        dispute.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.DISPATCH,
            content=content,
            public=False,
            actor=actor,
            organisation=assignment.organisation,
        )
        notify(
            recipient=dispute.raised_by,
            subject=_("工单 %(number)s 派单异议审核结果") % {"number": ticket.number},
            body=content,
            about=ticket,
        )
        record_event(
            actor=actor,
            action="hotline.dispute_decided",
            target=ticket,
            request=request,
            detail=detail,
        )
    return dispute


# ---- 延期 ---------------------------------------------------------------------------------


def decide_extension(
    *, actor, extension: ExtensionRequest, approve: bool, note: str = "", request=None
) -> ExtensionRequest:
    """审核延期申请. Approve lengthens the ticket's limit by the working days asked for;
    only a request made before the deadline can be approved."""
    require_permission(actor, DISPATCH)
    with transaction.atomic():
        ticket = _locked(extension.ticket)
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        if extension.status != DecisionStatus.PENDING:
            raise ValidationError(_("该延期申请已经审核，不能重复审核。"))
        detail = {"extension": extension.pk, "approve": approve}
        if approve:
            _require_status(
                ticket,
                (TicketStatus.DISPATCHED, TicketStatus.HANDLING),
                _("只有办理中的工单才能延期。"),
            )
            if ticket.due_at is None or extension.requested_at > ticket.due_at:
                raise ValidationError(_("延期申请须在办理期限届满前提出，该申请已逾期，不能同意。"))
            old_due = ticket.due_at
            ticket.extend(extension.working_days)
            ticket.save(update_fields=["updated_at", *CLOCK_FIELDS])
            content = _("同意延期 %(days)s 个工作日，办理期限至 %(due)s。") % {
                "days": extension.working_days,
                "due": timezone.localtime(ticket.due_at).strftime("%Y-%m-%d"),
            }
            detail.update(old_due=old_due.isoformat(), new_due=ticket.due_at.isoformat())
        else:
            content = _("不同意延期 %(days)s 个工作日。") % {"days": extension.working_days}
        if note:
            content += _("审核意见：%(note)s") % {"note": note}
        extension.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.decision_note = note
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.EXTENSION,
            content=content,
            public=False,
            actor=actor,
            organisation=extension.organisation,
        )
        notify(
            recipient=extension.requested_by,
            subject=_("工单 %(number)s 延期申请审核结果") % {"number": ticket.number},
            body=content,
            about=ticket,
        )
        record_event(
            actor=actor,
            action="hotline.extension_decided",
            target=ticket,
            request=request,
            detail=detail,
        )
    return extension


# ---- 催办 / 督办 ---------------------------------------------------------------------------

UPDATE_KINDS = {UrgeLevel.URGE: UpdateKind.URGE, UrgeLevel.SUPERVISE: UpdateKind.SUPERVISE}


def copy_urge_to_history(urge: Urge, ticket: Ticket) -> TicketUpdate:
    """The ticket history's copy of a supervision ``Urge`` (registered with
    ``supervision.public.copy_urges_of`` in ``HotlineConfig.ready``): every 催办 / 督办 of a
    ticket, pressed here, by ``hotline.followups`` or on supervision's dashboard, shows on
    the ticket page as an internal update."""
    return TicketUpdate.objects.create(
        ticket=ticket,
        kind=UPDATE_KINDS[urge.level],
        content=urge.message,
        public=False,
        actor=urge.urged_by,
        organisation=urge.organisation,
    )


def press(
    ticket: Ticket, *, level: str, content: str, by, subject: str, handlers=None
) -> tuple[Urge, TicketUpdate]:
    """催办 / 督办 a ticket through supervision; the caller holds the row lock.

    The supervision ``Urge`` (``supervision.public.urge``) is the record of truth: it is
    what supervision's pages list and count, with the lead's handlers notified. Its copy in
    the ticket's history (``copy_urge_to_history``) is written by supervision in the same
    transaction. ``by`` None is the system (the automatic 催办 of ``hotline.followups``).
    """
    if handlers is None:
        handlers = handlers_of(ticket.organisation_id)
    urge = supervision.urge(
        task=ticket,
        level=level,
        message=content,
        by=by,
        organisation=ticket.organisation,
        recipients=handlers,
        subject=subject % {"number": ticket.number},
    )
    return urge, urge.task_copy


def _press(*, actor, ticket, level, content, request, action, subject) -> TicketUpdate:
    require_permission(actor, DISPATCH)
    content = content.strip()
    if not content:
        raise ValidationError({"content": _("请填写内容。")})
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_status(
            ticket,
            (TicketStatus.DISPATCHED, TicketStatus.HANDLING),
            _("只有已派单或办理中的工单才能催办或督办。"),
        )
        repeated = TicketUpdate.objects.filter(
            ticket=ticket,
            kind=UPDATE_KINDS[level],
            actor=actor,
            content=content,
            created_at__gte=timezone.now() - REPEAT_WINDOW,
        ).exists()
        if repeated:
            raise ValidationError(_("相同内容刚刚已经发出，请勿重复提交。"))
        urge, update = press(ticket, level=level, content=content, by=actor, subject=subject)
        record_event(
            actor=actor,
            action=action,
            target=ticket,
            request=request,
            detail={
                "update": update.pk,
                "urge": urge.pk,
                "organisation": ticket.organisation_id,
                "notified": urge.notified,
            },
        )
    return update


def urge_ticket(*, actor, ticket: Ticket, content: str, request=None) -> TicketUpdate:
    """催办: remind the lead organisation; its handlers are notified (``press``)."""
    return _press(
        actor=actor,
        ticket=ticket,
        level=UrgeLevel.URGE,
        content=content,
        request=request,
        action="hotline.ticket_urged",
        subject=_("催办：工单 %(number)s"),
    )


def supervise_ticket(*, actor, ticket: Ticket, content: str, request=None) -> TicketUpdate:
    """督办: a formal supervision notice to the lead organisation (``press``)."""
    return _press(
        actor=actor,
        ticket=ticket,
        level=UrgeLevel.SUPERVISE,
        content=content,
        request=request,
        action="hotline.ticket_supervised",
        subject=_("督办：工单 %(number)s"),
    )


# ---- 特急件超时未派单 -------------------------------------------------------------------------


def warn_dispatch_overdue(ticket: Ticket, now, actor=None, organisation=None):
    """预警 "紧急事项超时未派单" about an emergency ticket, once (the caller holds the lock).

    Raised by ``hotline.followups`` while the ticket waits (``organisation``: the centre
    that should dispatch it) and by ``dispatch_ticket`` when the dispatch itself comes
    late between two runs (the dispatcher's organisation). Returns the warning, or None
    when one was already raised.
    """
    if supervision.warnings_for(ticket).filter(kind=DISPATCH_OVERDUE.code).exists():
        return None
    return supervision.raise_warning(
        kind=DISPATCH_OVERDUE.code,
        subject=ticket,
        organisation=organisation or getattr(actor, "organisation", None),
        detail=_("特急工单 %(number)s 于 %(received)s 受理，应于 %(due)s 前派单，%(state)s。")
        % {
            "number": ticket.number,
            "received": timezone.localtime(ticket.created_at).strftime("%Y-%m-%d %H:%M"),
            "due": timezone.localtime(ticket.dispatch_due_at).strftime("%Y-%m-%d %H:%M"),
            "state": _("超时派单") if actor is not None else _("至今未派单"),
        },
        at=now,
        actor=actor,
    )


# ---- 回访 / 办结 / 重办 --------------------------------------------------------------------


def _reopen(ticket: Ticket, now) -> None:
    """重办 restarts the clock: a fresh limit of the type and urgency from the revisit.

    The old start, deadline and pauses are kept in the audit record; the new clock starts
    at the revisit moment, so the department has the full limit again for its new answer.
    """
    ticket.started_at = None
    ticket.finished_at = None
    ticket.paused_since = None
    ticket.paused_working_days = 0
    ticket.due_at = ticket.warning_at = None
    ticket.start(now, limit_for(ticket.type, ticket.urgency))


def revisit_ticket(
    *, actor, ticket: Ticket, satisfaction: str, note: str = "", request=None
) -> Ticket:
    """回访 an answered ticket. 满意 / 基本满意 close it; 不满意 reopens it (重办)."""
    require_permission(actor, DISPATCH)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择回访满意度。")})
    with transaction.atomic():
        ticket = _locked(ticket)
        _require_status(ticket, (TicketStatus.ANSWERED,), _("只有已答复待回访的工单才能回访。"))
        now = timezone.now()
        label = Satisfaction(satisfaction).label
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.REVISIT,
            content=_("回访结果：%(label)s。%(note)s") % {"label": label, "note": note},
            public=False,
            actor=actor,
            satisfaction=satisfaction,
        )
        ticket.satisfaction = satisfaction
        detail = {
            "satisfaction": satisfaction,
            "old_started_at": ticket.started_at.isoformat() if ticket.started_at else None,
            "old_due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        }
        if satisfaction in REVISIT_CLOSES:
            close_ticket(actor, ticket, now)
            action = "hotline.ticket_closed"
        else:
            _reopen(ticket, now)
            ticket.status = TicketStatus.HANDLING
            ticket.reopen_count += 1
            ticket.answered_at = None
            ticket.closed_at = None
            lead = _active_assignments(ticket).filter(role=AssignmentRole.LEAD).first()
            if lead is not None and lead.status == AssignmentStatus.REPLIED:
                lead.status = AssignmentStatus.ACCEPTED
                lead.save(update_fields=["status"])
            TicketUpdate.objects.create(
                ticket=ticket,
                kind=UpdateKind.REOPEN,
                content=_("回访不满意，工单重新交办理单位办理（第 %(n)s 次重办）。")
                % {"n": ticket.reopen_count},
                public=True,
                actor=actor,
                organisation=ticket.organisation,
            )
            if ticket.organisation_id:
                notify_handlers(
                    ticket.organisation_id,
                    ticket,
                    _("重办：工单 %(number)s") % {"number": ticket.number},
                    note or _("回访不满意，请重新办理。"),
                )
            action = "hotline.ticket_reopened"
            detail["new_due_at"] = ticket.due_at.isoformat()
        ticket.save(
            update_fields=[
                "status",
                "satisfaction",
                "reopen_count",
                "answered_at",
                "closed_at",
                "updated_at",
                *CLOCK_FIELDS,
            ]
        )
        record_event(actor=actor, action=action, target=ticket, request=request, detail=detail)
    return ticket


def close_ticket(actor, ticket: Ticket, now) -> None:
    """办结: status closed; the clock stops (if the answer did not stop it already); the
    reporters of tickets merged into this one learn that it is closed. The caller holds
    the row lock and saves the ticket; ``actor`` None is the system (信件视为满意)."""
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = now
    if ticket.finished_at is None and ticket.started_at is not None:
        # The clock measured the department's work: it stops at the answer, not at the
        # revisit (a stopped clock can only be finished after it was stopped).
        at = ticket.answered_at or now
        if ticket.paused_since is not None and at < ticket.paused_since:
            at = now
        ticket.finish(at)
    TicketUpdate.objects.create(
        ticket=ticket,
        kind=UpdateKind.CLOSE,
        content=_("工单已办结。"),
        public=True,
        actor=actor,
    )
    for duplicate in Ticket.objects.filter(duplicate_of=ticket).select_related("account"):
        text = _("与您反映问题合并办理的工单 %(number)s 已办结。") % {"number": ticket.number}
        TicketUpdate.objects.create(
            ticket=duplicate, kind=UpdateKind.CLOSE, content=text, public=True, actor=actor
        )
        _notify_account(duplicate, _("工单 %(number)s 已办结") % {"number": duplicate.number}, text)


# ---- 信件公开 ------------------------------------------------------------------------------


def publish_letter(
    *, actor, ticket: Ticket, title: str, content: str, reply: str, request=None
) -> Ticket:
    """公开 an answered 领导信箱 letter: the centre edits out personal data first.

    Only the edited ``published_*`` texts are shown to the public, never the original.
    """
    require_permission(actor, DISPATCH)
    errors = {}
    for name, value in (("title", title), ("content", content), ("reply", reply)):
        if not value.strip():
            errors[name] = _("请填写公开的标题、内容和答复。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.channel != Channel.MAILBOX:
            raise ValidationError(_("只有领导信箱来信才能公开。"))
        _require_status(
            ticket,
            (TicketStatus.ANSWERED, TicketStatus.CLOSED),
            _("只有已答复的来信才能公开。"),
        )
        if ticket.published_at is not None:
            raise ValidationError(_("该来信已经公开。"))
        ticket.published_title = title.strip()[:100]
        ticket.published_content = content.strip()
        ticket.published_reply = reply.strip()
        ticket.published_at = timezone.now()
        ticket.save(
            update_fields=[
                "published_title",
                "published_content",
                "published_reply",
                "published_at",
                "updated_at",
            ]
        )
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.NOTE,
            content=_("来信已公开：%(title)s") % {"title": ticket.published_title},
            public=True,
            actor=actor,
        )
        record_event(
            actor=actor,
            action="hotline.letter_published",
            target=ticket,
            request=request,
            detail={"title": ticket.published_title},
        )
        pagecache.letters_changed()  # the portal's cached letters pages are stale
    return ticket


def unpublish_letter(*, actor, ticket: Ticket, reason: str, request=None) -> Ticket:
    """撤销公开: a published letter leaves the portal at once.

    The edited texts are kept (internal; they prefill a later publication), only
    ``published_at`` is cleared — the portal shows letters with a publication time.
    """
    require_permission(actor, DISPATCH)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤销公开的理由。")})
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.published_at is None:
            raise ValidationError(_("该来信未公开，无需撤销。"))
        published_at = ticket.published_at
        ticket.published_at = None
        ticket.save(update_fields=["published_at", "updated_at"])
        TicketUpdate.objects.create(
            ticket=ticket,
            kind=UpdateKind.NOTE,
            content=_("撤销公开（原公开于 %(at)s）：%(reason)s")
            % {
                "at": timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M"),
                "reason": reason.strip(),
            },
            public=False,
            actor=actor,
        )
        record_event(
            actor=actor,
            action="hotline.letter_unpublished",
            target=ticket,
            request=request,
            detail={
                "published_at": published_at.isoformat(),
                "title": ticket.published_title,
                "reason": reason.strip(),
            },
        )
        pagecache.letters_changed()
    return ticket
