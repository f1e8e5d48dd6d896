"""The SM3 hash chain: valid after appends; every kind of tampering found at the exact id."""

import pytest
from django.utils import timezone

from tongzheng.audit.actions import GENESIS, chain_digest
from tongzheng.audit.models import AuditEvent
from tongzheng.audit.tests.conftest import make_events, raw
from tongzheng.audit.verify import BreakKind, verify_chain

pytestmark = pytest.mark.django_db


def test_empty_chain_is_valid():
    result = verify_chain()
    assert result.ok and result.count == 0 and result.first_id is None


def test_chain_is_valid_after_n_events_and_links_each_to_the_last():
    events = make_events(25)
    result = verify_chain(chunk_size=7)  # several chunks
    assert result.ok, result.broken
    assert result.count == 25
    assert (result.first_id, result.last_id) == (events[0].id, events[-1].id)
    assert events[0].previous_digest == GENESIS
    assert all(b.previous_digest == a.digest for a, b in zip(events, events[1:], strict=False))
    assert result.head_digest == events[-1].digest
    assert len(events[0].digest) == 64


def test_digest_is_sm3_of_previous_and_canonical_record():
    import hashlib

    from tongzheng.audit.actions import canonical

    (event,) = make_events(1)
    stored = AuditEvent.objects.get(pk=event.pk)
    expected = hashlib.new("sm3", GENESIS.encode() + canonical(stored)).hexdigest()
    assert stored.digest == expected == chain_digest(GENESIS, stored)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "accounts.role_changed"),
        ("actor_name", "某人"),
        ("outcome", "failure"),
        ("source_address", "10.0.0.9"),
    ],
)
def test_changed_field_is_reported_at_its_id(bypass, column, value):
    events = make_events(6)
    target = events[3]
    with bypass():
        assert raw(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, target.id])
    result = verify_chain(chunk_size=2)
    assert result.broken is not None
    assert result.broken.id == target.id
    assert result.broken.kind == BreakKind.DIGEST
    assert result.count == 3  # the three before it verified


def test_changed_time_is_reported(bypass):
    events = make_events(4)
    with bypass():
        AuditEvent.objects.filter(pk=events[1].pk).update(at=timezone.now())
    assert verify_chain().broken.id == events[1].id


def test_recomputed_digest_breaks_the_next_link(bypass):
    """A tamperer who also recomputes the row's own digest is caught at the next event."""
    events = make_events(5)
    target = AuditEvent.objects.get(pk=events[2].pk)
    target.detail = {"i": 99}
    with bypass():
        AuditEvent.objects.filter(pk=target.pk).update(
            detail=target.detail, digest=chain_digest(target.previous_digest, target)
        )
    result = verify_chain()
    assert result.broken.id == events[3].id
    assert result.broken.kind == BreakKind.PREVIOUS


def test_deleted_middle_row_is_reported_at_the_next_id(bypass):
    events = make_events(7)
    with bypass():
        assert raw("DELETE FROM audit_auditevent WHERE id = %s", [events[4].id]) == 1
    result = verify_chain()
    assert result.broken.id == events[5].id
    assert result.broken.kind == BreakKind.GAP
    assert result.broken.expected == events[3].digest
    assert result.broken.found == events[4].digest


def test_forged_row_appended_is_reported(bypass):
    events = make_events(3)
    with bypass():
        forged = AuditEvent.objects.create(
            at=timezone.now(),
            actor_name="伪造",
            action="accounts.login",
            outcome="success",
            previous_digest=events[-1].digest,
            digest="f" * 64,
        )
    result = verify_chain()
    assert result.broken.id == forged.id
    assert result.broken.kind == BreakKind.DIGEST


def test_forged_row_with_a_correct_digest_in_place_of_a_real_one_is_reported(bypass):
    events = make_events(5)
    forged = AuditEvent(
        id=events[2].id,
        at=events[2].at,
        actor_name="伪造",
        action="test.event",
        outcome="success",
        detail={"i": 2},
        previous_digest=events[1].digest,
    )
    forged.digest = chain_digest(forged.previous_digest, forged)
    with bypass():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].id])
        forged.save(force_insert=True)
    result = verify_chain()
    assert result.broken.id == events[3].id
    assert result.broken.kind == BreakKind.PREVIOUS


def test_forged_row_before_the_first_is_reported(bypass):
    events = make_events(3)
    with bypass():
        forged = AuditEvent(
            id=events[0].id - 1 if events[0].id > 1 else -1,
            at=events[0].at,
            action="test.event",
            outcome="success",
            previous_digest=GENESIS,
        )
        forged.digest = chain_digest(GENESIS, forged)
        forged.save(force_insert=True)
    result = verify_chain()
    # The forged row is self-consistent; the real first event no longer links to it.
    assert result.broken.id == events[0].id
    assert result.broken.kind in (BreakKind.PREVIOUS, BreakKind.GAP)
    assert result.broken.found == GENESIS
