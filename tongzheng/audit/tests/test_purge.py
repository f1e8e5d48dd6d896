"""Retention: the purge removes only expired events, oldest first, and the chain still verifies."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongzheng.audit.actions import GENESIS, PURGE_ACTION, purge_expired
from tongzheng.audit.models import AuditEvent, Retention
from tongzheng.audit.tests.conftest import make_events, raw
from tongzheng.audit.verify import BreakKind, verify_chain

pytestmark = pytest.mark.django_db


def test_purge_removes_old_events_keeps_young_ones_and_the_chain_verifies():
    old = make_events(4, days_ago=200)
    young = make_events(3, days_ago=10)
    result = purge_expired(actor_name="console:test")
    assert result.removed == 4
    assert result.through_id == old[-1].id
    assert result.anchor == old[-1].digest == young[0].previous_digest
    remaining = list(AuditEvent.objects.values_list("id", flat=True))
    assert remaining == [e.id for e in young] + [result.event.id]
    # The purge is itself an event, with what it did.
    purge = AuditEvent.objects.get(pk=result.event.pk)
    assert purge.action == PURGE_ACTION
    assert purge.actor_name == "console:test"
    assert purge.detail["removed"] == 4
    assert purge.detail["anchor"] == old[-1].digest
    assert purge.detail["retention_days"] == 184
    verified = verify_chain()
    assert verified.ok, verified.broken
    assert verified.first_id == young[0].id
    assert verified.anchor == old[-1].digest
    assert verified.count == 4


def test_purge_of_young_events_removes_nothing():
    young = make_events(3, days_ago=183)
    result = purge_expired()
    assert result.removed == 0
    assert result.anchor == GENESIS
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in young]).count() == 3
    assert verify_chain().ok


def test_purge_always_keeps_the_newest_event_as_the_link():
    old = make_events(3, days_ago=400)
    result = purge_expired()
    assert result.removed == 2
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [old[-1].id, result.event.id]
    assert verify_chain().ok


def test_purge_stops_at_the_first_young_event_even_if_older_ones_follow():
    """Events are removed as a prefix of the chain: a young event protects all after it."""
    first = make_events(2, days_ago=300)
    make_events(1, days_ago=5)
    late = make_events(2, days_ago=300)  # a clock set back, say
    result = purge_expired()
    assert result.removed == 2 and result.through_id == first[-1].id
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in late]).count() == 2
    assert verify_chain().ok


def purge_as_of(days_ago: int):
    """Run the purge as if it were ``days_ago`` days ago (the triggers still use real time)."""
    with mock.patch(
        "tongzheng.audit.actions.timezone.now", return_value=timezone.now() - timedelta(days_ago)
    ):
        return purge_expired()


def test_a_second_purge_verifies_against_the_newest_purge_anchor():
    make_events(3, days_ago=500)
    first = purge_as_of(300)
    assert first.removed == 2
    more_old = make_events(2, days_ago=250)
    young = make_events(1)
    second = purge_expired()
    # Everything before the young event: the event the first purge kept, the first purge's
    # own event (300 days old by now) and the two 250-day-old ones.
    assert second.removed == 4
    assert second.anchor == more_old[-1].digest == young[0].previous_digest
    result = verify_chain()
    assert result.ok and result.anchor == second.anchor


def test_young_events_cannot_be_deleted_after_a_purge_either():
    make_events(2, days_ago=300)
    young = make_events(2, days_ago=1)
    purge_expired()
    with pytest.raises(IntegrityError, match="retention period"), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [young[0].id])


def test_old_events_removed_outside_the_purge_break_the_anchor():
    old = make_events(3, days_ago=300)
    make_events(2)
    # The triggers allow this (old, oldest first) but the purge did not record it.
    raw("DELETE FROM audit_auditevent WHERE id = %s", [old[0].id])
    result = verify_chain()
    assert result.broken.id == old[1].id
    assert result.broken.kind == BreakKind.ANCHOR
    assert result.broken.expected == GENESIS


def test_old_events_removed_after_a_purge_break_the_anchor():
    make_events(2, days_ago=400)
    kept = make_events(2, days_ago=300)
    make_events(1)
    assert purge_as_of(150).removed == 2  # its cutoff is 334 days ago: the 300-day ones stay
    assert verify_chain().ok
    raw("DELETE FROM audit_auditevent WHERE id = %s", [kept[0].id])
    result = verify_chain()
    assert result.broken.id == kept[1].id
    assert result.broken.kind == BreakKind.ANCHOR


def test_retention_follows_a_longer_setting_and_never_shrinks(settings):
    make_events(1, days_ago=300)
    make_events(1, days_ago=200)
    make_events(1)
    settings.AUDIT_RETENTION_DAYS = 250
    first = purge_expired()
    assert first.retention_days == 250
    assert Retention.objects.get(id=1).days == 250
    assert first.removed == 1  # the 300-day-old one
    settings.AUDIT_RETENTION_DAYS = 184
    second = purge_expired()
    assert second.retention_days == 250  # the stored, longer period stays in force
    assert second.removed == 0
    assert verify_chain().ok


def test_a_purge_that_the_database_refuses_changes_nothing(bypass):
    """If the stored retention is longer than the app thinks, the triggers refuse and the
    whole purge (deletes and its event) rolls back."""
    make_events(2, days_ago=200)
    make_events(1)
    with bypass():
        Retention.objects.filter(id=1).update(days=190)
    before = list(AuditEvent.objects.values_list("id", flat=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tongzheng.audit.actions.sync_retention", lambda: 184)
        patch.setattr("django.conf.settings.AUDIT_RETENTION_DAYS", 184)
        with bypass():
            Retention.objects.filter(id=1).update(days=250)
        with pytest.raises(IntegrityError, match="retention period"), transaction.atomic():
            purge_expired()
    assert list(AuditEvent.objects.values_list("id", flat=True)) == before


def test_a_purge_between_reading_the_anchor_and_the_events_is_not_a_false_alarm():
    make_events(3, days_ago=300)
    make_events(1)
    purge = purge_expired()
    from tongzheng.audit import verify

    real = verify.expected_anchor
    answers = iter([GENESIS])  # what verification read just before the purge committed
    with mock.patch.object(verify, "expected_anchor", lambda: next(answers, None) or real()):
        result = verify.verify_chain()
    assert result.ok and result.anchor == purge.anchor
