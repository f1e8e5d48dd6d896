"""/api/staffing/: units with derived quotas, personnel (masked), movements, 用编审批.

Reads are scoped like the pages; writes call the same actions (permission, rule, audit in
one transaction). Movement and application writes accept an ``Idempotency-Key`` header.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import PageNumberPagination, paginate

from tongzheng.api.public import OPENAPI_HEADER, api_auth, idempotent
from tongzheng.core.models import Organisation
from tongzheng.staffing import actions, queries
from tongzheng.staffing.models import (
    QUOTA_POSTS,
    EntryMethod,
    EstablishmentType,
    FundingForm,
    InstitutionCategory,
    LeadershipPost,
    LeaveMethod,
    QuotaUseApplication,
)

router = Router(tags=["staffing"])


def _enum(choices) -> dict:
    return {"json_schema_extra": {"enum": list(choices.values)}}


class QuotaOut(Schema):
    establishment_type: str
    establishment_type_name: str
    approved: int
    occupied: int
    promised: int = 0
    controlled: int = 0
    vacant: int
    over: int = 0


class PostOut(Schema):
    post: str
    label: str
    approved: int
    occupied: int
    vacant: int


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    category: str
    rank: str
    division_code: str = Field(..., alias="division.code")


class UnitDetailOut(UnitOut):
    main_duties: str | None = None
    funding_form: str | None = None
    institution_category: str | None = None
    approval_document: str | None = None
    approval_date: datetime.date | None = None
    quotas: list[QuotaOut]
    posts: list[PostOut]


class UnitFilter(Schema):
    q: str = Field("", max_length=100, description="名称包含")
    division: str = Field("", max_length=12, description="行政区划代码")


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    id_number_masked: str = Field(..., alias="masked_id_number")
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    establishment_type: str | None = Field(None, alias="establishment_type.code")
    post: str
    status: str
    job_title: str
    entered_at: datetime.date | None


class PersonFilter(Schema):
    unit: int | None = None
    q: str = Field("", max_length=50, description="姓名包含")
    id_number: str = Field("", max_length=18, description="身份证号码（精确匹配）")
    status: str = Field("serving", description="serving / retired / history")


class EnterIn(Schema):
    organisation_id: int
    establishment_type: str = Field(..., description="编制类型代码")
    entry_method: str = Field(..., **_enum(EntryMethod))
    name: str = Field(..., max_length=50)
    gender: str = Field(..., json_schema_extra={"enum": ["1", "2"]})
    birth_date: datetime.date
    id_number: str = Field(..., max_length=18)
    date: datetime.date
    work_start_date: datetime.date | None = None
    notice_number: str = Field("", description="招录招聘时必填：控编通知单编号")
    document: str = Field("", max_length=100)
    job_title: str = Field("", max_length=100)


class LeaveIn(Schema):
    person_id: int
    leave_method: str = Field(..., **_enum(LeaveMethod))
    date: datetime.date
    document: str = Field("", max_length=100)


class TransferIn(Schema):
    person_id: int
    to_organisation_id: int
    establishment_type: str | None = Field(None, description="调入后编制类型代码，不填则不变")
    date: datetime.date
    document: str = Field("", max_length=100)


class PromoteIn(Schema):
    person_id: int
    post: str = Field(..., **_enum(LeadershipPost))
    date: datetime.date
    document: str = Field("", max_length=100)


class QuotaChangeIn(Schema):
    establishment_type: str
    increase: int = Field(0, ge=0)
    decrease: int = Field(0, ge=0)
    control: int = Field(0, description="控编数：正数为控制使用的空编，负数为解除控制")
    reason: str = Field(..., max_length=200)
    approval_document: str = Field("", max_length=100)
    date: datetime.date


class PostChangeIn(Schema):
    post: str = Field(..., json_schema_extra={"enum": [v for v, _label in QUOTA_POSTS]})
    increase: int = Field(0, ge=0)
    decrease: int = Field(0, ge=0)
    reason: str = Field(..., max_length=200)
    approval_document: str = Field("", max_length=100)
    date: datetime.date


class ProfilePatch(Schema):
    main_duties: str | None = None
    funding_form: str | None = Field(None, json_schema_extra={"enum": ["", *FundingForm.values]})
    institution_category: str | None = Field(
        None, json_schema_extra={"enum": ["", *InstitutionCategory.values]}
    )
    approval_document: str | None = Field(None, max_length=100)
    approval_date: datetime.date | None = None


class ApplicationOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    establishment_type: str = Field(..., alias="establishment_type.code")
    slots: int
    reason: str
    status: str
    due_at: datetime.datetime | None
    refusal_reasons: str


class ApplicationIn(Schema):
    organisation_id: int
    establishment_type: str
    slots: int = Field(..., ge=1)
    reason: str = Field(..., max_length=2000)


class ApproveIn(Schema):
    valid_until: datetime.date | None = None


class RefuseIn(Schema):
    reasons: str = Field(..., max_length=2000)


class NoticeOut(Schema):
    id: int
    number: str
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    establishment_type: str = Field(..., alias="establishment_type.code")
    slots: int
    slots_used: int
    valid_until: datetime.date


# --- helpers ------------------------------------------------------------------------------


def _type(code: str | None, field: str = "establishment_type") -> EstablishmentType:
    found = EstablishmentType.objects.filter(code=code or "", is_active=True).first()
    if found is None:
        raise ValidationError({field: _("编制类型代码不存在。")})
    return found


def _unit(user, pk: int, permission: str, field: str = "organisation_id") -> Organisation:
    unit = Organisation.objects.for_user(user, permission).filter(pk=pk).first()
    if unit is None:
        raise ValidationError({field: _("单位不存在或不在您的数据范围内。")})
    return unit


def _quota_rows(unit) -> list[dict]:
    return [
        {
            "establishment_type": row["type"].code,
            "establishment_type_name": row["type"].name,
            **{
                k: row[k]
                for k in ("approved", "occupied", "promised", "controlled", "vacant", "over")
            },
        }
        for row in queries.quota_table(unit)
    ]


# --- units and quotas ---------------------------------------------------------------------


@router.get("/units", response=list[UnitOut], auth=api_auth(actions.VIEW_QUOTA))
@paginate(PageNumberPagination, page_size=50)
def list_units(request, filters: Query[UnitFilter]):
    """单位列表 (not internal departments), in the caller's scope."""
    return queries.unit_list(request.auth, q=filters.q, division_code=filters.division)


@router.get("/units/{unit_id}", response=UnitDetailOut, auth=api_auth(actions.VIEW_QUOTA))
def get_unit(request, unit_id: int):
    """One unit with its 三定, its quotas per type (derived from the ledger) and its posts."""
    unit = queries.unit_detail(request.auth, unit_id)
    profile = queries.unit_profile(unit)
    unit.quotas = _quota_rows(unit)
    unit.posts = queries.post_table(unit)
    for name in actions.PROFILE_FIELDS:
        setattr(unit, name, getattr(profile, name) if profile else None)
    return unit


@router.get("/units/{unit_id}/quotas", response=list[QuotaOut], auth=api_auth(actions.VIEW_QUOTA))
def get_unit_quotas(request, unit_id: int):
    """核定 / 实有 / 已核准待用 / 空编 / 超编 per establishment type."""
    return _quota_rows(queries.unit_detail(request.auth, unit_id))


@router.post(
    "/units/{unit_id}/quota-changes",
    response={201: QuotaOut},
    auth=api_auth(actions.MANAGE_QUOTA),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def create_quota_change(request, unit_id: int, payload: QuotaChangeIn):
    """编制台账: one entry; the answer is the type's figures afterwards."""
    unit = Organisation.objects.get_for_user(request.auth, actions.MANAGE_QUOTA, pk=unit_id)
    kind = _type(payload.establishment_type)
    actions.record_quota_change(
        actor=request.auth,
        organisation=unit,
        establishment_type=kind,
        increase=payload.increase,
        decrease=payload.decrease,
        control=payload.control,
        reason=payload.reason,
        approval_document=payload.approval_document,
        date=payload.date,
        request=request,
    )
    row = next(r for r in _quota_rows(unit) if r["establishment_type"] == kind.code)
    return Status(201, row)


@router.post(
    "/units/{unit_id}/post-changes",
    response={201: PostOut},
    auth=api_auth(actions.MANAGE_QUOTA),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def create_post_change(request, unit_id: int, payload: PostChangeIn):
    """职数台账: one entry; the answer is that post kind's figures afterwards."""
    unit = Organisation.objects.get_for_user(request.auth, actions.MANAGE_QUOTA, pk=unit_id)
    actions.record_post_change(
        actor=request.auth,
        organisation=unit,
        post=payload.post,
        increase=payload.increase,
        decrease=payload.decrease,
        reason=payload.reason,
        approval_document=payload.approval_document,
        date=payload.date,
        request=request,
    )
    return Status(201, next(r for r in queries.post_table(unit) if r["post"] == payload.post))


@router.patch(
    "/units/{unit_id}/profile", response=UnitDetailOut, auth=api_auth(actions.MANAGE_UNIT)
)
def update_unit_profile(request, unit_id: int, payload: ProfilePatch):
    """三定: main duties, 经费形式, 事业单位类别, approval document and date."""
    unit = Organisation.objects.get_for_user(request.auth, actions.MANAGE_UNIT, pk=unit_id)
    changes = {
        name: ("" if value is None and name != "approval_date" else value)
        for name, value in payload.model_dump(exclude_unset=True).items()
    }
    actions.update_unit_profile(
        actor=request.auth, organisation=unit, changes=changes, request=request
    )
    return get_unit(request, unit_id)


# --- personnel ----------------------------------------------------------------------------


@router.get("/personnel", response=list[PersonOut], auth=api_auth(actions.VIEW_PERSON))
@paginate(PageNumberPagination, page_size=50)
def list_personnel(request, filters: Query[PersonFilter]):
    """实名人员, ID numbers masked; ``id_number`` finds an exact match (blind index)."""
    return queries.person_list(
        request.auth,
        q=filters.q,
        id_number=filters.id_number,
        organisation_id=filters.unit,
        status=filters.status,
    )


@router.get("/personnel/{person_id}", response=PersonOut, auth=api_auth(actions.VIEW_PERSON))
def get_person(request, person_id: int):
    return queries.person_detail(request.auth, person_id)


def _movable(request, person_id: int):
    person = queries.person_list(request.auth, status="").filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("人员不存在或不在您的数据范围内。")})
    return person


@router.post(
    "/movements/enter",
    response={201: PersonOut},
    auth=api_auth(actions.MANAGE_PERSONNEL_LOCKED),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def movement_enter(request, payload: EnterIn):
    """入编. Over quota: 422 naming the unit, the type, the approved and occupied numbers."""
    unit = _unit(request.auth, payload.organisation_id, actions.MANAGE_PERSONNEL_LOCKED)
    notice = None
    if payload.notice_number:
        notice = queries.notice_list(request.auth).filter(number=payload.notice_number).first()
        if notice is None:
            raise ValidationError({"notice_number": _("控编通知单不存在。")})
    person = actions.enter_person(
        actor=request.auth,
        organisation=unit,
        establishment_type=_type(payload.establishment_type),
        entry_method=payload.entry_method,
        name=payload.name,
        gender=payload.gender,
        birth_date=payload.birth_date,
        id_number=payload.id_number,
        date=payload.date,
        work_start_date=payload.work_start_date,
        notice=notice,
        document=payload.document,
        job_title=payload.job_title,
        request=request,
    )
    return Status(201, person)


@router.post(
    "/movements/leave",
    response=PersonOut,
    auth=api_auth(actions.MANAGE_PERSONNEL_LOCKED),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def movement_leave(request, payload: LeaveIn):
    """出编: transfer out, retirement, resignation, death."""
    return actions.leave_person(
        actor=request.auth,
        person=_movable(request, payload.person_id),
        leave_method=payload.leave_method,
        date=payload.date,
        document=payload.document,
        request=request,
    )


@router.post(
    "/movements/transfer",
    response=PersonOut,
    auth=api_auth(actions.MANAGE_PERSONNEL_LOCKED),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def movement_transfer(request, payload: TransferIn):
    """内部调动 (or 转编 with another establishment type)."""
    target = _unit(
        request.auth,
        payload.to_organisation_id,
        actions.MANAGE_PERSONNEL_LOCKED,
        field="to_organisation_id",
    )
    kind = _type(payload.establishment_type) if payload.establishment_type else None
    return actions.transfer_internal(
        actor=request.auth,
        person=_movable(request, payload.person_id),
        to_organisation=target,
        establishment_type=kind,
        date=payload.date,
        document=payload.document,
        request=request,
    )


@router.post(
    "/movements/promote",
    response=PersonOut,
    auth=api_auth(actions.MANAGE_PERSONNEL_LOCKED),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def movement_promote(request, payload: PromoteIn):
    """职务任免 within the unit's approved leadership posts."""
    return actions.promote(
        actor=request.auth,
        person=_movable(request, payload.person_id),
        post=payload.post,
        date=payload.date,
        document=payload.document,
        request=request,
    )


# --- quota-use approval -------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], auth=api_auth(actions.VIEW_QUOTA))
@paginate(PageNumberPagination, page_size=50)
def list_applications(request, status: str = ""):
    return queries.application_list(request.auth, status=status)


@router.get(
    "/applications/{application_id}",
    response=ApplicationOut,
    auth=api_auth(actions.VIEW_QUOTA),
)
def get_application(request, application_id: int):
    return queries.application_detail(request.auth, application_id)


@router.post(
    "/applications",
    response={201: ApplicationOut},
    auth=api_auth(actions.APPLY_QUOTA_USE),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def create_application(request, payload: ApplicationIn):
    """用编申请, submitted for review at once."""
    application = actions.create_application(
        actor=request.auth,
        organisation=_unit(request.auth, payload.organisation_id, actions.APPLY_QUOTA_USE),
        establishment_type=_type(payload.establishment_type),
        slots=payload.slots,
        reason=payload.reason,
        request=request,
    )
    return Status(201, application)


def _reviewable(request, application_id: int) -> QuotaUseApplication:
    return QuotaUseApplication.objects.get_for_user(
        request.auth, actions.REVIEW_QUOTA_USE, pk=application_id
    )


@router.post(
    "/applications/{application_id}/approve",
    response={201: NoticeOut},
    auth=api_auth(actions.REVIEW_QUOTA_USE),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def approve_application(request, application_id: int, payload: ApproveIn):
    """核准 and issue the numbered 控编通知单."""
    notice = actions.approve_application(
        actor=request.auth,
        application=_reviewable(request, application_id),
        valid_until=payload.valid_until,
        request=request,
    )
    return Status(201, notice)


@router.post(
    "/applications/{application_id}/refuse",
    response=ApplicationOut,
    auth=api_auth(actions.REVIEW_QUOTA_USE),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def refuse_application(request, application_id: int, payload: RefuseIn):
    return actions.refuse_application(
        actor=request.auth,
        application=_reviewable(request, application_id),
        reasons=payload.reasons,
        request=request,
    )


@router.get("/notices", response=list[NoticeOut], auth=api_auth(actions.VIEW_QUOTA))
@paginate(PageNumberPagination, page_size=50)
def list_notices(request):
    return queries.notice_list(request.auth)


@router.get("/notices/{notice_id}", response=NoticeOut, auth=api_auth(actions.VIEW_QUOTA))
def get_notice(request, notice_id: int):
    return queries.notice_detail(request.auth, notice_id)
