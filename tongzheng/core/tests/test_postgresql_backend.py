"""core.postgresql: timestamps read by psycopg's C loader give exactly Django's values."""

import datetime

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

VALUES = (
    "SELECT '2026-11-28 12:00:00.5+00'::timestamptz - (g || ' minutes')::interval"
    " + (g * 7 || ' microseconds')::interval FROM generate_series(1, 500) g"
    " UNION ALL SELECT '2026-01-31 23:59:59.999999+08'::timestamptz"
    " UNION ALL SELECT '1900-01-01 00:00:00+00'::timestamptz"
    " UNION ALL SELECT '2024-02-29 08:00:00-05:30'::timestamptz"
    " UNION ALL SELECT NULL"
)


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend only")


def test_the_backend_reads_timestamps_in_c_and_as_django_does(postgresql):
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    from tongzheng.core.postgresql.base import UtcTimestamptzLoader

    with connection.cursor() as cursor:
        cursor.execute(VALUES)
        fast = cursor.fetchall()
        loader = cursor.cursor._tx.get_loader(1184, 0)  # timestamptz, text
    assert isinstance(loader, UtcTimestamptzLoader)
    assert "load" in vars(loader)  # the C loader's, not the regular expression in Python
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own loader, as before
        cursor.execute(VALUES)
        django_values = cursor.fetchall()
    assert fast == django_values
    assert all(v is None or v.tzinfo is datetime.UTC for (v,) in fast)
    assert fast[-1] == (None,)


def test_another_session_time_zone_keeps_djangos_loader(postgresql):
    """Outside UTC the C loader would give another tzinfo than Django's: Django's stays."""
    from tongzheng.core.postgresql.base import UtcTimestamptzLoader

    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Shanghai'")
        try:
            cursor.execute("SELECT '2026-11-28 12:00:00+00'::timestamptz")
            loader = cursor.cursor._tx.get_loader(1184, 0)
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert isinstance(loader, UtcTimestamptzLoader)
    assert "load" not in vars(loader)
