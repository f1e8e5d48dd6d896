"""Killing the importing process in the middle leaves the database as it was.

A child process imports a clean file with a tiny batch size and the test hook
``TONGZHENG_IMPORT_TEST_PAUSE``: after half the batches it writes how many personnel it
sees inside its transaction (more than before: rows were written) and sleeps. The test
then kills it with SIGKILL and counts again.

PostgreSQL: the child uses the test database itself (this test commits its data).
SQLite: the test database is in memory, so it is copied to a file with SQLite's backup
API and the child and the final count use that file.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel, Organisation
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import excel, imports
from tongzheng.staffing.models import Person
from tongzheng.staffing.tests.factories import PersonFactory, resident_id
from tongzheng.staffing.tests.test_import import make_uscc, person_row

CHILD = """
import sys, django
django.setup()
from tongzheng.accounts.models import User
from tongzheng.staffing import imports
imports.BATCH_SIZE = 2
imports.import_file(actor=User.objects.get(pk=int(sys.argv[1])), path=sys.argv[2])
print("finished")
"""

TABLES = {
    "personnel": Person._meta.db_table,
    "organisations": Organisation._meta.db_table,
    "audit": AuditEvent._meta.db_table,
}


def ensure_seeded_types() -> None:
    """The data migration's establishment types: a transactional test may have flushed them."""
    from importlib import import_module

    from tongzheng.staffing.models import EstablishmentType

    seed = import_module("tongzheng.staffing.migrations.0002_seed_establishment_types")
    for code, name, order in seed.ESTABLISHMENT_TYPES:
        EstablishmentType.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def _counts_in_file(path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {
            key: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for key, table in TABLES.items()
        }


def _counts() -> dict[str, int]:
    return {
        "personnel": Person.objects.count(),
        "organisations": Organisation.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _database_url(tmp_path) -> tuple[str, Path | None]:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings_dict["USER"] or ""
        password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
        host = settings_dict["HOST"] or "127.0.0.1"
        port = settings_dict["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}", None
    copy = tmp_path / "kill.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    return f"sqlite:///{copy}", copy


@pytest.mark.django_db(transaction=True)
def test_killing_the_import_midway_changes_nothing(tmp_path):
    ensure_seeded_types()
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", parent=province)
    unit = OrganisationFactory(name="成都市某局", division=city, uscc=make_uscc(1))
    PersonFactory(organisation=unit, id_number=resident_id(300))
    role = RoleFactory(permissions=[imports.IMPORT_PERMISSION], scope=DataScope.DIVISION_AND_BELOW)
    user = UserFactory(organisation=unit, roles=[role])
    new_unit = make_uscc(2)
    units = [
        [
            "成都市某局某中心",
            new_unit,
            unit.uscc,
            "510100",
            "事业单位",
            "事业单位",
            "",
            "市、地区",
            "",
        ]
    ]
    people = [person_row(i, unit.uscc, type_name="") for i in range(1, 7)]  # 3 batches of 2
    path = tmp_path / "import.xlsx"
    path.write_bytes(excel.template_workbook(unit_rows=units, person_rows=people))
    assert imports.validate_file(actor=user, path=path).ok
    before = _counts()
    url, sqlite_copy = _database_url(tmp_path)
    marker = tmp_path / "halfway"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TONGZHENG_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "tongzheng.settings",
        imports.PAUSE_ENV: "120",
        imports.MARKER_ENV: str(marker),
    }
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", CHILD, str(user.pk), str(path)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            if child.poll() is not None or time.monotonic() > deadline:
                out, err = child.communicate()
                pytest.fail(
                    f"the import did not reach its midpoint: {out!r} {err.decode()[-2000:]}"
                )
            time.sleep(0.05)
        seen_inside = int(marker.read_text())
    finally:
        child.kill()
        child.wait()
    # Inside its transaction the child had written the new unit and some personnel ...
    assert seen_inside > before["personnel"]
    # ... and after SIGKILL none of it is there.
    after = _counts_in_file(sqlite_copy) if sqlite_copy else _counts()
    assert after == before
