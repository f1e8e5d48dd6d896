"""Double submission (PostgreSQL): two clicks of 答复 / 签收 / 延期 at once act exactly once.

Each thread has its own connection and transaction; the action locks the ticket row, then
the assignment row, before checking the state, so the second request waits for the first
and then finds the state already changed (ValidationError, nothing written).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.models import AssignmentRole, ExtensionRequest, TicketUpdate
from tongzheng.hotline.tests.factories_handling import (
    dispatched_ticket,
    handler_user,
    operator_user,
)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(callables):
    barrier, results = threading.Barrier(len(callables), timeout=30), []

    def run(call):
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

    threads = [threading.Thread(target=run, args=(call,)) for call in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


@pytest.fixture
def setup():
    from tongzheng.accounts.roles import ensure_builtin_roles

    ensure_builtin_roles()  # a flush by an earlier transactional test removes them
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    ticket = dispatched_ticket(lead, dispatcher=operator_user(centre))
    users = [handler_user(lead), handler_user(lead)]
    return ticket, ticket.assignments.get(role=AssignmentRole.LEAD), users


def test_two_accepts_at_once(setup):
    ticket, assignment, users = setup
    events = AuditEvent.objects.count()
    results = race([lambda u=u: actions.accept(actor=u, assignment=assignment) for u in users])
    assert results == ["ok", "refused"]
    assert AuditEvent.objects.count() == events + 1


def test_two_replies_at_once(setup):
    ticket, assignment, users = setup
    actions.accept(actor=users[0], assignment=assignment)
    results = race(
        [
            lambda u=u, n=n: actions.reply(actor=u, assignment=assignment, content=f"答复{n}")
            for n, u in enumerate(users)
        ]
    )
    assert results == ["ok", "refused"]
    assert TicketUpdate.objects.filter(ticket=ticket, kind="reply").count() == 1


def test_two_extension_requests_at_once(setup):
    ticket, assignment, users = setup
    actions.accept(actor=users[0], assignment=assignment)
    results = race(
        [
            lambda u=u: actions.request_extension(
                actor=u, assignment=assignment, working_days=2, reason="协调"
            )
            for u in users
        ]
    )
    assert results == ["ok", "refused"]
    assert ExtensionRequest.objects.filter(ticket=ticket).count() == 1
