"""Writing the audit trail. ``record_event`` is the only way an event is written.

Also here: the retention purge (``purge_expired``), and the records of reading the trail
(``authorize_view``, ``record_view``) and of verifying it (``record_verification``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tongzheng.audit.models import MINIMUM_RETENTION_DAYS, AuditEvent, Outcome, Retention
from tongzheng.core.access import has_permission, require_permission

if TYPE_CHECKING:
    from tongzheng.audit.verify import VerificationResult

GENESIS = "0" * 64


def canonical(event: AuditEvent) -> bytes:
    """The bytes the chain hashes: every recorded field, in a fixed order and form."""
    fields = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "organisation_id": event.organisation_id,
        "organisation_name": event.organisation_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "outcome": event.outcome,
        "source_address": event.source_address,
        "detail": event.detail,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_digest(previous_digest: str, event: AuditEvent) -> str:
    return hashlib.new("sm3", previous_digest.encode() + canonical(event)).hexdigest()


def source_address(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:45]


def _lock_chain_head() -> None:
    # The chain is a single sequence: appends must not interleave. SQLite already has one
    # writer (transactions begin IMMEDIATE); PostgreSQL takes a transaction advisory lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x7A4A])


def _chain_head() -> str:
    """The newest event's digest (GENESIS on an empty trail), read after the lock.

    A statement of its own: under READ COMMITTED a statement sees what was committed when
    it began, so a head read in the lock's statement could miss the event of a writer
    that committed while this one waited. Plain SQL: the ORM built and compiled this
    query on every audited write (~300 Python calls of the intake's ~9k).
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT digest FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else GENESIS


def record_event(
    *,
    actor,
    action: str,
    target=None,
    outcome: str = Outcome.SUCCESS,
    request=None,
    detail: dict | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (or its own)."""
    # No savepoint: the event belongs to the caller's operation, which rolls back whole if
    # the event cannot be written (nobody catches that and goes on), and a savepoint would
    # cost every audited write two more round trips.
    with transaction.atomic(savepoint=False):
        _lock_chain_head()
        user = actor if getattr(actor, "pk", None) else None
        organisation = getattr(user, "organisation", None)
        event = AuditEvent(
            at=timezone.now(),
            actor=user,
            actor_name=(actor_name or (user.get_username() if user else ""))[:150],
            organisation_id=organisation.pk if organisation else None,
            organisation_name=organisation.name[:200] if organisation else "",
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            object_repr=str(target)[:200] if target is not None else "",
            outcome=outcome,
            source_address=source_address(request),
            detail=detail or {},
        )
        event.previous_digest = _chain_head()
        event.digest = chain_digest(event.previous_digest, event)
        event.save(force_insert=True)
        return event


# --- Retention and purge --------------------------------------------------------------

PURGE_ACTION = "audit.purged"
VIEW_ACTION = "audit.viewed"
VERIFY_ACTION = "audit.verified"
VIEW_PERMISSION = "audit.view_event"

# Rows are removed a batch at a time, each batch one DELETE of the oldest remaining ids.
PURGE_BATCH = 5000
# The app's clock and the database's may differ a little; stay clear of the trigger's edge.
PURGE_CLOCK_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class PurgeResult:
    removed: int
    through_id: int | None  # the newest removed event's id
    anchor: str  # previous_digest of the oldest remaining event: where verification starts
    retention_days: int
    cutoff: datetime
    event: AuditEvent


def sync_retention() -> int:
    """Bring the stored retention up to ``AUDIT_RETENTION_DAYS`` and return the days in force.

    The database lets the stored figure only grow: a setting lower than the stored figure
    is ignored (the stored, longer period stays in force).
    """
    wanted = max(MINIMUM_RETENTION_DAYS, int(settings.AUDIT_RETENTION_DAYS))
    retention, _created = Retention.objects.get_or_create(id=1, defaults={"days": wanted})
    if wanted > retention.days:
        retention.days = wanted
        retention.save(update_fields=["days", "changed_at"])
    return retention.days


def purge_expired(*, actor=None, actor_name: str = "", request=None) -> PurgeResult:
    """Delete events older than the retention period, oldest first, and record the purge.

    The newest event is always kept so that the purge event links to the chain. The
    database refuses (and this transaction rolls back) if any removed event is younger
    than the stored retention or if an older event would remain.
    """
    with transaction.atomic():
        _lock_chain_head()
        days = sync_retention()
        cutoff = timezone.now() - timedelta(days=days) - PURGE_CLOCK_MARGIN
        newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        first_young = (
            AuditEvent.objects.filter(at__gte=cutoff)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        limit = newest if first_young is None else min(first_young, newest or 0)
        removable = AuditEvent.objects.filter(id__lt=limit) if limit else AuditEvent.objects.none()
        last = removable.order_by("-id").values_list("id", "digest").first()
        removed = 0
        if last is not None:
            table = connection.ops.quote_name(AuditEvent._meta.db_table)
            while True:
                batch = list(removable.order_by("id").values_list("id", flat=True)[:PURGE_BATCH])
                if not batch:
                    break
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [batch[-1]])  # noqa: S608
                    removed += cursor.rowcount
        oldest = AuditEvent.objects.order_by("id").values_list("previous_digest", flat=True).first()
        anchor = last[1] if last is not None else (oldest or GENESIS)
        event = record_event(
            actor=actor,
            actor_name=actor_name,
            action=PURGE_ACTION,
            request=request,
            detail={
                "removed": removed,
                "through_id": last[0] if last is not None else None,
                "anchor": anchor,
                "retention_days": days,
                "cutoff": cutoff.isoformat(timespec="seconds"),
            },
        )
        return PurgeResult(
            removed=removed,
            through_id=last[0] if last is not None else None,
            anchor=anchor,
            retention_days=days,
            cutoff=cutoff,
            event=event,
        )


# --- Reading the trail is itself audited -------------------------------------------------


def authorize_view(*, actor, request=None, what: str = "") -> None:
    """Refuse (and record the refusal) unless ``actor`` holds audit.view_event."""
    if not has_permission(actor, VIEW_PERMISSION):
        record_event(
            actor=actor,
            action=VIEW_ACTION,
            outcome=Outcome.DENIED,
            request=request,
            detail={"view": what},
        )
    require_permission(actor, VIEW_PERMISSION)


def record_view(
    *, actor, request=None, what: str, target=None, detail: dict | None = None
) -> AuditEvent:
    """Record that ``actor`` read the audit trail (list, detail or chain status)."""
    with transaction.atomic():
        require_permission(actor, VIEW_PERMISSION)
        return record_event(
            actor=actor,
            action=VIEW_ACTION,
            target=target,
            request=request,
            detail={"view": what, **(detail or {})},
        )


def record_verification(
    *, actor=None, actor_name: str = "", request=None, result: VerificationResult
) -> AuditEvent:
    """Record the outcome of a chain verification (from the console or the chain-status page)."""
    with transaction.atomic():
        if getattr(actor, "pk", None) is not None:
            require_permission(actor, VIEW_PERMISSION)
        return record_event(
            actor=actor,
            actor_name=actor_name,
            action=VERIFY_ACTION,
            outcome=Outcome.SUCCESS if result.ok else Outcome.FAILURE,
            request=request,
            detail=result.as_detail(),
        )
