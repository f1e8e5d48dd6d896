# ruff: noqa: S608 - SQL built from model metadata (table and column names), no input
"""在办计数: the open timed tasks grouped by clock, kept by database triggers.

The dashboard's live counts (红牌 / 黄牌 / 正常 / 暂停计时) used to count every open task
of the scope on every request (94,000 index entries for a city). ``OpenTaskCount``
holds one row per (model, organisation, own division path, due_at, warning_at, paused)
with the number of open tasks in it, so the count reads a few thousand rows and applies
"now" at read time: red and yellow are still derived from the deadline when read, never
flipped by a job, and the figures stay exact.

Who keeps it: triggers on each registered timed-task table (``platform.timed_task_models``;
no module is named here and a module does nothing but register its model):

- PostgreSQL: statement-level triggers with transition tables (a bulk insert or update
  of a million tasks is one grouped upsert) and a TRUNCATE trigger;
- SQLite: row-level triggers (one writer at a time).

Every write is ``INSERT ... ON CONFLICT DO UPDATE SET tasks = tasks + delta`` in the
writing transaction: a rollback takes the change back with it, and two concurrent
transactions cannot lose an update. Rows that reach zero are deleted at once.

Installed by ``install()`` after every ``migrate`` (the ``post_migrate`` signal), which
also recounts every model from its table under a SHARE lock (writers wait, readers do
not), so after ``tongzheng migrate`` the table equals a full recount. ``pre_migrate``
drops the triggers, so no migration of another app ever runs a trigger that names a
column it is changing.

A migrate that fails half-way never reaches ``post_migrate``: the triggers stay dropped
and the counter rows go stale. So the dashboard reads a model from the counter only while
all of its triggers exist (``counted_labels`` asks the catalogue on every read, one small
query); without them it counts that model live, slower but exact, and logs a warning
until the next successful ``migrate`` reinstalls and recounts.

A model is counted when its organisation (and its own division path, if it has one) is
a column of its own table; otherwise the dashboard counts its tasks live, as before.
"""

import logging

from django.db import connection as default_connection
from django.db import transaction

from tongzheng.core.timed import timed_task_models

TABLE = "supervision_opentaskcount"
PREFIX = "supervision_otc_"
#: The key of a counter row. The unique index and every upsert use this same text:
#: PostgreSQL matches ON CONFLICT to the index by these expressions.
KEY = (
    "(model, (COALESCE(organisation_id, 0)), division_path, due_at, "
    "(COALESCE(warning_at, due_at)), (warning_at IS NULL), paused)"
)
CREATE_KEY_INDEX = f"CREATE UNIQUE INDEX IF NOT EXISTS supervision_otc_key ON {TABLE} {KEY}"
DROP_KEY_INDEX = "DROP INDEX IF EXISTS supervision_otc_key"
CLOCK_COLUMNS = ("due_at", "warning_at", "paused_since", "finished_at")


class Spec:
    """Where a model keeps what the counter groups by (None when it cannot be counted)."""

    def __init__(self, model):
        fields = model.scope_fields
        self.model = model
        self.label = model._meta.label_lower
        self.table = model._meta.db_table
        self.organisation = _column(model, fields.organisation)
        self.division_path = _column(model, fields.division_path) if fields.division_path else None
        self.ok = self.organisation is not None and (
            not fields.division_path or self.division_path is not None
        )

    def rows(self, alias: str, sign: str = "") -> str:
        """The open tasks of ``alias`` as (o, p, d, w, z, n) rows, ``n`` being ±1."""
        path = f"{alias}.{self.division_path}" if self.division_path else "''"
        return (
            f"SELECT {alias}.{self.organisation} AS o, {path} AS p, {alias}.due_at AS d, "
            f"{alias}.warning_at AS w, {alias}.paused_since IS NOT NULL AS z, {sign}1 AS n "
            f"FROM {{source}} {alias} "
            f"WHERE {alias}.finished_at IS NULL AND {alias}.due_at IS NOT NULL"
        )


def _column(model, name: str | None) -> str | None:
    """The column of a direct field ``name`` (None for a path through another table)."""
    if not name or "__" in name:
        return None
    try:
        return model._meta.get_field(name).column
    except Exception:  # noqa: BLE001 - a scope field that is not a field: not counted
        return None


def specs() -> list[Spec]:
    return [spec for spec in map(Spec, timed_task_models()) if spec.ok]


logger = logging.getLogger(__name__)


def countable_labels() -> frozenset[str]:
    """The labels of the models the counter can hold (their scope columns are their own;
    the registry is fixed once the apps are ready)."""
    models = tuple(timed_task_models())
    if _labels.get("models") != models:
        _labels["models"] = models
        _labels["labels"] = frozenset(spec.label for spec in specs())
    return _labels["labels"]


_labels: dict = {}


def _trigger_names(vendor: str, spec: Spec) -> set[str]:
    events = ("insert", "update", "delete") + (("truncate",) if vendor == "postgresql" else ())
    return {f"{PREFIX}{spec.table}_{event}" for event in events}


def _installed_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND starts_with(tgname, %s)",
                [PREFIX],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, %s) = %s",
                [len(PREFIX), PREFIX],
            )
        return {name for (name,) in cursor.fetchall()}


def counted_labels(connection=default_connection) -> frozenset[str]:
    """The labels of the models the counter answers for now: countable, and every trigger
    that keeps their rows in place (a failed migrate leaves them dropped, see above)."""
    countable = countable_labels()
    if not countable:
        return countable
    installed = _installed_triggers(connection)
    vendor = connection.vendor
    labels = frozenset(
        spec.label
        for spec in specs()
        if spec.label in countable and _trigger_names(vendor, spec) <= installed
    )
    if labels != countable:
        logger.warning(
            "open-task counter triggers missing for %s: counted live until `tongzheng migrate` "
            "reinstalls them",
            ", ".join(sorted(countable - labels)),
        )
    return labels


def _upsert(spec: Spec, select: str) -> str:
    return (
        f"INSERT INTO {TABLE} (model, organisation_id, division_path, due_at, warning_at, "
        f"paused, tasks) SELECT '{spec.label}', o, p, d, w, z, SUM(n) FROM ({select}) x "
        # WHERE true: SQLite would otherwise read ON CONFLICT as a join constraint.
        "WHERE true GROUP BY o, p, d, w, z HAVING SUM(n) <> 0 ORDER BY o, p, d, w, z "
        f"ON CONFLICT {KEY} DO UPDATE SET tasks = {TABLE}.tasks + EXCLUDED.tasks;"
    )


# SQLite's row triggers delete the rows at zero through the partial index on
# ``tasks = 0`` that SQLite keeps (PostgreSQL dropped it: ``_pg_upsert_dropping_zeros``).
DELETE_ZEROS = f"DELETE FROM {TABLE} WHERE tasks = 0;"


def _pg_statements(spec: Spec) -> list[str]:
    function = f"{PREFIX}{spec.table}"
    new = spec.rows("r", "+").format(source="new_rows")
    old = spec.rows("r", "-").format(source="old_rows")
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE zeros bigint[];
        BEGIN
            IF TG_OP = 'INSERT' THEN {_upsert(spec, new)}
            ELSIF TG_OP = 'DELETE' THEN {_pg_upsert_dropping_zeros(spec, old)}
            ELSIF TG_OP = 'UPDATE' THEN {_pg_upsert_dropping_zeros(spec, new + " UNION ALL " + old)}
            ELSE DELETE FROM {TABLE} WHERE model = '{spec.label}';
            END IF;
            RETURN NULL;
        END $$;"""
    ]
    for event, referencing in (
        ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
        ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
        ("TRUNCATE", ""),
    ):
        statements.append(
            f"CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {spec.table} "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
    return statements


def _pg_upsert_dropping_zeros(spec: Spec, select: str) -> str:
    """The upsert, then the rows it brought to zero deleted by primary key.

    ``tasks`` is in no index, so the upsert's UPDATE can be a heap-only (HOT) update in
    the row's own page (fillfactor 70, migration 0005): no index entry per change and
    dead versions pruned as the page is read, which matters with autovacuum late or off.
    A partial index on ``tasks = 0`` for the deletion would forbid exactly that, so the
    upsert returns the rows that reached zero instead. (An INSERT only adds tasks: no
    row can reach zero, nothing to delete.)
    """
    return (
        f"WITH changed AS ({_upsert(spec, select).removesuffix(';')} RETURNING id, tasks) "
        "SELECT array_agg(id) INTO zeros FROM changed WHERE tasks = 0; "
        f"IF zeros IS NOT NULL THEN DELETE FROM {TABLE} WHERE id = ANY(zeros); END IF;"
    )


def _sqlite_statements(spec: Spec) -> list[str]:
    name = f"{PREFIX}{spec.table}"
    new = spec.rows("NEW", "+").replace(" FROM {source} NEW", "")
    old = spec.rows("OLD", "-").replace(" FROM {source} OLD", "")
    watched = [*CLOCK_COLUMNS, spec.organisation] + (
        [spec.division_path] if spec.division_path else []
    )
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {spec.table} "
        f"BEGIN {_upsert(spec, new)} END;",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(watched)} ON {spec.table} "
        f"BEGIN {_upsert(spec, new + ' UNION ALL ' + old)} {DELETE_ZEROS} END;",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {spec.table} "
        f"BEGIN {_upsert(spec, old)} {DELETE_ZEROS} END;",
    ]


def _drop_statements(vendor: str, spec: Spec, tables: set[str]) -> list[str]:
    name = f"{PREFIX}{spec.table}"
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}_{event};" for event in ("insert", "update", "delete")
        ]
    if spec.table not in tables:
        return []
    return [
        f"DROP TRIGGER IF EXISTS {name}_{event} ON {spec.table};"
        for event in ("insert", "update", "delete", "truncate")
    ]


def _recount(vendor: str, spec: Spec) -> list[str]:
    lock = [f"LOCK TABLE {spec.table} IN SHARE MODE;"] if vendor == "postgresql" else []
    return [
        *lock,
        f"DELETE FROM {TABLE} WHERE model = '{spec.label}';",
        _upsert(spec, spec.rows("r", "+").format(source=spec.table)),
    ]


def drop(connection=default_connection) -> None:
    """Drop the triggers (before migrations change the tables they read)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for spec in specs():
            for statement in _drop_statements(connection.vendor, spec, tables):
                cursor.execute(statement)


def install(connection=default_connection) -> None:
    """(Re)create every trigger and recount every model, in one transaction."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):  # pragma: no cover
        raise NotImplementedError(f"open-task counters for {vendor}")
    tables = set(connection.introspection.table_names())
    if TABLE not in tables:
        return
    wanted = [spec for spec in specs() if spec.table in tables]
    build = _pg_statements if vendor == "postgresql" else _sqlite_statements
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(CREATE_KEY_INDEX)
        labels = ", ".join(f"'{spec.label}'" for spec in wanted) or "''"
        cursor.execute(f"DELETE FROM {TABLE} WHERE model NOT IN ({labels});")
        for spec in wanted:
            for statement in [
                *_drop_statements(vendor, spec, tables),
                *build(spec),
                *_recount(vendor, spec),
            ]:
                cursor.execute(statement)
        # Fresh statistics: a never-analysed table is planned as one row (a nested loop
        # and a sort instead of a hash aggregate: 140 ms instead of a few on a city).
        cursor.execute(f"ANALYZE {TABLE}")


def rebuild(connection=default_connection) -> None:
    """Recount every counted model from its table (the triggers stay)."""
    tables = set(connection.introspection.table_names())
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for spec in specs():
            if spec.table in tables:
                for statement in _recount(connection.vendor, spec):
                    cursor.execute(statement)
