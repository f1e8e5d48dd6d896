"""Double clicks that really race (PostgreSQL): two threads, two connections, one result.

SQLite's in-memory test database cannot be shared by threads (and its IMMEDIATE
transactions serialize writers anyway).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tongzheng.services import actions
from tongzheng.services.models import Application, TaskKind
from tongzheng.services.tests.factories import handler, published_item, submitted_application

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
        except ValidationError as exc:
            results.append(exc.messages[0])
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


def test_two_clerks_accepting_at_once_accept_once():
    item = published_item()
    application, _code = submitted_application(item)
    one, two = handler(item.organisation), handler(item.organisation)
    results = race(
        [
            lambda: actions.accept(actor=one, application=application),
            lambda: actions.accept(actor=two, application=application),
        ]
    )
    assert results == ["ok", "办件已经受理，不能重复受理。"]
    application = Application.objects.get(pk=application.pk)
    assert application.events.filter(action="accept").count() == 1
    assert application.tasks.filter(kind=TaskKind.REVIEW).count() == 2


def test_the_last_two_departments_deciding_at_once_open_the_decision_once():
    item = published_item()
    application, _code = submitted_application(item)
    actions.accept(actor=handler(item.organisation), application=application)
    first, second = application.tasks.filter(kind=TaskKind.REVIEW).order_by("pk")
    one, two = handler(first.organisation), handler(second.organisation)
    results = race(
        [
            lambda: actions.decide_task(actor=one, task=first, approve=True),
            lambda: actions.decide_task(actor=two, task=second, approve=True),
        ]
    )
    assert results == ["ok", "ok"]
    application = Application.objects.get(pk=application.pk)
    assert application.status == "deciding"
    assert application.tasks.filter(kind=TaskKind.DECISION).count() == 1
