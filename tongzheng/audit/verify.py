"""Verifying the SM3 hash chain (审计链校验).

The events are read in id order as a stream (``iterator(chunk_size=...)``), so memory
stays flat at any size. For each event the digest is recomputed from its stored fields and
its ``previous_digest`` must equal the digest of the event before it. The oldest remaining
event's ``previous_digest`` is the anchor: the genesis value, or, after a purge, the digest
of the last purged event as written in the newest ``audit.purged`` event (so removing old
events outside ``tongzheng audit purge`` is detected too).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _

from tongzheng.audit import guard
from tongzheng.audit.actions import GENESIS, PURGE_ACTION, chain_digest
from tongzheng.audit.models import AuditEvent

DEFAULT_CHUNK_SIZE = 2000


class BreakKind:
    DIGEST = "digest"  # the record was changed: its digest does not match its content
    PREVIOUS = "previous"  # the link to the event before does not match (forged or reordered)
    GAP = "gap"  # the link does not match and ids are missing: events were removed
    ANCHOR = "anchor"  # the oldest event does not continue the last purge (or the genesis)


@dataclass(frozen=True)
class ChainBreak:
    id: int
    at: datetime
    kind: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        if self.kind == BreakKind.DIGEST:
            return _("摘要不符：记录内容在写入后被修改（应为 %(expected)s，实为 %(found)s）") % {
                "expected": self.expected,
                "found": self.found,
            }
        if self.kind == BreakKind.GAP:
            return _("断链：此前的记录缺失（前一摘要应为 %(expected)s，实为 %(found)s）") % {
                "expected": self.expected,
                "found": self.found,
            }
        if self.kind == BreakKind.ANCHOR:
            return _(
                "链首不符：最早的记录未接续最近一次清理或创世值，"
                "有记录在清理命令之外被删除（应为 %(expected)s，实为 %(found)s）"
            ) % {"expected": self.expected, "found": self.found}
        return _("前一摘要不符：记录被伪造或插入（应为 %(expected)s，实为 %(found)s）") % {
            "expected": self.expected,
            "found": self.found,
        }

    def as_detail(self) -> dict:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "expected": self.expected,
            "found": self.found,
        }


@dataclass(frozen=True)
class VerificationResult:
    count: int
    first_id: int | None = None
    last_id: int | None = None
    head_digest: str = ""
    anchor: str = GENESIS
    broken: ChainBreak | None = None
    missing_triggers: list[str] = field(default_factory=list)

    @property
    def chain_ok(self) -> bool:
        return self.broken is None

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.missing_triggers

    def as_detail(self) -> dict:
        return {
            "count": self.count,
            "first_id": self.first_id,
            "last_id": self.last_id,
            "head_digest": self.head_digest,
            "anchor": self.anchor,
            "broken": self.broken.as_detail() if self.broken else None,
            "missing_triggers": self.missing_triggers,
        }


def expected_anchor() -> str:
    """Where the chain must start: the newest purge's anchor, or the genesis value."""
    purge = (
        AuditEvent.objects.filter(action=PURGE_ACTION)
        .order_by("-id")
        .values_list("detail", flat=True)
        .first()
    )
    if purge and isinstance(purge.get("anchor"), str):
        return purge["anchor"]
    return GENESIS


def verify_chain(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> VerificationResult:
    """Recompute the whole chain in id order and stop at the first broken link."""
    anchor = expected_anchor()
    count = 0
    first_id = previous_id = None
    previous_digest = anchor
    broken = None
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if first_id is None:
            first_id = event.id
            if event.previous_digest != anchor and event.previous_digest == expected_anchor():
                # A purge committed between reading the anchor and reading the first event.
                anchor = previous_digest = event.previous_digest
        recomputed = chain_digest(event.previous_digest, event)
        if recomputed != event.digest:
            broken = ChainBreak(event.id, event.at, BreakKind.DIGEST, recomputed, event.digest)
        elif event.previous_digest != previous_digest:
            if previous_id is None:
                kind = BreakKind.ANCHOR
            elif event.id != previous_id + 1:
                kind = BreakKind.GAP
            else:
                kind = BreakKind.PREVIOUS
            broken = ChainBreak(event.id, event.at, kind, previous_digest, event.previous_digest)
        if broken is not None:
            break
        count += 1
        previous_id = event.id
        previous_digest = event.digest
    return VerificationResult(
        count=count,
        first_id=first_id,
        last_id=previous_id,
        head_digest=previous_digest if count else "",
        anchor=anchor,
        broken=broken,
        missing_triggers=guard.missing(connection),
    )
