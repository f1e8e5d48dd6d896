"""tongzheng backup / restore: verified by per-table row counts and SM3 checksums."""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tongzheng.core import backups
from tongzheng.core.backups import BackupError, TableSum, compare

ROOT = Path(settings.BASE_DIR)


def run(args, database_url, var_dir, check=True):
    env = dict(os.environ, DATABASE_URL=database_url, TONGZHENG_MODE="test")
    env["TONGZHENG_VAR_DIR"] = str(var_dir)
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"{args} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed


# ---- checksums --------------------------------------------------------------------------


def sums(rows):
    summed = TableSum()
    for row in rows:
        summed.add(row)
    return summed.as_dict()


def test_checksum_ignores_order_but_sees_every_change():
    rows = [b"1\t\xe6\x88\x90\xe9\x83\xbd", b"2\tb", b"3\tc"]
    assert sums(rows) == sums(list(reversed(rows)))
    assert sums(rows)["rows"] == 3
    assert sums(rows) != sums([b"1\tX", b"2\tb", b"3\tc"])
    assert sums(rows) != sums(rows[:2])
    assert sums(rows) != sums([*rows, b"3\tc"])  # a duplicated row counts
    assert sums([])["checksum"] == "0" * 64


def test_compare_names_every_difference():
    good = {"a": {"rows": 1, "checksum": "1" * 64}, "b": {"rows": 0, "checksum": "0" * 64}}
    compare(good, dict(good), "备份文件")
    with pytest.raises(BackupError) as failure:
        compare(good, {"a": {"rows": 1, "checksum": "2" * 64}, "c": good["b"]}, "备份文件")
    message = str(failure.value)
    assert "a: 清单 1 行" in message and "b: 备份文件中缺少此表" in message
    assert "c: 清单中没有此表" in message


# ---- SQLite, in process -----------------------------------------------------------------


def make_sqlite(path):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, photo BLOB, score REAL)")
    conn.executemany(
        "INSERT INTO t (name, photo, score) VALUES (?, ?, ?)",
        [("张三", b"\x00\x01", 1.5), ("李四", None, None), ("王五", b"", -0.1)],
    )
    conn.commit()
    conn.close()


def test_sqlite_backup_is_verified_and_a_tampered_backup_is_refused(tmp_path):
    source, copy = tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3"
    make_sqlite(source)
    manifest = backups.sqlite_backup(source, copy)
    assert manifest.tables["t"]["rows"] == 3
    assert manifest.file_sm3 == backups.file_sm3(copy)
    # The copy is one self-contained file.
    assert sqlite3.connect(copy).execute("PRAGMA journal_mode").fetchone() == ("delete",)

    conn = sqlite3.connect(copy)
    conn.execute("UPDATE t SET name = '赵六' WHERE id = 2")
    conn.commit()
    conn.close()
    target = tmp_path / "target.sqlite3"
    make_sqlite(target)
    before = backups.file_sm3(target)
    with pytest.raises(BackupError, match="t: 清单 3 行"):
        backups.sqlite_restore(copy, target, manifest)
    assert backups.file_sm3(target) == before  # nothing was overwritten


# ---- the commands, end to end on a file-based SQLite database ---------------------------


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def execute(db, *statements):
    conn = sqlite3.connect(db)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_sqlite_round_trip_through_the_commands(tmp_path):
    db = tmp_path / "tongzheng.sqlite3"
    url = f"sqlite:///{db}"
    run(["migrate", "--noinput"], url, tmp_path)
    execute(
        db,
        "INSERT INTO core_division (code, name, level, path) VALUES "
        "('510000', '四川省', 1, '510000/'), ('510100', '成都市', 2, '510000/510100/')",
        "INSERT INTO accounts_role (code, name, permissions, scope, is_builtin) "
        "VALUES ('clerk', '办事员', '[\"timedtest.handle_errand\"]', 2, 0)",
    )
    original = rows(db, "SELECT id, code, name FROM core_division ORDER BY id")

    made = run(["backup"], url, tmp_path)
    [backup_file] = (tmp_path / "backups").glob("tongzheng-*.sqlite3")
    assert str(backup_file) in made.stdout
    manifest = json.loads(Path(f"{backup_file}.manifest.json").read_text())
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"]["core_division"]["rows"] == 2
    assert manifest["tables"]["accounts_role"]["rows"] >= 1

    execute(
        db,
        "UPDATE core_division SET name = '改名' WHERE code = '510100'",
        "DELETE FROM accounts_role WHERE code = 'clerk'",
        "INSERT INTO core_division (code, name, level, path) VALUES ('520000', '贵州省', 1, '520000/')",
    )
    changed = rows(db, "SELECT id, code, name FROM core_division ORDER BY id")

    refused = run(["restore", str(backup_file)], url, tmp_path, check=False)
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert rows(db, "SELECT id, code, name FROM core_division ORDER BY id") == changed

    restored = run(["restore", str(backup_file), "--yes"], url, tmp_path)
    assert "恢复完成并已校验" in restored.stdout
    assert rows(db, "SELECT id, code, name FROM core_division ORDER BY id") == original
    assert rows(db, "SELECT name FROM accounts_role WHERE code = 'clerk'") == [("办事员",)]
    conn = sqlite3.connect(db)
    try:
        assert backups.sqlite_manifest_tables(conn) == manifest["tables"]
    finally:
        conn.close()

    # A backup whose bytes changed after the manifest was written is refused.
    with open(backup_file, "r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff")
    broken = run(["restore", str(backup_file), "--yes"], url, tmp_path, check=False)
    assert broken.returncode != 0
    assert "SM3" in broken.stderr


# ---- PostgreSQL, only when the suite runs on it -----------------------------------------

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def scratch_postgres():
    """A fresh database on the same server, dropped afterwards; yields its URL."""
    import psycopg

    default = settings.DATABASES["default"]
    params = backups._pg_params({**default, "NAME": "postgres"})
    name = f"tz_backup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = default.get("USER") or ""
    password = f":{default['PASSWORD']}" if default.get("PASSWORD") else ""
    host = default.get("HOST") or "127.0.0.1"
    port = default.get("PORT") or 5432
    try:
        yield f"postgres://{user}{password}@{host}:{port}/{name}", {**params, "dbname": name}
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not ON_POSTGRES, reason="runs when DATABASE_URL is PostgreSQL")
def test_postgresql_round_trip_through_the_commands(tmp_path, scratch_postgres):
    import psycopg

    url, params = scratch_postgres
    run(["migrate", "--noinput"], url, tmp_path)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO core_division (code, name, level, path) VALUES "
            "('510000', '四川省', 1, '510000/'), ('510100', '成都市\t\\n', 2, '510000/510100/')"
        )
        conn.execute(
            "INSERT INTO core_notification (address_sealed, address_masked, channel, subject,"
            " body, status, attempts, last_error, created_at, about_type, about_id)"
            " VALUES ('', '', 'site', '通知', '第一行\n第二行', 'created', 0, '',"
            " '2026-10-08 09:30:00.123456+08', '', '')"
        )
        original = conn.execute("SELECT id, name FROM core_division ORDER BY id").fetchall()

    target = tmp_path / "pg.dump"
    run(["backup", str(target)], url, tmp_path)
    manifest = json.loads(Path(f"{target}.manifest.json").read_text())
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"]["public.core_division"]["rows"] == 2
    assert manifest["tables"]["public.core_notification"]["rows"] == 1

    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute("UPDATE core_division SET name = '改名'")
        conn.execute("DELETE FROM core_notification")
    refused = run(["restore", str(target)], url, tmp_path, check=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr

    run(["restore", str(target), "--yes"], url, tmp_path)
    with psycopg.connect(**params, autocommit=True) as conn:
        assert conn.execute("SELECT id, name FROM core_division ORDER BY id").fetchall() == original
        assert conn.execute("SELECT body FROM core_notification").fetchall() == [
            ("第一行\n第二行",)
        ]
    conn = backups._pg_connect(params)
    try:
        assert backups.pg_database_tables(conn) == manifest["tables"]
    finally:
        conn.close()
