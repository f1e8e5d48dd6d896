"""/api/core/: divisions, organisations and the caller (核心数据接口)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import PageNumberPagination, paginate

from tongzheng.api.public import OPENAPI_HEADER, api_auth, idempotent
from tongzheng.core import actions, queries
from tongzheng.core.access import DataScope, permissions_of, scope_for
from tongzheng.core.models import (
    Division,
    OrganisationCategory,
    OrganisationKind,
    Rank,
    Subordination,
)

router = Router(tags=["core"])


def _choices(choices) -> dict:
    return {"json_schema_extra": {"enum": [value for value, _label in choices.choices]}}


class DivisionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = Field(None, alias="parent.code")


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    category: str
    rank: str
    subordination: str
    uscc: str | None
    division_code: str = Field(..., alias="division.code")
    division_name: str = Field(..., alias="division.name")
    parent_id: int | None
    is_active: bool


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    short_name: str = Field("", max_length=100)
    kind: str = Field(..., **_choices(OrganisationKind))
    category: str = Field(..., **_choices(OrganisationCategory))
    rank: str = Field(Rank.UNRANKED.value, **_choices(Rank))
    subordination: str = Field(..., **_choices(Subordination))
    uscc: str | None = Field(None, description="统一社会信用代码 (GB 32100)")
    division_code: str = Field(..., description="行政区划代码 (GB/T 2260)")
    parent_id: int | None = None


class OrganisationPatch(Schema):
    name: str | None = Field(None, max_length=200)
    short_name: str | None = Field(None, max_length=100)
    kind: str | None = Field(None, **_choices(OrganisationKind))
    category: str | None = Field(None, **_choices(OrganisationCategory))
    rank: str | None = Field(None, **_choices(Rank))
    subordination: str | None = Field(None, **_choices(Subordination))
    uscc: str | None = None
    is_active: bool | None = None


class OrganisationFilter(Schema):
    division: str = Field("", description="行政区划代码：该区划及其下级区划的机构")
    kind: str = ""
    q: str = Field("", max_length=100, description="名称或简称包含")


class RoleOut(Schema):
    code: str
    name: str
    scope: int


class OrganisationRef(Schema):
    id: int
    name: str
    division_code: str = Field(..., alias="division.code")


class MeOut(Schema):
    username: str
    full_name: str
    kind: str
    organisation: OrganisationRef | None
    roles: list[RoleOut]
    permissions: dict[str, str] = Field(..., description="权限代码 → 数据范围")


@router.get("/divisions", response=list[DivisionOut])
def list_divisions(request, parent: str = ""):
    """下级行政区划: the divisions directly under ``parent`` (the provinces when empty)."""
    return queries.division_children(parent).select_related("parent")


@router.get("/divisions/{code}", response=DivisionOut)
def get_division(request, code: str):
    return queries.division_by_code(code)


@router.get("/organisations", response=list[OrganisationOut])
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request, filters: Query[OrganisationFilter]):
    """机构列表, limited to the caller's data scope, in tree order."""
    return queries.organisation_list(
        request.auth, division_code=filters.division, kind=filters.kind, q=filters.q
    )


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
def get_organisation(request, organisation_id: int):
    return queries.organisation_detail(request.auth, organisation_id)


@router.post(
    "/organisations",
    response={201: OrganisationOut},
    auth=api_auth(actions.MANAGE_ORGANISATION),
    openapi_extra=OPENAPI_HEADER,
)
@decorate_view(idempotent)
def create_organisation(request, payload: OrganisationIn):
    """新建机构. Send an ``Idempotency-Key`` header to make retries safe."""
    division = Division.objects.filter(code=payload.division_code).first()
    if division is None:
        raise ValidationError({"division_code": _("行政区划代码不存在。")})
    parent = None
    if payload.parent_id is not None:
        parent = queries.visible_organisations(request.auth).filter(pk=payload.parent_id).first()
        if parent is None:
            raise ValidationError({"parent_id": _("上级机构不存在或不在您的数据范围内。")})
    organisation = actions.create_organisation(
        actor=request.auth,
        name=payload.name,
        short_name=payload.short_name,
        kind=payload.kind,
        category=payload.category,
        rank=payload.rank,
        subordination=payload.subordination,
        uscc=payload.uscc,
        division=division,
        parent=parent,
        request=request,
    )
    return Status(201, organisation)


@router.patch(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    auth=api_auth(actions.MANAGE_ORGANISATION),
)
def update_organisation(request, organisation_id: int, payload: OrganisationPatch):
    organisation = queries.manageable_organisation(request.auth, organisation_id)
    changes = payload.model_dump(exclude_unset=True)
    return actions.update_organisation(
        actor=request.auth, organisation=organisation, changes=changes, request=request
    )


@router.get("/me", response=MeOut)
def me(request):
    """The caller: account, organisation, roles, and each permission with its data scope."""
    user = request.auth
    permissions = {
        code: str(DataScope(scope_for(user, code)).label) for code in sorted(permissions_of(user))
    }
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "kind": user.kind,
        "organisation": user.organisation,
        "roles": list(user.roles.all()),
        "permissions": permissions,
    }
