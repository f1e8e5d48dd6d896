"""Writing the audit trail. ``record_event`` is the only way an event is written."""

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone

from tongzheng.audit.models import AuditEvent, Outcome

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
    with transaction.atomic():
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
        last = AuditEvent.objects.order_by("-id").values_list("digest", flat=True).first()
        event.previous_digest = last or GENESIS
        event.digest = chain_digest(event.previous_digest, event)
        event.save(force_insert=True)
        return event
