"""``tongzheng check id|uscc VALUE`` and ``tongzheng calendar add|between``."""

import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.utils import ConnectionHandler
from stdnum.cn import ric

from tongzheng.core import calendar
from tongzheng.core.models import CalendarOverride

TONGZHENG = Path(sys.executable).parent / "tongzheng"
REPO = Path(__file__).resolve().parents[3]

VALID_ID = "510104199001010019"  # 成都市锦江区: python-stdnum's own table rejects this area
VALID_USCC = "91110000600037341L"


def run(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    assert TONGZHENG.exists(), f"{TONGZHENG} missing: run `make` (pip install -e .) first"
    env = {**os.environ, "TONGZHENG_MODE": "test"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [str(TONGZHENG), *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120
    )


def call(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_valid_id_fixture_is_really_valid():
    # GB 11643 / ISO 7064 MOD 11-2 computed by hand, independently of python-stdnum.
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(digit) * weight for digit, weight in zip(VALID_ID[:17], weights, strict=True))
    assert "10X98765432"[total % 11] == VALID_ID[17]
    assert ric.calc_check_digit(VALID_ID) == VALID_ID[17]


def test_check_id_ok_and_reason():
    assert call("check", "id", VALID_ID) == "OK"
    with pytest.raises(CommandError, match="校验码"):
        call("check", "id", VALID_ID[:17] + "1")
    with pytest.raises(CommandError, match="18位"):
        call("check", "id", "51010419900101")


def test_check_uscc_ok_and_reason():
    assert call("check", "uscc", VALID_USCC) == "OK"
    with pytest.raises(CommandError, match="统一社会信用代码"):
        call("check", "uscc", VALID_USCC[:-1] + "M")


def test_plain_check_still_runs_django_system_checks():
    # Our command replaces Django's `check`; without id/uscc it must behave like it.
    out = StringIO()
    call_command("check", "--tag", "models", stdout=out, stderr=StringIO())
    assert "System check identified" in out.getvalue()


def test_subprocess_check_id_exit_codes():
    ok = run("check", "id", VALID_ID)
    assert (ok.returncode, ok.stdout.strip()) == (0, "OK"), ok.stderr
    bad = run("check", "id", VALID_ID[:17] + "1")
    assert bad.returncode != 0
    assert "校验码" in bad.stderr, bad.stderr


def test_subprocess_check_uscc_exit_codes():
    bad = run("check", "uscc", "91110000600037341")
    assert bad.returncode != 0
    assert "18位" in bad.stderr
    ok = run("check", "uscc", VALID_USCC)
    assert (ok.returncode, ok.stdout.strip()) == (0, "OK"), ok.stderr


@pytest.mark.django_db
def test_calendar_add_and_between_commands():
    calendar.clear_cache()
    assert call("calendar", "add", "2026-09-30", "1") == "2026-10-08"
    assert call("calendar", "add", "2026-09-30", "3") == "2026-10-10"
    assert call("calendar", "add", "2026-10-08", "-1") == "2026-09-30"
    assert call("calendar", "between", "2026-09-25", "2026-10-08") == "4"
    assert call("calendar", "between", "2026-10-08", "2026-09-25") == "-4"
    with pytest.raises(CommandError, match="ISO date"):
        call("calendar", "add", "30/09/2026", "1")


@pytest.mark.django_db
def test_calendar_command_warns_about_unknown_years():
    err = StringIO()
    call_command("calendar", "add", "2031-01-03", "1", stdout=StringIO(), stderr=err)
    assert "2031" in err.getvalue()


@pytest.fixture
def calendar_database(tmp_path, django_db_blocker):
    """A SQLite file holding only the override table, with 8 October 2026 ruled a holiday."""
    path = tmp_path / "calendar.sqlite3"
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}
    )
    connection = handler["default"]
    now = datetime.datetime.now(datetime.UTC).isoformat(" ")
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # The model's own table, minus the foreign key to a user table this file lacks.
        cursor.execute(
            f"CREATE TABLE {CalendarOverride._meta.db_table} (id integer PRIMARY KEY"
            " AUTOINCREMENT, date date NOT NULL UNIQUE, is_working_day bool NOT NULL,"
            " reason varchar(200) NOT NULL, created_by_id bigint NULL,"
            " created_at datetime NOT NULL, updated_at datetime NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {CalendarOverride._meta.db_table} (date, is_working_day, reason,"
            " created_at, updated_at) VALUES ('2026-10-08', 0, 'test', %s, %s)",
            [now, now],
        )
    connection.close()
    return f"sqlite:///{path}"


def test_subprocess_calendar_add_and_between(calendar_database):
    added = run("calendar", "add", "2026-09-30", "1", database_url=calendar_database)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "2026-10-09"  # the override made 8 October a holiday
    between = run("calendar", "between", "2026-09-25", "2026-10-09", database_url=calendar_database)
    assert (between.returncode, between.stdout.strip()) == (0, "4")
    bad = run("calendar", "add", "not-a-date", "1", database_url=calendar_database)
    assert bad.returncode != 0
    assert "ISO date" in bad.stderr
