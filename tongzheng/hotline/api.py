"""/api/hotline/: the full ticket model for staff, and a handling department's writes.

Reads go through ``hotline.queries`` like the pages: scoped to the caller (the centre by
division, a department by the tickets it leads or assists) and with a confidential
reporter's name, phone and account blanked for anyone without ``hotline.view_reporter``.

Writes (签收, 办理记录, 协办意见, 答复, 延期申请, 派单异议) call ``actions.handling`` and demand
an ``Idempotency-Key`` header: a retried request gets the first answer back instead of
acting twice. A move the ticket's state does not allow answers 409, bad input 422, another
department's ticket 404; every error is ``{"detail": "<中文说明>"}``.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from tongzheng.api.public import OPENAPI_HEADER, api_auth, idempotent
from tongzheng.core.models import Division
from tongzheng.core.timed import TimedStatus
from tongzheng.hotline import queries
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.models import (
    AssignmentStatus,
    Channel,
    TicketStatus,
    TicketType,
    Urgency,
)

router = Router(tags=["hotline"])

VIEW = queries.VIEW
HANDLE = queries.HANDLE

# The shared header documentation, marked required: every write here needs the key.
REQUIRED_KEY = {"parameters": [{**OPENAPI_HEADER["parameters"][0], "required": True}]}


def _enum(choices) -> dict:
    return {"json_schema_extra": {"enum": list(choices.values)}}


# --- schemas ------------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    ticket_number: str = Field(..., alias="ticket.number")
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    role: str
    status: str
    instructions: str
    created_at: datetime.datetime
    accepted_at: datetime.datetime | None
    reply: str
    replied_at: datetime.datetime | None


class InboxOut(AssignmentOut):
    ticket_title: str = Field(..., alias="ticket.title")
    ticket_type: str = Field(..., alias="ticket.type")
    ticket_status: str = Field(..., alias="ticket.status")
    due_at: datetime.datetime | None = Field(None, alias="ticket.due_at")
    clock_status: str

    @staticmethod
    def resolve_clock_status(obj) -> str:
        return str(obj.ticket.status_at())


class UpdateOut(Schema):
    id: int
    kind: str
    content: str
    public: bool
    created_at: datetime.datetime
    organisation_id: int | None
    organisation_name: str | None = None

    @staticmethod
    def resolve_organisation_name(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None


class ExtensionOut(Schema):
    id: int
    organisation_id: int
    working_days: int
    reason: str
    status: str
    requested_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str


class DisputeOut(Schema):
    id: int
    assignment_id: int
    reason: str
    suggested_organisation_id: int | None
    status: str
    raised_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_note: str


class TicketOut(Schema):
    number: str
    channel: str
    type: str
    category: str
    urgency: str
    status: str
    title: str
    content: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    anonymous: bool
    confidential: bool
    reporter_redacted: bool = Field(
        ..., description="为 true 时反映人要求保密，姓名与电话对调用方不可见。"
    )
    reporter_name: str
    reporter_phone: str = Field(..., description="脱敏后的联系电话")
    division_code: str | None = None
    organisation_id: int | None
    organisation_name: str | None = None
    subject_code: str | None = None
    mailbox: str | None = None
    duplicate_of: str | None = None
    created_at: datetime.datetime
    dispatched_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    satisfaction: str
    reopen_count: int
    started_at: datetime.datetime | None
    limit_working_days: int
    due_at: datetime.datetime | None
    warning_at: datetime.datetime | None
    paused_since: datetime.datetime | None
    finished_at: datetime.datetime | None
    clock_status: str
    dispatch_due_at: datetime.datetime | None = Field(
        None, description="特急件派单时限（受理后 1 小时，可配置）；非特急件为 null。"
    )
    dispatch_overdue: bool = Field(False, description="特急件超过派单时限仍未派单。")

    @staticmethod
    def resolve_dispatch_overdue(obj) -> bool:
        return obj.dispatch_overdue

    @staticmethod
    def resolve_reporter_redacted(obj) -> bool:
        return bool(getattr(obj, "reporter_redacted", False))

    @staticmethod
    def resolve_division_code(obj) -> str | None:
        return obj.division.code if obj.division_id else None

    @staticmethod
    def resolve_organisation_name(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_subject_code(obj) -> str | None:
        return obj.subject.code if obj.subject_id else None

    @staticmethod
    def resolve_mailbox(obj) -> str | None:
        return obj.mailbox.slug if obj.mailbox_id else None

    @staticmethod
    def resolve_duplicate_of(obj) -> str | None:
        return obj.duplicate_of.number if obj.duplicate_of_id else None

    @staticmethod
    def resolve_clock_status(obj) -> str:
        return str(obj.status_at())


class TicketDetailOut(TicketOut):
    recording_ref: str
    not_accepted_reason: str
    published_at: datetime.datetime | None
    assignments: list[AssignmentOut]
    updates: list[UpdateOut]
    extensions: list[ExtensionOut]

    # The lists are read by ``_detail`` through queries (related managers cannot be set).
    @staticmethod
    def resolve_assignments(obj) -> list:
        return obj.assignments_list

    @staticmethod
    def resolve_updates(obj) -> list:
        return obj.updates_list

    @staticmethod
    def resolve_extensions(obj) -> list:
        return obj.extensions_list


class TicketFilter(Schema):
    status: str = Field("", json_schema_extra={"enum": ["", *TicketStatus.values]})
    type: str = Field("", json_schema_extra={"enum": ["", *TicketType.values]})
    channel: str = Field("", json_schema_extra={"enum": ["", *Channel.values]})
    urgency: str = Field("", json_schema_extra={"enum": ["", *Urgency.values]})
    clock: str = Field(
        "", description="时限状态", json_schema_extra={"enum": ["", *TimedStatus.values]}
    )
    organisation_id: int | None = Field(None, description="承办单位")
    division: str = Field("", max_length=12, description="行政区划代码（含下级）")
    created_from: datetime.date | None = Field(None, description="受理日期起")
    created_to: datetime.date | None = Field(None, description="受理日期止")
    number: str = Field("", max_length=32, description="工单编号前缀")


class InboxFilter(Schema):
    status: str = Field(
        "open",
        description="open：待办（待签收、办理中、异议中）；all：全部；或一个派单状态",
        json_schema_extra={"enum": ["open", "all", *AssignmentStatus.values]},
    )


class TextIn(Schema):
    content: str = Field(..., min_length=1, max_length=actions.MAX_TEXT)


class ExtensionIn(Schema):
    working_days: int = Field(..., ge=1, le=actions.MAX_EXTENSION_DAYS)
    reason: str = Field(..., min_length=1, max_length=actions.MAX_TEXT)


class DisputeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=actions.MAX_TEXT)
    suggested_organisation: str = Field(
        "", max_length=200, description="建议承办单位：统一社会信用代码或单位全称（可不填）"
    )


# --- helpers ------------------------------------------------------------------------------


class RedactedPages(PageNumberPagination):
    """Page-number pagination whose items are redacted for the caller after slicing."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = queries.redact_all(page[self.items_attribute], request.auth)
        return page


class RedactedInboxPages(PageNumberPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = queries.redact_assignments(
            page[self.items_attribute], request.auth
        )
        return page


FILTER_CHOICES = {
    "status": TicketStatus.values,
    "type": TicketType.values,
    "channel": Channel.values,
    "urgency": Urgency.values,
    "clock": TimedStatus.values,
}


def _check_choices(filters: TicketFilter) -> None:
    wrong = {
        name: [_("不是可选的值：%(value)s。") % {"value": getattr(filters, name)}]
        for name, allowed in FILTER_CHOICES.items()
        if getattr(filters, name) and getattr(filters, name) not in allowed
    }
    if wrong:
        raise ValidationError(wrong)


def _filtered(user, filters: TicketFilter):
    _check_choices(filters)
    tickets = queries.visible_tickets(user).select_related(
        "division", "organisation", "subject", "mailbox", "duplicate_of"
    )
    for name in ("status", "type", "channel", "urgency"):
        if value := getattr(filters, name):
            tickets = tickets.filter(**{name: value})
    if filters.clock:
        tickets = {
            TimedStatus.RED: tickets.red,
            TimedStatus.YELLOW: tickets.yellow,
            TimedStatus.NORMAL: tickets.normal,
            TimedStatus.PAUSED: tickets.paused,
            TimedStatus.FINISHED: tickets.finished,
        }[TimedStatus(filters.clock)]()
    if filters.organisation_id:
        tickets = tickets.filter(organisation_id=filters.organisation_id)
    if filters.division:
        division = Division.objects.filter(code=filters.division).first()
        if division is None:
            raise ValidationError({"division": _("行政区划代码不存在。")})
        tickets = tickets.filter(division_path__startswith=division.path)
    if filters.created_from:
        tickets = tickets.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        tickets = tickets.filter(created_at__date__lte=filters.created_to)
    if filters.number:
        tickets = tickets.filter(number__startswith=filters.number.strip())
    return tickets.order_by("-created_at", "-pk")


def _detail(user, number: str):
    ticket = queries.ticket_for(user, number)
    ticket.assignments_list = list(queries.contributions(ticket).select_related("ticket"))
    ticket.updates_list = list(queries.ticket_history(ticket, include_internal=True))
    ticket.extensions_list = list(queries.extensions(ticket))
    return ticket


def _assignment(request, number: str):
    """The caller's active assignment on the ticket (404), then the key (400)."""
    assignment = queries.active_assignment_for(request.auth, number)
    if not request.headers.get("Idempotency-Key", "").strip():
        raise HttpError(400, _("写操作必须在请求头中提供 Idempotency-Key（幂等键）。"))
    return assignment


def _act(run):
    """Run an action; a refused state transition becomes 409, bad input stays 422."""
    try:
        return run()
    except ValidationError as exc:
        if getattr(exc, "code", None) == actions.INVALID_STATE:
            raise HttpError(409, "；".join(exc.messages)) from exc
        raise


# --- reads --------------------------------------------------------------------------------


@router.get("/tickets", response=list[TicketOut], auth=api_auth(VIEW))
@paginate(RedactedPages, page_size=50)
def list_tickets(request, filters: Query[TicketFilter]):
    """工单列表 in the caller's scope, newest first, with filters."""
    return _filtered(request.auth, filters)


@router.get("/tickets/{number}", response=TicketDetailOut, auth=api_auth(VIEW))
def get_ticket(request, number: str):
    """One ticket with its 派单 rows, its whole history (internal rows included) and 延期申请."""
    return _detail(request.auth, number)


@router.get("/assignments", response=list[InboxOut], auth=api_auth(HANDLE))
@paginate(RedactedInboxPages, page_size=50)
def list_assignments(request, filters: Query[InboxFilter]):
    """承办工单: the department's assignments, earliest ticket deadline first."""
    if filters.status not in ("open", "all", *AssignmentStatus.values):
        raise ValidationError(
            {"status": [_("不是可选的值：%(value)s。") % {"value": filters.status}]}
        )
    return queries.inbox(request.auth, status=filters.status)


# --- a department's writes ----------------------------------------------------------------


def _write(path: str, response, summary: str):
    return router.post(
        path, response=response, auth=api_auth(HANDLE), openapi_extra=REQUIRED_KEY, summary=summary
    )


@_write("/tickets/{number}/accept", AssignmentOut, "签收")
@decorate_view(idempotent)
def accept_ticket(request, number: str):
    """签收 the department's pending assignment; the lead's puts the ticket in 办理中."""
    assignment = _assignment(request, number)
    return _act(lambda: actions.accept(actor=request.auth, assignment=assignment, request=request))


@_write("/tickets/{number}/notes", {201: UpdateOut}, "办理记录")
@decorate_view(idempotent)
def add_ticket_note(request, number: str, payload: TextIn):
    """办理记录: an internal note, never shown to the reporter."""
    assignment = _assignment(request, number)
    update = _act(
        lambda: actions.add_note(
            actor=request.auth, assignment=assignment, content=payload.content, request=request
        )
    )
    return Status(201, update)


@_write("/tickets/{number}/opinion", AssignmentOut, "协办意见")
@decorate_view(idempotent)
def submit_ticket_opinion(request, number: str, payload: TextIn):
    """协办意见: an assisting unit's contribution to the lead (409 for the lead itself)."""
    assignment = _assignment(request, number)
    return _act(
        lambda: actions.submit_opinion(
            actor=request.auth, assignment=assignment, content=payload.content, request=request
        )
    )


@_write("/tickets/{number}/reply", TicketDetailOut, "答复反映人")
@decorate_view(idempotent)
def reply_ticket(request, number: str, payload: TextIn):
    """答复: the lead answers the reporter; the ticket is answered and its clock stops."""
    assignment = _assignment(request, number)
    _act(
        lambda: actions.reply(
            actor=request.auth, assignment=assignment, content=payload.content, request=request
        )
    )
    return get_ticket(request, number)


@_write("/tickets/{number}/extension", {201: ExtensionOut}, "申请延期")
@decorate_view(idempotent)
def request_ticket_extension(request, number: str, payload: ExtensionIn):
    """延期申请: only the lead, only before the deadline, one pending request at a time."""
    assignment = _assignment(request, number)
    extension = _act(
        lambda: actions.request_extension(
            actor=request.auth,
            assignment=assignment,
            working_days=payload.working_days,
            reason=payload.reason,
            request=request,
        )
    )
    return Status(201, extension)


@_write("/tickets/{number}/dispute", {201: DisputeOut}, "派单异议")
@decorate_view(idempotent)
def dispute_ticket(request, number: str, payload: DisputeIn):
    """派单异议 with reasons and, optionally, the organisation the department thinks is right."""
    assignment = _assignment(request, number)
    suggested = None
    if payload.suggested_organisation.strip():
        suggested = queries.find_organisation(payload.suggested_organisation)
        if suggested is None:
            raise ValidationError(
                {
                    "suggested_organisation": _(
                        "没有找到该单位，请填写准确的统一社会信用代码或单位全称。"
                    )
                }
            )
    found = _act(
        lambda: actions.dispute(
            actor=request.auth,
            assignment=assignment,
            reason=payload.reason,
            suggested_organisation=suggested,
            request=request,
        )
    )
    return Status(201, found)
