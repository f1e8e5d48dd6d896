"""Bulk writing for the demo loader: COPY on PostgreSQL, bulk_create elsewhere.

Rows are plain tuples in the order of the given field names. Ids for tables whose
children need them before insertion (the organisation tree) are reserved up front.
"""

import time
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

BATCH_SIZE = 5000


def write_rows(model, field_names: tuple[str, ...], rows, *, with_timestamps=()) -> int:
    """Insert ``rows`` (tuples ordered like ``field_names``); returns the number written.

    ``with_timestamps`` names DateTimeFields (auto_now / auto_now_add) set to now, which
    COPY does not fill in by itself.
    """
    now = timezone.now()
    names = (*field_names, *with_timestamps)
    stamp = (now,) * len(with_timestamps)
    if connection.vendor == "postgresql":
        columns = ", ".join(
            connection.ops.quote_name(model._meta.get_field(n).column) for n in names
        )
        table = connection.ops.quote_name(model._meta.db_table)
        written = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, *stamp) if stamp else row)
                written += 1
        return written
    attnames = [model._meta.get_field(n).attname for n in names]
    batch, written = [], 0
    for row in rows:
        batch.append(model(**dict(zip(attnames, (*row, *stamp), strict=True))))
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
        written += len(batch)
    return written


def copy_text(model, field_names: tuple[str, ...], batches) -> int:
    """PostgreSQL only: stream batches of ready COPY text lines into the table."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in field_names)
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for lines in batches:
            copy.write("".join(lines))
            written += len(lines)
    return written


@contextmanager
def indexes_built_afterwards(model):
    """On PostgreSQL, drop the table's secondary indexes and foreign keys while loading.

    Yields a dict whose ``rebuild_seconds`` is filled in once they are rebuilt.

    Building an index once over sorted data is far cheaper than maintaining it row by
    row (the blind-index columns are random), and one validating ALTER TABLE checks a
    foreign key for all rows at once. Everything happens in the caller's transaction, so
    a failure restores the table definition with the rollback. Only for a table the demo
    loader fills from empty; elsewhere this is a no-op.
    """
    timing = {"rebuild_seconds": 0.0}
    if connection.vendor != "postgresql":
        yield timing
        return
    quote = connection.ops.quote_name
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks are queued on the tables it
        # touches: run the queued checks now (Django's foreign keys are all deferrable).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
            " AND i.indexname NOT IN (SELECT conname FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x'))",
            [table, table],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        foreign_keys = cursor.fetchall()
        for name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield timing
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        cursor.execute(f"ANALYZE {quote(table)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    timing["rebuild_seconds"] = time.perf_counter() - started
