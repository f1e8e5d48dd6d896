"""Writes of the core app: calendar overrides and the audited reveal of personal data.

Each action is one transaction holding its permission check and its audit record.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.audit.models import Outcome
from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.fields import sealed_values
from tongzheng.core.models import CalendarOverride

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


def _in_scope(actor, target) -> bool:
    manager = type(target)._default_manager
    if not hasattr(manager, "for_user"):
        return True  # the model carries no data scope; the permission alone decides
    return manager.for_user(actor, REVEAL_PERSONAL_DATA).filter(pk=target.pk).exists()


def reveal_personal_data(*, actor, target, field_name: str, reason: str, request=None) -> str:
    """The unmasked value of ``target.<field_name>`` (a SealedValue), audited with the reason.

    Needs the permission ``core.reveal_personal_data`` with a data scope covering the
    target, and a stated reason. The audit event records the field, the target and the
    reason, never the value. A refused attempt for lack of permission is audited too.
    """
    sealed = sealed_values(target).get(field_name)
    if sealed is None:
        raise ValueError(f"{type(target).__name__}.{field_name} is not a SealedValue")
    if not has_permission(actor, REVEAL_PERSONAL_DATA):
        record_event(
            actor=actor,
            action="personal_data.revealed",
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            detail={"field": field_name},
        )
        require_permission(actor, REVEAL_PERSONAL_DATA)
    reason = _clean_reason(reason, _("查看完整个人信息必须填写理由。"))
    with transaction.atomic():
        require_permission(actor, REVEAL_PERSONAL_DATA)
        if not _in_scope(actor, target):
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

