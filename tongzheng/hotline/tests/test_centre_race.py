"""A double submit racing itself: two dispatches or two revisits of the same ticket at the
same moment — exactly one acts (PostgreSQL).

Each thread has its own connection and transaction; the ticket row lock taken first makes
the second one see the first one's state and be refused. SQLite's in-memory test database
cannot be shared by threads (and its IMMEDIATE transactions serialize writers anyway).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tongzheng.audit.models import AuditEvent
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.models import Assignment, Satisfaction, TicketUpdate, UpdateKind
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(call, times=2):
    barrier, results = threading.Barrier(times, timeout=30), []

    def run():
        try:
            barrier.wait()
            call()
            results.append("ok")
        except ValidationError:
            results.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def test_a_double_dispatch_dispatches_once():
    world = centre_world("r1")
    filed = ticket(world)
    results = race(
        lambda: actions.dispatch_ticket(
            actor=world.operator, ticket=filed, lead=world.lead_org, assisting=[world.assist_org]
        )
    )
    assert results == ["ok", "refused"]
    assert Assignment.objects.filter(ticket=filed).count() == 2
    assert AuditEvent.objects.filter(action="hotline.ticket_dispatched").count() == 1


def test_a_double_revisit_reopens_once():
    world = centre_world("r2")
    filed = answered(world)
    results = race(
        lambda: actions.revisit_ticket(
            actor=world.operator, ticket=filed, satisfaction=Satisfaction.UNSATISFIED
        )
    )
    assert results == ["ok", "refused"]
    filed.refresh_from_db()
    assert filed.reopen_count == 1
    assert TicketUpdate.objects.filter(ticket=filed, kind=UpdateKind.REOPEN).count() == 1
