"""An import and a movement racing for the last slot (PostgreSQL row locks).

A movement holds the unit's row lock (as ``staffing.actions.lock_organisations`` takes
it); the import starts, validates nothing yet and waits on that lock (seen in
pg_stat_activity); the movement fills the last slot and commits; the import then
re-checks the quota under the lock and refuses the file, writing nothing.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel, Organisation
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import excel, imports
from tongzheng.staffing.models import Person
from tongzheng.staffing.tests.factories import (
    PersonFactory,
    QuotaLedgerEntryFactory,
    resident_id,
)
from tongzheng.staffing.tests.test_import import make_uscc, person_row
from tongzheng.staffing.tests.test_import_kill import ensure_seeded_types


@pytest.mark.django_db(transaction=True)
def test_import_waits_for_a_movement_and_then_refuses_the_last_slot(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has a single writer)")
    ensure_seeded_types()
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", parent=province)
    unit = OrganisationFactory(name="成都市某局", division=city, uscc=make_uscc(1))
    QuotaLedgerEntryFactory(organisation=unit, increase=1)  # one free slot
    role = RoleFactory(permissions=[imports.IMPORT_PERMISSION], scope=DataScope.DIVISION_AND_BELOW)
    user = UserFactory(organisation=unit, roles=[role])
    path = tmp_path / "one.xlsx"
    path.write_bytes(excel.template_workbook(person_rows=[person_row(1, unit.uscc)]))
    assert imports.validate_file(actor=user, path=path).ok

    locked = threading.Event()
    release = threading.Event()
    outcome = {}

    def movement():
        try:
            with transaction.atomic():
                list(Organisation.objects.select_for_update().filter(pk=unit.pk).values("pk"))
                locked.set()
                release.wait(60)
                PersonFactory(organisation=unit, id_number=resident_id(2))
        finally:
            connections.close_all()

    def importer():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            imports.import_file(actor=user, path=path)
            outcome["result"] = "imported"
        except imports.ImportRefused as refused:
            outcome["result"] = refused.validation.problems
        except Exception as exc:  # reported by the assertion below
            outcome["result"] = repr(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=movement)
    first.start()
    assert locked.wait(60)
    second = threading.Thread(target=importer)
    second.start()
    waiting = False
    deadline = time.monotonic() + 60
    while not waiting and time.monotonic() < deadline:
        if "pid" in outcome:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [outcome["pid"]]
                )
                row = cursor.fetchone()
                waiting = bool(row) and row[0] == "Lock"
        time.sleep(0.05)
    release.set()
    first.join(60)
    second.join(60)
    assert waiting, "the import did not wait for the unit's row lock"
    problems = outcome["result"]
    assert isinstance(problems, list), problems
    assert [(p.row, p.column) for p in problems] == [(2, "编制类型")]
    assert "核定 1 名、实有 1 名" in problems[0].message
    assert Person.objects.filter(organisation=unit).count() == 1
