# ruff: noqa: S608 - constant SQL built from module constants; no input reaches it
"""The triggers that keep ``UnitFigures`` and ``DivisionFigures`` equal to a full recount.

Sources: the quota ledger (``t<type id>``: approved += increase - decrease), the post
ledger (``p<post>``), and serving personnel (occupied += 1 for ``t<type id>`` when they
hold a slot, and for ``p<post>`` when they hold a leadership post).

- PostgreSQL: statement-level triggers with transition tables on the three sources (a
  bulk COPY of two million personnel costs one grouped upsert, not two million), and a
  row-level trigger on ``UnitFigures`` that applies each unit row's change — including the
  change of its vacancy and excess — to its division's row. Every write is an atomic
  ``INSERT ... ON CONFLICT DO UPDATE SET x = x + delta`` against the latest row version, so
  concurrent transactions cannot lose updates.
- SQLite: the same, with row-level triggers (SQLite has one writer at a time).

``DivisionFigures`` rows are kept at county granularity: a unit below a county (a
township) counts in its county's row (``SUBSTR(division_path, 1, 21)``: the province,
city and county codes are 6 digits each), so a province holds a few hundred division rows
and a roll-up never scans more than that; below a county the roll-up reads UnitFigures.

The SQL is frozen in migration 0004 by calling ``install`` from it; a change here needs a
new migration that calls ``install`` again (every statement is idempotent).
"""

UNIT = "staffing_unitfigures"
DIVISION = "staffing_divisionfigures"

# (source table, dimension SQL over a row alias "r", approved SQL, occupied SQL, filter SQL)
SOURCES = {
    "staffing_quotaledgerentry": [
        ("'t' || r.establishment_type_id", "r.increase - r.decrease", "0", "1 = 1"),
    ],
    "staffing_postledgerentry": [
        ("'p' || r.post", "r.increase - r.decrease", "0", "1 = 1"),
    ],
    "staffing_person": [
        (
            "'t' || r.establishment_type_id",
            "0",
            "1",
            "r.status = 'serving' AND r.establishment_type_id IS NOT NULL",
        ),
        ("'p' || r.post", "0", "1", "r.status = 'serving' AND r.post <> 'none'"),
    ],
}


def _select(table_alias: str, sign: str, parts) -> str:
    return "\nUNION ALL\n".join(
        f"SELECT r.organisation_id, r.division_path, {dim} AS dim, "
        f"{sign}({approved}) AS a, {sign}({occupied}) AS o FROM {table_alias} r WHERE {cond}"
        for dim, approved, occupied, cond in parts
    )


def _pg_upsert(body: str) -> str:
    return f"""
        INSERT INTO {UNIT} (organisation_id, division_path, dimension, approved, occupied)
        SELECT organisation_id, MIN(division_path), dim, SUM(a), SUM(o) FROM ({body}) d
        GROUP BY organisation_id, dim
        HAVING SUM(a) <> 0 OR SUM(o) <> 0
        ORDER BY organisation_id, dim
        ON CONFLICT (organisation_id, dimension) DO UPDATE SET
            approved = {UNIT}.approved + EXCLUDED.approved,
            occupied = {UNIT}.occupied + EXCLUDED.occupied;"""


def postgresql_statements() -> list[str]:
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION staffing_divisionfigures_apply() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE oa bigint := 0; oo bigint := 0;
        BEGIN
            IF TG_OP = 'UPDATE' THEN oa := OLD.approved; oo := OLD.occupied; END IF;
            INSERT INTO {DIVISION} (division_path, dimension, approved, occupied, vacant, excess)
            VALUES (SUBSTR(NEW.division_path, 1, 21), NEW.dimension, NEW.approved - oa, NEW.occupied - oo,
                    GREATEST(NEW.approved - NEW.occupied, 0) - GREATEST(oa - oo, 0),
                    GREATEST(NEW.occupied - NEW.approved, 0) - GREATEST(oo - oa, 0))
            ON CONFLICT (division_path, dimension) DO UPDATE SET
                approved = {DIVISION}.approved + EXCLUDED.approved,
                occupied = {DIVISION}.occupied + EXCLUDED.occupied,
                vacant = {DIVISION}.vacant + EXCLUDED.vacant,
                excess = {DIVISION}.excess + EXCLUDED.excess;
            RETURN NULL;
        END $$;""",
        f"DROP TRIGGER IF EXISTS staffing_unitfigures_ins ON {UNIT};",
        f"DROP TRIGGER IF EXISTS staffing_unitfigures_upd ON {UNIT};",
        f"""CREATE TRIGGER staffing_unitfigures_ins AFTER INSERT ON {UNIT}
            FOR EACH ROW EXECUTE FUNCTION staffing_divisionfigures_apply();""",
        f"""CREATE TRIGGER staffing_unitfigures_upd AFTER UPDATE ON {UNIT}
            FOR EACH ROW EXECUTE FUNCTION staffing_divisionfigures_apply();""",
    ]
    for table, parts in SOURCES.items():
        function = f"{table}_figures"
        statements.append(f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_pg_upsert(_select("new_rows", "+", parts))}
            ELSIF TG_OP = 'DELETE' THEN
                {_pg_upsert(_select("old_rows", "-", parts))}
            ELSE
                {_pg_upsert(_select("new_rows", "+", parts) + " UNION ALL " + _select("old_rows", "-", parts))}
            END IF;
            RETURN NULL;
        END $$;""")
        for event, referencing in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            name = f"{table}_figures_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
    return statements


def _sqlite_apply(row: str, sign: str, parts) -> str:
    out = []
    for dim, approved, occupied, cond in parts:
        dim_sql = dim.replace("r.", f"{row}.")
        out.append(f"""
            INSERT INTO {UNIT} (organisation_id, division_path, dimension, approved, occupied)
            SELECT {row}.organisation_id, {row}.division_path, {dim_sql},
                   {sign}({approved.replace("r.", f"{row}.")}),
                   {sign}({occupied.replace("r.", f"{row}.")})
            WHERE {cond.replace("r.", f"{row}.")}
            ON CONFLICT (organisation_id, dimension) DO UPDATE SET
                approved = approved + excluded.approved,
                occupied = occupied + excluded.occupied;""")
    return "".join(out)


def sqlite_statements() -> list[str]:
    division_upsert = """
        ON CONFLICT (division_path, dimension) DO UPDATE SET
            approved = approved + excluded.approved,
            occupied = occupied + excluded.occupied,
            vacant = vacant + excluded.vacant,
            excess = excess + excluded.excess;"""
    statements = [
        "DROP TRIGGER IF EXISTS staffing_unitfigures_ins;",
        "DROP TRIGGER IF EXISTS staffing_unitfigures_upd;",
        f"""CREATE TRIGGER staffing_unitfigures_ins AFTER INSERT ON {UNIT} BEGIN
            INSERT INTO {DIVISION} (division_path, dimension, approved, occupied, vacant, excess)
            VALUES (SUBSTR(NEW.division_path, 1, 21), NEW.dimension, NEW.approved, NEW.occupied,
                    max(NEW.approved - NEW.occupied, 0), max(NEW.occupied - NEW.approved, 0))
            {division_upsert}
        END;""",
        f"""CREATE TRIGGER staffing_unitfigures_upd AFTER UPDATE ON {UNIT} BEGIN
            INSERT INTO {DIVISION} (division_path, dimension, approved, occupied, vacant, excess)
            VALUES (SUBSTR(NEW.division_path, 1, 21), NEW.dimension,
                    NEW.approved - OLD.approved, NEW.occupied - OLD.occupied,
                    max(NEW.approved - NEW.occupied, 0) - max(OLD.approved - OLD.occupied, 0),
                    max(NEW.occupied - NEW.approved, 0) - max(OLD.occupied - OLD.approved, 0))
            {division_upsert}
        END;""",
    ]
    for table, parts in SOURCES.items():
        for event, body in (
            ("INSERT", _sqlite_apply("NEW", "+", parts)),
            ("DELETE", _sqlite_apply("OLD", "-", parts)),
            ("UPDATE", _sqlite_apply("OLD", "-", parts) + _sqlite_apply("NEW", "+", parts)),
        ):
            name = f"{table}_figures_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name};")
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END;")
    return statements


def rebuild_statements(vendor: str) -> list[str]:
    """Recompute both tables from the sources, set-based: the unit-row triggers are
    dropped meanwhile (so the division rows are written once, not once per unit) and
    created again at the end, all inside the caller's transaction."""
    body = "\nUNION ALL\n".join(_select(table, "+", parts) for table, parts in SOURCES.items())
    if vendor == "postgresql":
        drop = [
            f"DROP TRIGGER IF EXISTS staffing_unitfigures_ins ON {UNIT};",
            f"DROP TRIGGER IF EXISTS staffing_unitfigures_upd ON {UNIT};",
        ]
        create = postgresql_statements()[1:5]
    else:
        drop = sqlite_statements()[0:2]
        create = sqlite_statements()[2:4]
    return [
        *drop,
        f"DELETE FROM {DIVISION};",
        f"DELETE FROM {UNIT};",
        f"""INSERT INTO {UNIT} (organisation_id, division_path, dimension, approved, occupied)
            SELECT organisation_id, MIN(division_path), dim, SUM(a), SUM(o) FROM ({body}) d
            GROUP BY organisation_id, dim
            HAVING SUM(a) <> 0 OR SUM(o) <> 0;""",
        f"""INSERT INTO {DIVISION} (division_path, dimension, approved, occupied, vacant, excess)
            SELECT SUBSTR(division_path, 1, 21), dimension, SUM(approved), SUM(occupied),
                SUM(CASE WHEN approved > occupied THEN approved - occupied ELSE 0 END),
                SUM(CASE WHEN occupied > approved THEN occupied - approved ELSE 0 END)
            FROM {UNIT} GROUP BY SUBSTR(division_path, 1, 21), dimension;""",
        *create,
    ]


def install(connection) -> None:
    vendor = connection.vendor
    if vendor == "postgresql":
        statements = postgresql_statements()
    elif vendor == "sqlite":
        statements = sqlite_statements()
    else:  # pragma: no cover
        raise NotImplementedError(f"statistics triggers for {vendor}")
    with connection.cursor() as cursor:
        for statement in [*statements, *rebuild_statements(vendor)]:
            cursor.execute(statement)


def rebuild(connection) -> None:
    with connection.cursor() as cursor:
        for statement in rebuild_statements(connection.vendor):
            cursor.execute(statement)
