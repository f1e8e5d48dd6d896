"""Writes of the core app: calendar overrides, the audited reveal of personal data, organisations.

Each action is one transaction holding its permission check and its audit record.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.audit.models import Outcome
from tongzheng.core.access import DataScope, has_permission, require_permission, scope_for
from tongzheng.core.fields import sealed_values
from tongzheng.core.models import CalendarOverride, Division, Organisation, Rank

MANAGE_CALENDAR = "core.manage_calendar"
REVEAL_PERSONAL_DATA = "core.reveal_personal_data"

REASON_MAX_LENGTH = 200


def _clean_reason(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("理由不能超过%(max)d个字。") % {"max": REASON_MAX_LENGTH}, code="reason_too_long"
        )
    return reason


def add_calendar_override(
    *, actor, date: datetime.date, is_working_day: bool, reason: str, request=None
) -> CalendarOverride:
    """Rule that ``date`` is (or is not) a working day, winning over the holiday package."""
    reason = _clean_reason(reason, _("请填写调整依据，例如国务院办公厅通知的文号。"))
    with transaction.atomic():
        require_permission(actor, MANAGE_CALENDAR)
        if CalendarOverride.objects.filter(date=date).exists():
            raise ValidationError(
                _("%(date)s 已有调整记录，请先删除再添加。") % {"date": date.isoformat()},
                code="duplicate",
            )
        override = CalendarOverride.objects.create(
            date=date, is_working_day=is_working_day, reason=reason, created_by=actor
        )
        record_event(
            actor=actor,
            action="calendar.override_added",
            target=override,
            request=request,
            detail={
                "date": date.isoformat(),
                "is_working_day": is_working_day,
                "reason": reason,
            },
        )
    return override


def remove_calendar_override(*, actor, override: CalendarOverride, request=None) -> None:
    """Remove an administrator's ruling; the package (or Monday-Friday) applies again."""
    with transaction.atomic():
        require_permission(actor, MANAGE_CALENDAR)
        record_event(
            actor=actor,
            action="calendar.override_removed",
            target=override,
            request=request,
            detail={
                "date": override.date.isoformat(),
                "is_working_day": override.is_working_day,
                "reason": override.reason,
            },
        )
        override.delete()


def _in_scope(actor, target, permission: str) -> bool:
    manager = type(target)._default_manager
    if not hasattr(manager, "for_user"):
        return True  # the model carries no data scope; the permission alone decides
    return manager.for_user(actor, permission).filter(pk=target.pk).exists()


def reveal_personal_data(
    *,
    actor,
    target,
    field_name: str,
    reason: str,
    request=None,
    permission: str = REVEAL_PERSONAL_DATA,
) -> str:
    """The unmasked value of ``target.<field_name>`` (a SealedValue), audited with the reason.

    Needs ``permission`` (by default ``core.reveal_personal_data``) with a data scope
    covering the target, and a stated reason. The audit event records the field, the
    target and the reason, never the value. A refused attempt for lack of permission is
    audited too. A module passes its own narrower permission when a role should reveal
    one field of its own records only: permissions combine across a user's roles, so the
    general one given for a hotline phone would also open a staff member's ID number.
    """
    sealed = sealed_values(target).get(field_name)
    if sealed is None:
        raise ValueError(f"{type(target).__name__}.{field_name} is not a SealedValue")
    if not has_permission(actor, permission):
        record_event(
            actor=actor,
            action="personal_data.revealed",
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            detail={"field": field_name},
        )
        require_permission(actor, permission)
    reason = _clean_reason(reason, _("查看完整个人信息必须填写理由。"))
    with transaction.atomic():
        require_permission(actor, permission)
        if not _in_scope(actor, target, permission):
            raise Http404
        value = sealed.unseal(target)
        record_event(
            actor=actor,
            action="personal_data.revealed",
            target=target,
            request=request,
            detail={"field": field_name, "reason": reason},
        )
    return value


# --- Organisations (机构) ---------------------------------------------------------------

VIEW_ORGANISATION = "core.view_organisation"
MANAGE_ORGANISATION = "core.manage_organisation"

# Fields an edit may change. Moving an organisation (parent, division) rewrites the paths
# of its whole subtree and is a separate operation, not an edit.
EDITABLE_ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "kind",
    "category",
    "rank",
    "subordination",
    "uscc",
    "is_active",
)


def _normalise_uscc(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value or None


def _check_placement(actor, division: Division, parent: Organisation | None) -> None:
    """A new organisation must land inside the actor's scope for managing organisations."""
    scope = scope_for(actor, MANAGE_ORGANISATION)
    if scope == DataScope.ALL:
        return
    if parent is not None:
        managed = Organisation.objects.for_user(actor, MANAGE_ORGANISATION)
        if not managed.filter(pk=parent.pk).exists():
            raise PermissionDenied(_("上级机构不在您的管理范围内。"))
        return
    home = getattr(actor, "organisation", None)
    if (
        scope == DataScope.DIVISION_AND_BELOW
        and home
        and division.path.startswith(home.division_path)
    ):
        return
    raise PermissionDenied(_("您只能在自己管理范围内的机构下新建机构。"))


def create_organisation(
    *,
    actor,
    name: str,
    kind: str,
    category: str,
    subordination: str,
    division: Division,
    parent: Organisation | None = None,
    short_name: str = "",
    rank: str = Rank.UNRANKED,
    uscc: str | None = None,
    request=None,
) -> Organisation:
    """新建机构: validated (USCC per GB 32100, choices, internal departments need a parent),
    placed inside the actor's scope, and audited."""
    with transaction.atomic():
        require_permission(actor, MANAGE_ORGANISATION)
        if parent is not None and not division.path.startswith(parent.division_path):
            raise ValidationError(
                {"division": _("机构所在区划必须是上级机构所在区划或其下级区划。")}
            )
        _check_placement(actor, division, parent)
        organisation = Organisation(
            name=(name or "").strip(),
            short_name=(short_name or "").strip(),
            kind=kind,
            category=category,
            rank=rank or Rank.UNRANKED,
            subordination=subordination,
            uscc=_normalise_uscc(uscc),
            division=division,
            parent=parent,
        )
        organisation.full_clean()
        organisation.save()
        record_event(
            actor=actor,
            action="core.organisation_created",
            target=organisation,
            request=request,
            detail={
                "name": organisation.name,
                "kind": organisation.kind,
                "division": division.code,
                "parent_id": parent.pk if parent else None,
                "uscc": organisation.uscc,
            },
        )
    return organisation


def update_organisation(
    *, actor, organisation: Organisation, changes: dict, request=None
) -> Organisation:
    """修改机构: only ``EDITABLE_ORGANISATION_FIELDS``; an edit that changes nothing writes nothing."""
    unknown = set(changes) - set(EDITABLE_ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError(
            _("这些字段不能在此修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))}
        )
    with transaction.atomic():
        require_permission(actor, MANAGE_ORGANISATION)
        organisation = (
            Organisation.objects.for_user(actor, MANAGE_ORGANISATION)
            .select_for_update()
            .filter(pk=organisation.pk)
            .first()
        )
        if organisation is None:
            raise Http404
        before = {name: getattr(organisation, name) for name in changes}
        for name, value in changes.items():
            if name == "uscc":
                value = _normalise_uscc(value)
            elif isinstance(value, str) and name not in ("kind", "category", "rank"):
                value = value.strip()
            setattr(organisation, name, value)
        diff = {
            name: [before[name], getattr(organisation, name)]
            for name in changes
            if before[name] != getattr(organisation, name)
        }
        if not diff:
            return organisation
        organisation.full_clean()
        organisation.save()
        record_event(
            actor=actor,
            action="core.organisation_updated",
            target=organisation,
            request=request,
            detail={"changes": diff},
        )
    return organisation
