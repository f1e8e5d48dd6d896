"""Two clerks race for a unit's last slot: exactly one succeeds (PostgreSQL).

Each thread has its own database connection and its own transaction; the organisation
row lock taken before counting makes the second clerk count the first one's recruit.
SQLite's in-memory test database cannot be shared by threads (and its IMMEDIATE
transactions serialize writers anyway).
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import actions
from tongzheng.staffing.models import EstablishmentType, Movement, Person, QuotaLedgerEntry
from tongzheng.staffing.tests.factories import OFFICE_PERMISSIONS, resident_id, staffing_user

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(callables):
    barrier, results = threading.Barrier(len(callables), timeout=30), []

    def run(call):
        try:
            barrier.wait()
            results.append(("ok", call()))
        except ValidationError as exc:
            results.append(("refused", exc.messages[0]))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(("error", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_clerks_racing_for_the_last_slot_exactly_one_succeeds():
    # A flush by an earlier transactional test removes the seeded types.
    admin_type, _ = EstablishmentType.objects.get_or_create(
        code="administrative", defaults={"name": "行政编制", "order": 10}
    )
    city = DivisionFactory(code="510100", name="成都市")
    unit = OrganisationFactory(name="成都市教育局", division=city)
    QuotaLedgerEntry.objects.create(
        organisation=unit,
        establishment_type=admin_type,
        date=datetime.date(2026, 1, 5),
        reason="三定",
        increase=1,
    )
    clerks = [staffing_user(unit, OFFICE_PERMISSIONS, username=f"race_clerk_{n}") for n in range(2)]

    def recruit(clerk, n):
        return lambda: (
            actions.enter_person(
                actor=clerk,
                organisation=unit,
                establishment_type=admin_type,
                entry_method="transfer_in",
                name=f"竞争者{n}",
                gender="1",
                birth_date=datetime.date(1990, 1, 1),
                id_number=resident_id(n, birth="19900101"),
                date=datetime.date(2026, 3, 2),
            ).pk
        )

    results = race([recruit(clerk, n) for n, clerk in enumerate(clerks)])
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["ok", "refused"], results
    refusal = next(value for kind, value in results if kind == "refused")
    assert refusal == "成都市教育局 行政编制 核定 1 名，已占用 1 名，不能再入编。"
    assert Person.objects.filter(organisation=unit).count() == 1
    assert Movement.objects.filter(organisation=unit).count() == 1


def test_opposite_transfers_do_not_deadlock():
    admin_type, _ = EstablishmentType.objects.get_or_create(
        code="administrative", defaults={"name": "行政编制", "order": 10}
    )
    city = DivisionFactory(code="510100", name="成都市")
    first = OrganisationFactory(name="甲局", division=city)
    second = OrganisationFactory(name="乙局", division=city)
    for unit in (first, second):
        QuotaLedgerEntry.objects.create(
            organisation=unit,
            establishment_type=admin_type,
            date=datetime.date(2026, 1, 5),
            reason="三定",
            increase=2,
        )
    clerk = staffing_user(first, OFFICE_PERMISSIONS, username="race_transfer_clerk")
    people = []
    for n, unit in enumerate((first, second)):
        people.append(
            actions.enter_person(
                actor=clerk,
                organisation=unit,
                establishment_type=admin_type,
                entry_method="transfer_in",
                name=f"调动者{n}",
                gender="1",
                birth_date=datetime.date(1990, 1, 1),
                id_number=resident_id(n + 10, birth="19900101"),
                date=datetime.date(2026, 3, 2),
            )
        )

    def move(person, target):
        return lambda: (
            actions.transfer_internal(
                actor=clerk, person=person, to_organisation=target, date=datetime.date(2026, 3, 3)
            ).organisation_id
        )

    results = race([move(people[0], second), move(people[1], first)])
    assert sorted(kind for kind, _value in results) == ["ok", "ok"], results
    assert set(Person.objects.values_list("organisation_id", flat=True)) == {first.pk, second.pk}
