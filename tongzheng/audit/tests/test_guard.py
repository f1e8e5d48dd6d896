"""The database refuses UPDATE and DELETE of audit events, whoever asks (ORM or raw SQL)."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction

from tongzheng.audit import guard
from tongzheng.audit.models import AuditEvent, Retention
from tongzheng.audit.tests.conftest import make_events, on_postgresql, raw

pytestmark = pytest.mark.django_db

APPEND_ONLY = "append-only"
RETENTION = "retention period"


@contextmanager
def refused(match):
    """The statement inside fails with the trigger's message (and only it is rolled back)."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        yield


def test_all_guard_triggers_are_installed():
    assert guard.missing(connection) == []


def test_orm_save_of_an_existing_event_is_refused():
    (event,) = make_events(1)
    event.action = "changed"
    with refused(APPEND_ONLY):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_orm_queryset_update_is_refused():
    make_events(3)
    with refused(APPEND_ONLY):
        AuditEvent.objects.update(outcome="failure")
    assert not AuditEvent.objects.filter(outcome="failure").exists()


def test_orm_delete_is_refused():
    events = make_events(3)
    with refused(RETENTION):
        events[0].delete()
    with refused(RETENTION):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3


def test_raw_sql_update_and_delete_are_refused():
    events = make_events(2)
    with refused(APPEND_ONLY):
        raw("UPDATE audit_auditevent SET digest = %s WHERE id = %s", ["0" * 64, events[0].id])
    with refused(RETENTION):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    with refused(RETENTION):
        raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_update_is_refused_even_for_old_events():
    (event,) = make_events(1, days_ago=400)
    with refused(APPEND_ONLY):
        raw("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.id])


def test_old_events_only_go_oldest_first():
    old = make_events(3, days_ago=300)
    with refused("older events must be removed first"):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [old[1].id])
    # The oldest may go (the purge command does this; see test_purge).
    assert raw("DELETE FROM audit_auditevent WHERE id = %s", [old[0].id]) == 1


def test_without_a_retention_row_every_delete_is_refused(bypass):
    (event,) = make_events(1, days_ago=3000)
    with bypass():
        Retention.objects.all().delete()
    with refused(RETENTION):
        raw("DELETE FROM audit_auditevent WHERE id = %s", [event.id])


def test_retention_may_only_grow_and_cannot_be_deleted():
    retention = Retention.objects.get(id=1)
    assert retention.days >= 184
    with refused("may only increase"):
        Retention.objects.filter(id=1).update(days=retention.days - 1)
    with refused("may only increase"):
        raw("DELETE FROM audit_retention")
    Retention.objects.filter(id=1).update(days=retention.days + 10)
    assert Retention.objects.get(id=1).days == retention.days + 10


def test_a_second_retention_row_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Retention.objects.create(id=2, days=999)


@on_postgresql
def test_truncate_is_refused_on_postgresql():
    make_events(2)
    with refused(APPEND_ONLY):
        raw("TRUNCATE audit_auditevent")
    with refused(APPEND_ONLY):
        raw("TRUNCATE audit_retention")
    assert AuditEvent.objects.count() == 2


def test_lifted_guard_is_reported_missing_and_restored(bypass):
    with bypass():
        assert set(guard.missing(connection)) == set(guard.trigger_names(connection))
    assert guard.missing(connection) == []
