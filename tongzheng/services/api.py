"""/api/services/: the staff side of 政务服务 — task inbox, applications, every handling step,
and the item catalogue's JSON export and import.

Reads are scoped like the pages; writes call the same actions. Every write takes an
``Idempotency-Key`` header: the platform replays the first answer to a retry, and the key
is also passed to the action as its transaction id, so even a retry that reaches the
action again acts once. A move the application's state does not allow (deciding one not
accepted, accepting twice) answers 409; bad input answers 422; both ``{"detail": "…"}``.
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
from tongzheng.core.crypto import sm3_hex
from tongzheng.services import actions, catalogue, queries
from tongzheng.services.models import (
    Application,
    ApplicationTask,
    SpecialKind,
    TaskKind,
)

router = Router(tags=["services"])


class TaskOut(Schema):
    id: int
    kind: str
    application_number: str = Field(..., alias="application.number")
    item_name: str = Field(..., alias="application.version.name")
    organisation_name: str = Field(..., alias="organisation.name")
    due_at: datetime.datetime | None
    status: str = Field(..., alias="clock_status")
    outcome: str
    opinion: str


class TaskFilter(Schema):
    kind: str = Field("", json_schema_extra={"enum": ["", *TaskKind.values]})
    page: int = Field(1, ge=1, le=10_000)


class TaskPage(Schema):
    """One page of the inbox. No total: counting a division's open tasks costs more than
    the page (see docs/services.md); ``has_next`` says whether another page follows."""

    page: int
    has_next: bool
    items: list[TaskOut]


class EventOut(Schema):
    sequence: int
    action: str
    actor_role: str
    at: datetime.datetime
    from_status: str
    to_status: str
    note: str


class ApplicationOut(Schema):
    number: str
    status: str
    item_code: str = Field(..., alias="item.implementation_code")
    item_name: str = Field(..., alias="version.name")
    version: int = Field(..., alias="version.number")
    organisation_name: str = Field(..., alias="organisation.name")
    applicant_name: str
    channel: str
    form_data: dict
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    due_at: datetime.datetime | None
    clock_status: str
    decided_at: datetime.datetime | None
    decision_reason: str
    closed_at: datetime.datetime | None
    allowed_actions: list[str] = []

    @staticmethod
    def resolve_clock_status(obj) -> str:
        return str(obj.status_at())


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class SupplementIn(Schema):
    material_ids: list[int] = Field([], description="需补正的材料（本办件事项版本的材料 id）")
    other_items: str = Field("", max_length=2000)
    note: str = Field("", max_length=2000)


class SpecialIn(Schema):
    kind: str = Field(..., json_schema_extra={"enum": SpecialKind.values})
    reason: str = Field(..., max_length=2000)


class SpecialEndIn(Schema):
    outcome: str = Field("", max_length=2000)


class ExtendIn(Schema):
    working_days: int = Field(..., ge=1, le=15)
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000, description="不同意 / 不予许可时必填")


class ResultIn(Schema):
    licence_number: str = Field(..., max_length=100)
    fee_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)


class ItemOut(Schema):
    id: int
    implementation_code: str
    name: str = Field(..., alias="current_version.name")
    version: int = Field(..., alias="current_version.number")
    organisation_name: str = Field(..., alias="organisation.name")
    is_active: bool


class ImportIn(Schema):
    format: str = Field(..., description=catalogue.FORMAT)
    items: list[dict]


class ImportOut(Schema):
    imported: int
    versions: list[int]


def _transaction_id(request) -> str | None:
    """The Idempotency-Key, bound to the caller, as the action's transaction id."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    return "api-" + sm3_hex(f"{request.auth.pk}:{key}".encode())[:40]


def _act(run):
    """Run an action; a state conflict (a message without a field) becomes 409."""
    try:
        return run()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise HttpError(409, "；".join(exc.messages)) from exc


def _application_out(request, application: Application) -> Application:
    application.refresh_from_db()
    application.allowed_actions = sorted(queries.allowed_actions(request.auth, application))
    return application


def _handled(request, number: str) -> Application:
    return Application.objects.select_related("version", "organisation", "item").get_for_user(
        request.auth, actions.HANDLE_APPLICATION, number=number
    )


# --- reads --------------------------------------------------------------------------------


TASK_PAGE_SIZE = 50


@router.get("/tasks", response=TaskPage, auth=api_auth(actions.VIEW_APPLICATION))
def list_tasks(request, filters: Query[TaskFilter]):
    """待办: open tasks in scope, least remaining working time first, 50 a page."""
    start = (filters.page - 1) * TASK_PAGE_SIZE
    tasks = list(
        queries.inbox(request.auth, kind=filters.kind).with_clock_status()[
            start : start + TASK_PAGE_SIZE + 1
        ]
    )
    return {
        "page": filters.page,
        "has_next": len(tasks) > TASK_PAGE_SIZE,
        "items": tasks[:TASK_PAGE_SIZE],
    }


@router.get(
    "/applications/{number}",
    response=ApplicationOut,
    auth=api_auth(actions.VIEW_APPLICATION),
)
def get_application(request, number: str):
    application = queries.application_detail(request.auth, number)
    application.allowed_actions = sorted(queries.allowed_actions(request.auth, application))
    return application


@router.get(
    "/applications/{number}/events",
    response=list[EventOut],
    auth=api_auth(actions.VIEW_APPLICATION),
)
def list_events(request, number: str):
    """办件流水: the immutable action list, oldest first."""
    return queries.application_detail(request.auth, number).events.order_by("sequence")


# --- writes -------------------------------------------------------------------------------


def _write(path: str, response=ApplicationOut):
    return router.post(
        path,
        response=response,
        auth=api_auth(actions.HANDLE_APPLICATION),
        openapi_extra=OPENAPI_HEADER,
    )


@_write("/applications/{number}/accept")
@decorate_view(idempotent)
def accept(request, number: str):
    """受理."""
    application = _handled(request, number)
    _act(
        lambda: actions.accept(
            actor=request.auth,
            application=application,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/refuse-acceptance")
@decorate_view(idempotent)
def refuse_acceptance(request, number: str, payload: ReasonIn):
    """不予受理 (the reason is mandatory)."""
    application = _handled(request, number)
    _act(
        lambda: actions.refuse_acceptance(
            actor=request.auth,
            application=application,
            reason=payload.reason,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/supplement")
@decorate_view(idempotent)
def request_supplement(request, number: str, payload: SupplementIn):
    """一次性告知补正: the clock stops until the applicant resubmits."""
    application = _handled(request, number)
    materials = list(application.version.materials.filter(pk__in=payload.material_ids))
    if len(materials) != len(set(payload.material_ids)):
        raise ValidationError({"material_ids": _("材料不属于该事项。")})
    _act(
        lambda: actions.request_supplement(
            actor=request.auth,
            application=application,
            materials=materials,
            other_items=payload.other_items,
            note=payload.note,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/special-procedure")
@decorate_view(idempotent)
def start_special_procedure(request, number: str, payload: SpecialIn):
    """特别程序 (听证、检验、检测、鉴定、专家评审): the clock stops."""
    application = _handled(request, number)
    _act(
        lambda: actions.start_special_procedure(
            actor=request.auth,
            application=application,
            kind=payload.kind,
            reason=payload.reason,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/special-procedure/end")
@decorate_view(idempotent)
def end_special_procedure(request, number: str, payload: SpecialEndIn):
    """特别程序结束: the clock runs again."""
    application = _handled(request, number)
    _act(
        lambda: actions.end_special_procedure(
            actor=request.auth,
            application=application,
            outcome=payload.outcome,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/extension")
@decorate_view(idempotent)
def extend_limit(request, number: str, payload: ExtendIn):
    """延长办理期限 (once, with the head's approval)."""
    application = _handled(request, number)
    _act(
        lambda: actions.extend_limit(
            actor=request.auth,
            application=application,
            working_days=payload.working_days,
            reason=payload.reason,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/decision")
@decorate_view(idempotent)
def decide(request, number: str, payload: DecisionIn):
    """作出决定: 准予 or 不予许可 (with its reason)."""
    application = _handled(request, number)
    _act(
        lambda: actions.decide(
            actor=request.auth,
            application=application,
            approve=payload.approve,
            reason=payload.reason,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/result")
@decorate_view(idempotent)
def issue_result(request, number: str, payload: ResultIn):
    """制证: the licence or document number (the document file is uploaded on the page)."""
    application = _handled(request, number)
    _act(
        lambda: actions.issue_result(
            actor=request.auth,
            application=application,
            licence_number=payload.licence_number,
            fee_amount=payload.fee_amount,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/applications/{number}/close")
@decorate_view(idempotent)
def close(request, number: str):
    """办结."""
    application = _handled(request, number)
    _act(
        lambda: actions.close(
            actor=request.auth,
            application=application,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return _application_out(request, application)


@_write("/tasks/{task_id}/decision", response=TaskOut)
@decorate_view(idempotent)
def decide_task(request, task_id: int, payload: DecisionIn):
    """One department's opinion in a parallel stage (并联审批)."""
    task = ApplicationTask.objects.select_related("application").get_for_user(
        request.auth, actions.HANDLE_APPLICATION, pk=task_id
    )
    _act(
        lambda: actions.decide_task(
            actor=request.auth,
            task=task,
            approve=payload.approve,
            opinion=payload.reason,
            transaction_id=_transaction_id(request),
            request=request,
        )
    )
    return (
        ApplicationTask.objects.filter(pk=task.pk)
        .select_related("application__version", "organisation")
        .with_clock_status()
        .get()
    )


# --- the catalogue ------------------------------------------------------------------------


@router.get("/items", response=list[ItemOut], auth=api_auth(actions.MANAGE_ITEM))
@paginate(PageNumberPagination, page_size=50)
def list_items(request, q: str = ""):
    return queries.item_list(request.auth, query=q[:100]).filter(current_version__isnull=False)


@router.get("/items/export", response=dict, auth=api_auth(actions.MANAGE_ITEM))
def export_items(request):
    """Every item in scope, current version, in the import format."""
    items = queries.item_list(request.auth).prefetch_related(
        "current_version__materials", "current_version__stages__tasks__organisation"
    )
    return catalogue.export_items(items)


@router.post(
    "/items/import",
    response={201: ImportOut},
    auth=api_auth(actions.MANAGE_ITEM),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def import_items(request, payload: ImportIn):
    """Publish a new version of every item of an export — all or nothing."""
    versions = actions.import_items(actor=request.auth, payload=payload.dict(), request=request)
    return Status(201, {"imported": len(versions), "versions": [v.pk for v in versions]})
