"""Reading the audit trail, always scoped to the caller (审计管理员 with audit.view_event)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tongzheng.audit import guard
from tongzheng.audit.actions import VERIFY_ACTION, VIEW_PERMISSION
from tongzheng.audit.models import AuditEvent, Retention


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_for(user, filters: dict | None = None):
    """Events ``user`` may read, newest first, narrowed by the viewer's filters."""
    events = AuditEvent.objects.for_user(user, VIEW_PERMISSION)
    filters = filters or {}
    if filters.get("date_from"):
        events = events.filter(at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        events = events.filter(at__lt=_start_of(filters["date_to"] + timedelta(days=1)))
    if filters.get("actor"):
        events = events.filter(actor_name__icontains=filters["actor"])
    if filters.get("action"):
        events = events.filter(action__startswith=filters["action"])
    if filters.get("outcome"):
        events = events.filter(outcome=filters["outcome"])
    if filters.get("object"):
        term = filters["object"]
        events = events.filter(
            Q(object_repr__icontains=term) | Q(object_type__icontains=term) | Q(object_id=term)
        )
    return events.order_by("-id")


def event_for(user, pk: int) -> AuditEvent:
    """One event in the caller's scope, or 404."""
    return AuditEvent.objects.get_for_user(user, VIEW_PERMISSION, pk=pk)


@dataclass(frozen=True)
class ChainStatus:
    oldest: AuditEvent | None
    newest: AuditEvent | None
    retention_days: int | None
    retention_setting: int
    missing_triggers: list[str]
    verifications: list[AuditEvent]


def chain_status(user, *, recent: int = 10) -> ChainStatus:
    """The chain as a whole (it is one sequence, whatever the caller's scope): its ends,
    the guard, the retention in force and the latest verifications the caller may read."""
    retention = Retention.objects.filter(id=1).values_list("days", flat=True).first()
    return ChainStatus(
        oldest=AuditEvent.objects.order_by("id").first(),
        newest=AuditEvent.objects.order_by("-id").first(),
        retention_days=retention,
        retention_setting=settings.AUDIT_RETENTION_DAYS,
        missing_triggers=guard.missing(connection),
        verifications=list(events_for(user).filter(action=VERIFY_ACTION)[:recent]),
    )
