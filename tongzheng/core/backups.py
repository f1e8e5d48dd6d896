"""Backup and restore of the platform's database, verified by a manifest (备份与恢复).

``tongzheng backup [PATH]`` and ``tongzheng restore PATH`` call ``backup()`` and
``restore()`` here.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
  snapshot while the platform keeps running; the copy is switched to a rollback journal
  so that it is one self-contained file.
- PostgreSQL: ``pg_dump -Fc`` from an exported snapshot / ``pg_restore --clean
  --if-exists --single-transaction --no-owner``.

The manifest (``PATH.manifest.json``) holds the backup file's SM3 digest and, per table,
the row count and a checksum. A table's checksum is SM3 of every row, summed modulo 2^256:
it is streamed (no row is held in memory) and independent of row order, because pg_dump
writes rows in physical order. On SQLite a row is its canonical JSON; on PostgreSQL it is
its COPY text line (what pg_dump writes), read with fixed session settings.

Verification, failing loudly (``BackupError``) on any difference:

- after a backup: the manifest of the source snapshot is compared with one computed by
  reading the backup (the SQLite copy itself; the COPY data inside the dump);
- before a restore: the file's SM3 against the manifest;
- after a restore: the manifest recomputed on the restored database.

Restore refuses to overwrite a database that has any table unless told ``yes=True``.
Stop the server and the task workers before restoring.
"""

import datetime
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST_FORMAT = "tongzheng-backup-manifest/1"
ALGORITHM = "sm3-row-sum-mod-2^256"
MODULUS = 1 << 256
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be trusted; the message says why (in Chinese)."""


# ---- checksums --------------------------------------------------------------------------


@dataclass
class TableSum:
    rows: int = 0
    total: int = 0

    def add(self, row: bytes) -> None:
        self.rows += 1
        self.total = (self.total + int.from_bytes(hashlib.new("sm3", row).digest(), "big")) % (
            MODULUS
        )

    def as_dict(self) -> dict:
        return {"rows": self.rows, "checksum": f"{self.total:064x}"}


def table_sums(rows_by_table: Iterable[tuple[str, Iterable[bytes]]]) -> dict[str, dict]:
    result = {}
    for table, rows in rows_by_table:
        summed = TableSum()
        for row in rows:
            summed.add(row)
        result[table] = summed.as_dict()
    return result


def file_sm3(path: Path) -> str:
    digest = hashlib.new("sm3")
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def compare(expected: dict[str, dict], actual: dict[str, dict], where: str) -> None:
    """Raise BackupError listing every table whose count or checksum differs."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, got = expected.get(table), actual.get(table)
        if want is None:
            problems.append(
                _("%(table)s: 清单中没有此表（不属于该备份，请核实后处理）") % {"table": table}
            )
        elif got is None:
            problems.append(_("%(table)s: %(where)s中缺少此表") % {"table": table, "where": where})
        elif want != got:
            problems.append(
                _(
                    "%(table)s: 清单 %(rows)s 行 %(checksum)s…，%(where)s %(got_rows)s 行 %(got_checksum)s…"
                )
                % {
                    "table": table,
                    "rows": want["rows"],
                    "checksum": want["checksum"][:12],
                    "where": where,
                    "got_rows": got["rows"],
                    "got_checksum": got["checksum"][:12],
                }
            )
    if problems:
        raise BackupError(
            _("校验失败（%(where)s与清单不一致）：") % {"where": where}
            + "\n  "
            + "\n  ".join(problems)
        )


# ---- manifest ---------------------------------------------------------------------------


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


@dataclass
class Manifest:
    engine: str
    file: str
    file_sm3: str
    tables: dict[str, dict]
    created_at: str = field(default_factory=lambda: timezone.now().isoformat())

    def write(self, path: Path) -> Path:
        target = manifest_path(path)
        data = {
            "format": MANIFEST_FORMAT,
            "algorithm": ALGORITHM,
            "engine": self.engine,
            "created_at": self.created_at,
            "file": self.file,
            "file_sm3": self.file_sm3,
            "tables": self.tables,
        }
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
        return target

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        target = manifest_path(path)
        try:
            data = json.loads(target.read_text())
        except FileNotFoundError as exc:
            raise BackupError(
                _("找不到备份清单 %(path)s，无法校验，拒绝恢复。") % {"path": target}
            ) from exc
        except ValueError as exc:
            raise BackupError(
                _("备份清单 %(path)s 已损坏：%(error)s") % {"path": target, "error": exc}
            ) from exc
        if data.get("format") != MANIFEST_FORMAT or data.get("algorithm") != ALGORITHM:
            raise BackupError(_("备份清单 %(path)s 的格式不受支持。") % {"path": target})
        return cls(
            engine=data["engine"],
            file=data["file"],
            file_sm3=data["file_sm3"],
            tables=data["tables"],
            created_at=data["created_at"],
        )

    @property
    def total_rows(self) -> int:
        return sum(t["rows"] for t in self.tables.values())


# ---- SQLite -----------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_value(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    return value


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    """Ordinary tables (virtual tables are skipped: their content lives in shadow tables)."""
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]


def _sqlite_rows(conn: sqlite3.Connection, table: str) -> Iterator[bytes]:
    for row in conn.execute(f"SELECT * FROM {_quote(table)}"):  # noqa: S608 - quoted name
        yield json.dumps(
            [_sqlite_value(v) for v in row], ensure_ascii=False, separators=(",", ":")
        ).encode()


def sqlite_manifest_tables(conn: sqlite3.Connection) -> dict[str, dict]:
    return table_sums((t, _sqlite_rows(conn, t)) for t in sqlite_tables(conn))


def _sqlite_connect(path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None, timeout=30)


def _sqlite_database_file(settings_dict) -> Path:
    name = str(settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("内存数据库无法备份或恢复。"))
    return Path(name)


def sqlite_backup(source_file: Path, target: Path) -> Manifest:
    source = _sqlite_connect(source_file)
    try:
        # One read transaction: the checksums and the copy see the same snapshot.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        expected = sqlite_manifest_tables(source)
        copy = _sqlite_connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        source.execute("COMMIT")
    finally:
        source.close()
    copy = _sqlite_connect(target)
    try:
        compare(expected, sqlite_manifest_tables(copy), _("备份文件"))
    finally:
        copy.close()
    return Manifest(engine="sqlite", file=target.name, file_sm3=file_sm3(target), tables=expected)


def sqlite_is_empty(path: Path) -> bool:
    if not path.exists():
        return True
    conn = _sqlite_connect(path)
    try:
        return not sqlite_tables(conn)
    finally:
        conn.close()


def sqlite_restore(source: Path, target_file: Path, manifest: Manifest) -> dict[str, dict]:
    backup = _sqlite_connect(source)
    try:
        compare(manifest.tables, sqlite_manifest_tables(backup), _("备份文件"))
        target = _sqlite_connect(target_file)
        try:
            backup.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
            return sqlite_manifest_tables(target)
        finally:
            target.close()
    finally:
        backup.close()


# ---- PostgreSQL -------------------------------------------------------------------------

# Session settings that fix how COPY writes values; pg_dump and pg_restore get PGTZ=UTC and
# set the rest themselves (DateStyle ISO, IntervalStyle postgres, extra_float_digits 3).
PG_SESSION = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = ISO",
    "SET IntervalStyle = postgres",
    "SET extra_float_digits = 3",
    "SET client_encoding = 'UTF8'",
)
PG_TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
"""


def _pg_params(settings_dict) -> dict:
    params = {"dbname": settings_dict["NAME"]}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host")):
        if settings_dict.get(key):
            params[name] = settings_dict[key]
    if settings_dict.get("PORT"):
        params["port"] = str(settings_dict["PORT"])
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if settings_dict.get("OPTIONS", {}).get(option):
            params[option] = settings_dict["OPTIONS"][option]
    return params


def _pg_env(params: dict) -> dict:
    env = dict(os.environ)
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }
    for key, value in params.items():
        env[names[key]] = value
    env["PGTZ"] = "UTC"
    return env


def _pg_connect(params: dict):
    import psycopg

    conn = psycopg.connect(**params, autocommit=True)
    for statement in PG_SESSION:
        conn.execute(statement)
    return conn


def _pg_name(schema: str, table: str) -> str:
    return f"{schema}.{table}"


def _pg_quoted(schema: str, table: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split a COPY text stream into rows (newlines inside values are escaped as \\n)."""
    pending = b""
    for chunk in chunks:
        pending += bytes(chunk)
        *complete, pending = pending.split(b"\n")
        yield from complete
    if pending:
        yield pending


def pg_database_tables(conn) -> dict[str, dict]:
    tables = conn.execute(PG_TABLES).fetchall()
    result = {}
    for schema, table in tables:
        summed = TableSum()
        statement = f"COPY {_pg_quoted(schema, table)} TO STDOUT"
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for line in _lines(copy):
                summed.add(line)
        result[_pg_name(schema, table)] = summed.as_dict()
    return result


_COPY_LINE = re.compile(rb"^COPY (?P<name>.+?) (?:\(.*\) )?FROM stdin;$")


def _unquote_qualified(name: str) -> tuple[str, str]:
    parts, current, quoted, i = [], "", False, 0
    while i < len(name):
        char = name[i]
        if char == '"':
            if quoted and name[i + 1 : i + 2] == '"':
                current += '"'
                i += 1
            else:
                quoted = not quoted
        elif char == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    parts.append(current)
    return (parts[0], parts[1]) if len(parts) == 2 else ("public", parts[0])


def pg_dump_tables(dump: Path, env: dict) -> dict[str, dict]:
    """Row counts and checksums read from the COPY data inside a custom-format dump."""
    process = subprocess.Popen(  # noqa: S603 - fixed argument list
        ["pg_restore", "--data-only", "--file=-", str(dump)],  # noqa: S607 - on PATH
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    result: dict[str, dict] = {}
    current: TableSum | None = None
    name = ""
    assert process.stdout is not None
    for line in _lines(iter(lambda: process.stdout.read(CHUNK), b"")):
        if current is None:
            match = _COPY_LINE.match(line)
            if match:
                name = _pg_name(*_unquote_qualified(match["name"].decode()))
                current = TableSum()
        elif line == b"\\.":
            result[name] = current.as_dict()
            current = None
        else:
            current.add(line)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.wait() != 0:
        raise BackupError(_("pg_restore 无法读取备份文件：%(error)s") % {"error": stderr.strip()})
    return result


def pg_backup(settings_dict, target: Path) -> Manifest:
    params = _pg_params(settings_dict)
    env = _pg_env(params)
    conn = _pg_connect(params)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        (snapshot,) = conn.execute("SELECT pg_export_snapshot()").fetchone()
        expected = pg_database_tables(conn)
        completed = subprocess.run(  # noqa: S603 - fixed argument list
            ["pg_dump", "-Fc", f"--snapshot={snapshot}", f"--file={target}"],  # noqa: S607
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    if completed.returncode != 0:
        raise BackupError(_("pg_dump 失败：%(error)s") % {"error": completed.stderr.strip()})
    compare(expected, pg_dump_tables(target, env), _("备份文件"))
    return Manifest(
        engine="postgresql", file=target.name, file_sm3=file_sm3(target), tables=expected
    )


def pg_is_empty(settings_dict) -> bool:
    conn = _pg_connect(_pg_params(settings_dict))
    try:
        return not conn.execute(PG_TABLES).fetchall()
    finally:
        conn.close()


def pg_restore(source: Path, settings_dict, manifest: Manifest) -> dict[str, dict]:
    params = _pg_params(settings_dict)
    env = _pg_env(params)
    compare(manifest.tables, pg_dump_tables(source, env), _("备份文件"))
    completed = subprocess.run(  # noqa: S603 - fixed argument list
        [  # noqa: S607 - on PATH
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={params['dbname']}",
            str(source),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(
            _("pg_restore 失败，数据库未改变：%(error)s") % {"error": completed.stderr.strip()}
        )
    conn = _pg_connect(params)
    try:
        return pg_database_tables(conn)
    finally:
        conn.close()


# ---- the two operations -----------------------------------------------------------------


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def default_path(alias: str = DEFAULT_DB_ALIAS) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if _vendor(alias) == "sqlite" else "dump"
    return Path(settings.VAR_DIR) / "backups" / f"tongzheng-{stamp}.{suffix}"


def backup(path: Path | None = None, alias: str = DEFAULT_DB_ALIAS) -> tuple[Path, Manifest]:
    """Back the database up to ``path`` (or var/backups/...), verify it, write the manifest."""
    path = Path(path) if path else default_path(alias)
    if path.exists():
        raise BackupError(_("%(path)s 已存在，不会覆盖。") % {"path": path})
    path.parent.mkdir(parents=True, exist_ok=True)
    settings_dict = connections[alias].settings_dict
    vendor = _vendor(alias)
    # Write next to the target, then rename: a failed backup leaves no half file behind.
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    partial = Path(partial)
    partial.unlink()
    try:
        if vendor == "sqlite":
            manifest = sqlite_backup(_sqlite_database_file(settings_dict), partial)
        elif vendor == "postgresql":
            manifest = pg_backup(settings_dict, partial)
        else:
            raise BackupError(_("不支持的数据库：%(vendor)s") % {"vendor": vendor})
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    manifest.file = path.name
    manifest.write(path)
    return path, manifest


def database_is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    settings_dict = connections[alias].settings_dict
    if _vendor(alias) == "sqlite":
        return sqlite_is_empty(_sqlite_database_file(settings_dict))
    return pg_is_empty(settings_dict)


def restore(path: Path, *, yes: bool = False, alias: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Replace the database with the backup at ``path`` and verify the result."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": path})
    manifest = Manifest.read(path)
    vendor = _vendor(alias)
    if manifest.engine != vendor:
        raise BackupError(
            _("这是 %(engine)s 的备份，当前数据库是 %(vendor)s。")
            % {"engine": manifest.engine, "vendor": vendor}
        )
    if file_sm3(path) != manifest.file_sm3:
        raise BackupError(
            _("备份文件 %(path)s 的 SM3 摘要与清单不符：文件已损坏或被改动，拒绝恢复。")
            % {"path": path}
        )
    if not yes and not database_is_empty(alias):
        raise BackupError(
            _("目标数据库不是空的：恢复将覆盖其中全部数据。确认后请加 --yes 重新执行。")
        )
    settings_dict = connections[alias].settings_dict
    connections.close_all()
    if vendor == "sqlite":
        restored = sqlite_restore(path, _sqlite_database_file(settings_dict), manifest)
    else:
        restored = pg_restore(path, settings_dict, manifest)
    compare(manifest.tables, restored, _("恢复后的数据库"))
    return manifest
