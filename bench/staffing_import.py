"""Staffing Excel import: validate and import 100,000 personnel rows on PostgreSQL.

Usage (creates the database, loads the city-scale demo, measures, drops the database)::

    .venv/bin/python bench/staffing_import.py

Options: --db (default tz_bench_c), --rows (default 100000), --units (default 1000: the
rows are spread over that many demo units, each given room in its quota ledger first),
--keep (do not drop the database). Prints a Markdown table for docs/benchmarks.md with
the time to read, check and write, and the load average (the machine is shared).

Measured: ``validate_file`` (what the upload page does) and ``import_file`` (what the
confirm button does: it validates the same file again inside its transaction, after
locking the units, then writes). Target: the two together under 60 s.
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")

PG = ["-h", "127.0.0.1", "-U", "postgres"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="tz_bench_c")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    subprocess.run(["createdb", *PG, args.db], check=True)  # noqa: S603, S607
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    try:
        return run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            subprocess.run(["dropdb", *PG, args.db], check=True)  # noqa: S603, S607


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from tongzheng.accounts.models import Role, User
    from tongzheng.core.access import DataScope
    from tongzheng.core.demo import generate
    from tongzheng.core.models import Organisation, OrganisationKind
    from tongzheng.staffing import excel, imports
    from tongzheng.staffing.models import EstablishmentType, Person, QuotaLedgerEntry
    from tongzheng.staffing.tests.factories import resident_id

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generate("city", seed=2026)
    print(f"setup: migrate + city demo in {time.perf_counter() - started:.1f} s", flush=True)

    role = Role.objects.create(
        code="bench_importer",
        name="bench importer",
        scope=DataScope.ALL,
        permissions=[imports.IMPORT_PERMISSION, imports.EXPORT_PERMISSION],
    )
    user = User.objects.filter(kind="staff").order_by("id").first()
    user.roles.add(role)
    administrative = EstablishmentType.objects.get(code="administrative")
    units = list(
        Organisation.objects.exclude(kind=OrganisationKind.INTERNAL_DEPARTMENT)
        .filter(uscc__isnull=False)
        .order_by("id")[: args.units]
    )
    per_unit = -(-args.rows // len(units))
    usage = imports.quota_usage([u.id for u in units])

    def room(unit) -> int:
        key = (unit.id, administrative.id)
        taken = usage.occupied[key] + usage.promised[key]
        return per_unit + max(0, taken - usage.approved[key])

    QuotaLedgerEntry.objects.bulk_create(
        QuotaLedgerEntry(
            organisation=unit,
            division_path=unit.division_path,
            establishment_type=administrative,
            date=datetime.date(2026, 1, 1),
            reason="bench",
            increase=room(unit),
        )
        for unit in units
    )

    rows = []
    for n in range(args.rows):
        unit = units[n // per_unit]
        day = datetime.date(1970, 1, 1) + datetime.timedelta(days=n // 500)
        rows.append(
            (
                f"测试{n}",
                "男",
                resident_id(n, area="110101", birth=day.strftime("%Y%m%d")),
                unit.uscc,
                "",
                "",
                administrative.name,
                "非领导职务",
                "2020-09-01",
                "调入",
            )
        )
    directory = Path(tempfile.mkdtemp(prefix="tz-bench-import-"))
    path = directory / "personnel.xlsx"
    written = time.perf_counter()
    path.write_bytes(excel.data_workbook(unit_rows=[], person_rows=rows))
    write_seconds = time.perf_counter() - written
    before = Person.objects.count()

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    validation = imports.validate_file(actor=user, path=path)
    validate_seconds = time.perf_counter() - t0
    if not validation.ok:
        for problem in validation.sorted_problems()[:20]:
            print(problem, file=sys.stderr)
        return 1
    t1 = time.perf_counter()
    imported = imports.import_file(actor=user, path=path, expected_digest=validation.digest)
    import_seconds = time.perf_counter() - t1
    load_after = os.getloadavg()
    assert Person.objects.count() == before + args.rows

    size = path.stat().st_size
    path.unlink()
    directory.rmdir()
    total = validate_seconds + import_seconds
    v, i = validation.timings, imported.timings
    print()
    print(f"{args.rows:,} personnel rows over {len(units)} units; file {size / 1e6:.1f} MB")
    print(f"(writing the file with openpyxl, not measured: {write_seconds:.1f} s)")
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print()
    print("| step | seconds |")
    print("|---|---:|")
    print(f"| validate: read (python-calamine) | {v.get('read', 0):.1f} |")
    print(f"| validate: check personnel rows | {v.get('personnel', 0):.1f} |")
    print(f"| validate total (upload page) | {validate_seconds:.1f} |")
    print(f"| import: re-validate inside the transaction | {i.get('total', 0):.1f} |")
    print(f"| import: write (seal + COPY + audit) | {i.get('write', 0):.1f} |")
    print(f"| import total (confirm button) | {import_seconds:.1f} |")
    print(f"| **validate + import** | **{total:.1f}** |")
    return 0 if total < 60 else 3


if __name__ == "__main__":
    sys.exit(main())
