"""Province-scale demo load into PostgreSQL: wall time per phase and rows per second.

Usage (the database must exist, be migrated and hold no organisations)::

    createdb -h 127.0.0.1 -U postgres tz_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench .venv/bin/python bench/demo_load.py

Options: --scale (default province), --workers (default: CPU count), --seed,
--no-migrate. Prints a Markdown table for docs/benchmarks.md, the machine's load
average before and after (other work on the machine changes the figures), and the CPU
seconds spent by Python and by the PostgreSQL backend (parallel index-build workers are
not counted).
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="province")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tongzheng.core.demo import generate, organisations_exist

    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    if organisations_exist():
        print("The database already holds organisations; use an empty one.", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    server_before = server_cpu_seconds(backend)
    python_before = python_cpu_seconds()
    load_before = os.getloadavg()
    started = time.perf_counter()
    report, logins = generate(args.scale, seed=args.seed, workers=args.workers)
    total = time.perf_counter() - started  # includes the commit
    load_after = os.getloadavg()
    python_cpu = python_cpu_seconds() - python_before
    server_after = server_cpu_seconds(backend)

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        counts = {}
        for table in ("core_organisation", "staffing_quotaledgerentry", "staffing_person"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]

    accounted = sum(seconds for name, seconds, _ in report.phases if not name.startswith(" "))
    print(f"scale={args.scale} workers={args.workers} seed={args.seed} {version}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print()
    print("| phase | rows | seconds | rows/s |")
    print("|---|---:|---:|---:|")
    for phase, seconds, rows in report.phases:
        rate = f"{rows / seconds:,.0f}" if seconds > 0 and rows else "-"
        rows_text = f"{rows:,}" if rows else ""
        print(f"| {phase.strip()} | {rows_text} | {seconds:.1f} | {rate} |")
    print(f"| outside the phases (setup, return) | | {total - accounted:.1f} | |")
    print(f"| **total** | | **{total:.1f}** | |")
    print()
    for table, count in counts.items():
        print(f"{table}: {count:,} rows")
    print(f"users: {len(logins)}")
    print(f"CPU seconds: Python (parent and workers) {python_cpu:.0f}", end="")
    if server_before is not None and server_after is not None:
        print(f", PostgreSQL backend {server_after - server_before:.0f}", end="")
    print(f"; wall {total:.0f} s on {os.cpu_count()} CPUs")
    return 0


def python_cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def server_cpu_seconds(pid: int) -> float | None:
    """CPU used so far by the PostgreSQL backend serving us, when the server is local."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    raise SystemExit(main())
