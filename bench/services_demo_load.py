"""The city demo with its service applications, loaded into PostgreSQL for the services
benchmarks: wall time per phase, row counts, and ``VACUUM ANALYZE`` afterwards.

Usage (the database is created if missing and migrated; it must hold no organisations)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_servicesbench \\
        .venv/bin/python bench/services_demo_load.py --scale city --applications 1000000

``--applications`` is passed to the services demo generator (``services.demo``) as its
module option, like ``tongzheng demo --tickets`` for the hotline; ``--tickets`` likewise.
Options: --scale (default city), --workers (default: CPU count), --seed.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city")
    parser.add_argument("--applications", type=int, default=None)
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tongzheng.core.demo import generate, organisations_exist

    call_command("migrate", verbosity=0)
    if organisations_exist():
        print("The database already holds organisations; use an empty one.", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    started = time.perf_counter()
    report, _logins = generate(
        args.scale,
        seed=args.seed,
        workers=args.workers,
        options={"applications": args.applications, "tickets": args.tickets},
    )
    total = time.perf_counter() - started
    load_after = os.getloadavg()
    print(f"scale={args.scale} workers={args.workers} seed={args.seed}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print()
    print("| phase | rows | seconds |")
    print("|---|---:|---:|")
    for phase, seconds, rows in report.phases:
        print(f"| {phase.strip()} | {rows:,} | {seconds:.1f} |")
    print(f"| **total** | | **{total:.1f}** |")
    print()
    for name, value in report.counts.items():
        if name.startswith("services_") or name.startswith("hotline_tickets"):
            print(f"{name}: {value:,}")
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
