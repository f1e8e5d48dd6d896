"""Two transactions appending at once still make one valid chain (PostgreSQL advisory lock).

On SQLite the single writer (BEGIN IMMEDIATE) serialises appends by itself, and the
in-memory test database cannot be shared across threads, so these run on PostgreSQL only.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from tongzheng.audit.actions import record_event
from tongzheng.audit.models import AuditEvent
from tongzheng.audit.tests.conftest import on_postgresql
from tongzheng.audit.verify import verify_chain

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True)]


def in_thread(target, errors):
    def run():
        try:
            target()
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def waiting_on_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


def test_second_transaction_waits_for_the_first_and_links_to_it():
    recorded, release, errors = threading.Event(), threading.Event(), []

    def first():
        with transaction.atomic():
            record_event(actor=None, actor_name="first", action="test.first")
            recorded.set()
            release.wait(timeout=30)

    def second():
        recorded.wait(timeout=30)
        with transaction.atomic():
            record_event(actor=None, actor_name="second", action="test.second")

    threads = [in_thread(first, errors), in_thread(second, errors)]
    for thread in threads:
        thread.start()
    recorded.wait(timeout=30)
    waited = False
    for _ in range(600):  # poll until the second transaction queues on the lock
        if waiting_on_advisory_lock():
            waited = True
            break
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert waited, "the second append did not wait for the first transaction's chain lock"
    first_event, second_event = AuditEvent.objects.order_by("id")
    assert (first_event.action, second_event.action) == ("test.first", "test.second")
    assert second_event.previous_digest == first_event.digest
    assert verify_chain().ok


def test_interleaved_appends_from_two_threads_form_one_chain():
    barrier, errors = threading.Barrier(2, timeout=30), []

    def writer(name):
        def run():
            barrier.wait()
            for i in range(20):
                with transaction.atomic():
                    record_event(actor=None, actor_name=name, action="test.burst", detail={"i": i})

        return run

    threads = [in_thread(writer("a"), errors), in_thread(writer("b"), errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    result = verify_chain()
    assert result.ok, result.broken
    assert result.count == 40
    previous = list(AuditEvent.objects.values_list("previous_digest", flat=True))
    assert len(set(previous)) == 40  # no fork: no two events claim the same predecessor
