"""Append-only enforcement in the database (等保: audit records protected from deletion,
modification and overwrite).

Triggers on ``audit_auditevent``:

* UPDATE is always refused (and TRUNCATE on PostgreSQL).
* DELETE is refused for an event younger than the retention period stored in the one-row
  table ``audit_retention`` (refused outright when that row is missing), and refused unless
  the events are removed oldest first, so what remains is always a suffix of the chain.

Triggers on ``audit_retention``: the number of days may only grow; the row cannot be
deleted.

The triggers refuse data changes from any client, including raw SQL. They do not stop a
database owner from dropping or disabling them (DDL): in production the application should
connect as a role that does not own these tables. ``tongzheng audit verify`` reports a
missing or disabled trigger, and the hash chain shows any change made meanwhile.

A later migration that rebuilds ``audit_auditevent`` on SQLite (SQLite alters a table by
copying it, which drops its triggers) must call ``install`` again.
"""

from contextlib import contextmanager

EVENT_TABLE = "audit_auditevent"
RETENTION_TABLE = "audit_retention"

REFUSED_UPDATE = "audit_auditevent is append-only: UPDATE refused"
REFUSED_YOUNG = "audit_auditevent: DELETE refused, the event is within the retention period"
REFUSED_ORDER = "audit_auditevent: DELETE refused, older events must be removed first"
REFUSED_RETENTION = "audit_retention may only increase and cannot be deleted"

SQLITE_TRIGGERS = {
    "audit_event_no_update": f"""
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {EVENT_TABLE}
        BEGIN
            SELECT RAISE(ABORT, '{REFUSED_UPDATE}');
        END""",
    # Django stores datetimes on SQLite as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which
    # compares correctly with datetime('now', ...). A missing retention row refuses all.
    "audit_event_delete_guard": f"""
        CREATE TRIGGER audit_event_delete_guard BEFORE DELETE ON {EVENT_TABLE}
        BEGIN
            SELECT RAISE(ABORT, '{REFUSED_YOUNG}')
            WHERE OLD."at" >= COALESCE(
                (SELECT datetime('now', '-' || days || ' days')
                 FROM {RETENTION_TABLE} WHERE id = 1),
                '0000-01-01');
            SELECT RAISE(ABORT, '{REFUSED_ORDER}')
            WHERE EXISTS (SELECT 1 FROM {EVENT_TABLE} WHERE id < OLD.id);
        END""",  # noqa: S608 (constants only)
    "audit_retention_no_decrease": f"""
        CREATE TRIGGER audit_retention_no_decrease BEFORE UPDATE ON {RETENTION_TABLE}
        WHEN NEW.days < OLD.days OR NEW.id <> OLD.id
        BEGIN
            SELECT RAISE(ABORT, '{REFUSED_RETENTION}');
        END""",
    "audit_retention_no_delete": f"""
        CREATE TRIGGER audit_retention_no_delete BEFORE DELETE ON {RETENTION_TABLE}
        BEGIN
            SELECT RAISE(ABORT, '{REFUSED_RETENTION}');
        END""",
}

# 23000 integrity_constraint_violation: Django raises IntegrityError on both databases.
POSTGRESQL_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""
    CREATE OR REPLACE FUNCTION audit_event_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        keep integer;
    BEGIN
        SELECT days INTO keep FROM {RETENTION_TABLE} WHERE id = 1;
        IF keep IS NULL OR OLD."at" >= now() - make_interval(days => keep) THEN
            RAISE EXCEPTION '{REFUSED_YOUNG} (id %)', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END $$""",  # noqa: S608 (constants only)
    # Row order inside one DELETE is not defined on PostgreSQL, so "oldest first" is checked
    # once per statement over the deleted rows.
    f"""
    CREATE OR REPLACE FUNCTION audit_event_delete_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {EVENT_TABLE} e WHERE e.id < (SELECT max(id) FROM removed)) THEN
            RAISE EXCEPTION '{REFUSED_ORDER}'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 (constants only)
    f"""
    CREATE OR REPLACE FUNCTION audit_retention_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.days >= OLD.days AND NEW.id = OLD.id THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED_RETENTION}'
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
]

POSTGRESQL_TRIGGERS = {
    "audit_event_no_update": f"""
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {EVENT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    "audit_event_no_truncate": f"""
        CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {EVENT_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    "audit_event_delete_guard": f"""
        CREATE TRIGGER audit_event_delete_guard BEFORE DELETE ON {EVENT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_event_delete_guard()""",
    "audit_event_delete_order": f"""
        CREATE TRIGGER audit_event_delete_order AFTER DELETE ON {EVENT_TABLE}
        REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_delete_order()""",
    "audit_retention_guard": f"""
        CREATE TRIGGER audit_retention_guard BEFORE UPDATE OR DELETE ON {RETENTION_TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_retention_guard()""",
    "audit_retention_no_truncate": f"""
        CREATE TRIGGER audit_retention_no_truncate BEFORE TRUNCATE ON {RETENTION_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
}

POSTGRESQL_FUNCTION_NAMES = [
    "audit_refuse_change",
    "audit_event_delete_guard",
    "audit_event_delete_order",
    "audit_retention_guard",
]


def trigger_names(connection) -> list[str]:
    if connection.vendor == "postgresql":
        return list(POSTGRESQL_TRIGGERS)
    if connection.vendor == "sqlite":
        return list(SQLITE_TRIGGERS)
    raise NotImplementedError(f"no append-only triggers for {connection.vendor}")


def _execute(connection, statements) -> None:
    # No parameters: the plpgsql bodies hold '%' placeholders of their own.
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection) -> None:
    """Create (or re-create) every trigger; idempotent."""
    uninstall(connection)
    if connection.vendor == "postgresql":
        _execute(connection, [*POSTGRESQL_FUNCTIONS, *POSTGRESQL_TRIGGERS.values()])
    else:
        trigger_names(connection)
        _execute(connection, SQLITE_TRIGGERS.values())


def uninstall(connection) -> None:
    if connection.vendor == "postgresql":
        drops = [
            f"DROP TRIGGER IF EXISTS {name} ON "
            f"{RETENTION_TABLE if name.startswith('audit_retention') else EVENT_TABLE}"
            for name in POSTGRESQL_TRIGGERS
        ]
        drops += [f"DROP FUNCTION IF EXISTS {name}()" for name in POSTGRESQL_FUNCTION_NAMES]
        _execute(connection, drops)
    else:
        _execute(
            connection, [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names(connection)]
        )


def missing(connection) -> list[str]:
    """Names of guard triggers that are absent or disabled (empty when all are in force)."""
    expected = trigger_names(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN (to_regclass(%s), to_regclass(%s))",
                [EVENT_TABLE, RETENTION_TABLE],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


@contextmanager
def suspended(connection):
    """Lift the guard for maintenance that owns the database anyway (test flush, tamper tests).

    PostgreSQL: ``ALTER TABLE ... DISABLE TRIGGER USER``; SQLite: drop and re-create.
    """
    if connection.vendor == "postgresql":
        tables = [EVENT_TABLE, RETENTION_TABLE]
        _execute(connection, [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in tables])
        try:
            yield
        finally:
            _execute(connection, [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in tables])
    else:
        uninstall(connection)
        try:
            yield
        finally:
            install(connection)
