"""Primary keys drawn before the row is written.

A row whose other columns are made from its own key (a ticket's number) can then be one
INSERT instead of INSERT and UPDATE; the demo loader reserves the ids of rows that
children must point at before they are written.
"""

from django.db import connection


def reserve_ids(model, count: int) -> list[int]:
    """``count`` primary keys nobody else will get, without inserting anything."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite and others: the caller holds the write transaction, so max(id) is stable.
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 - names from _meta
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))
