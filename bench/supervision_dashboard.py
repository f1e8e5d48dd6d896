"""Supervision dashboard latency for a whole city: the full page, as a city supervisor.

Loads (once; ``--reuse`` skips loading when the data is there) a city of 12 counties
with 10 departments each and 30 city bureaus, and in it, on the real registered models:

- hotline tickets: ``--tickets`` open (default 60 000) and 5 × as many finished;
- quota-use applications: ``--applications`` open (default 20 000), 5 × as many finished;
- bad ratings with their rectifications: ``--rectifications`` open (default 5 000);
- 2 000 warnings and 30 days of snapshots.

Starts and deadlines are spread over the last 40 days, so about a third of the open
tasks are red and some yellow. Then GETs /workbench/supervision/ (counts, drill-down,
both lists, warnings, trend) ``--samples`` times through the test client as a user
holding the built-in ``supervisor`` role in the city, and prints p50 / p95 / max and
the number of queries of one request. The target is p95 < 200 ms.

Usage (use your own database; it is created and migrated if missing)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_supervision_bench \\
        .venv/bin/python bench/supervision_dashboard.py
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")

CITY = "519900"  # a code no real data uses


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def load(args, rng):
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from tongzheng.core.models import Division, DivisionLevel, Organisation
    from tongzheng.core.timed import deadline
    from tongzheng.hotline.models import Channel, Ticket, TicketType
    from tongzheng.staffing.models import EstablishmentType, QuotaUseApplication
    from tongzheng.supervision.models import (
        DailySnapshot,
        Rating,
        Rectification,
        SystemWarning,
    )

    province, _ = Division.objects.get_or_create(
        code="999000", defaults={"name": "基准省", "level": DivisionLevel.PROVINCE}
    )
    city, _ = Division.objects.get_or_create(
        code=CITY, defaults={"name": "基准市", "level": DivisionLevel.CITY, "parent": province}
    )
    counties = [
        Division.objects.get_or_create(
            code=f"5199{n:02d}",
            defaults={"name": f"基准区{n}", "level": DivisionLevel.COUNTY, "parent": city},
        )[0]
        for n in range(1, 13)
    ]
    departments = []
    for place, count in [(city, 30)] + [(county, 10) for county in counties]:
        for n in range(count):
            departments.append(
                Organisation.objects.create(
                    name=f"{place.name}第{n}局",
                    kind="party_government",
                    category="government",
                    subordination="50",
                    division=place,
                )
            )
    applicant = get_user_model().objects.create(
        username="bench_applicant", kind="staff", organisation=departments[0]
    )
    etype, _ = EstablishmentType.objects.get_or_create(code="bench", defaults={"name": "基准编制"})
    now = timezone.now()
    cache = {}

    def clock(limit, finished):
        started = now - datetime.timedelta(days=rng.uniform(0, 40))
        day = (started.date(), limit)
        if day not in cache:
            cache[day] = deadline(started, limit)
        due, warning = cache[day]
        done = None
        if finished:
            done = min(now, started + datetime.timedelta(days=rng.uniform(0, 30)))
        return {
            "started_at": started,
            "limit_working_days": limit,
            "due_at": due,
            "warning_at": warning,
            "finished_at": done,
        }

    def batches(make, total, size=5000):
        for start in range(0, total, size):
            with transaction.atomic():
                make(min(size, total - start), start)

    def tickets(n, offset):
        rows = []
        for i in range(n):
            org = rng.choice(departments)
            finished = (offset + i) >= args.tickets
            rows.append(
                Ticket(
                    number=f"B{offset + i:09d}",
                    code_hash="0" * 64,
                    channel=Channel.WEB,
                    type=TicketType.COMPLAINT,
                    content="基准工单",
                    division=org.division,
                    division_path=org.division_path,
                    organisation=org,
                    **clock(rng.choice((3, 5, 10)), finished),
                )
            )
        Ticket.objects.bulk_create(rows)

    def applications(n, offset):
        rows = []
        for i in range(n):
            org = rng.choice(departments)
            rows.append(
                QuotaUseApplication(
                    organisation=org,
                    division_path=org.division_path,
                    establishment_type=etype,
                    slots=1,
                    reason="基准",
                    status="submitted",
                    applicant=applicant,
                    **clock(10, (offset + i) >= args.applications),
                )
            )
        QuotaUseApplication.objects.bulk_create(rows)

    def rectifications(n, offset):
        ratings = []
        for i in range(n):
            org = rng.choice(departments)
            ratings.append(
                Rating(
                    subject_type="bench.thing",
                    subject_id=str(offset + i),
                    subject_repr=f"基准事项{offset + i}",
                    organisation=org,
                    division_path=org.division_path,
                    level=1,
                    rated_at=now,
                )
            )
        Rating.objects.bulk_create(ratings)
        Rectification.objects.bulk_create(
            Rectification(
                rating=r,
                organisation=r.organisation,
                division_path=r.division_path,
                **clock(15, False),
            )
            for r in ratings
        )

    batches(tickets, args.tickets * 6)
    batches(applications, args.applications * 6)
    batches(rectifications, args.rectifications)
    SystemWarning.objects.bulk_create(
        SystemWarning(
            kind=rng.choice(("over_promised_limit", "refused_without_reason", "fee_without_basis")),
            subject_type="bench.thing",
            subject_id=str(i),
            subject_repr=f"基准事项{i}",
            organisation=(org := rng.choice(departments)),
            division_path=org.division_path,
            raised_at=now - datetime.timedelta(days=rng.uniform(0, 30)),
        )
        for i in range(2000)
    )
    DailySnapshot.objects.bulk_create(
        DailySnapshot(
            day=timezone.localdate() - datetime.timedelta(days=d),
            task_type=label,
            division_path=county.path,
            open_count=rng.randint(100, 1000),
            red_count=rng.randint(0, 300),
            yellow_count=rng.randint(0, 50),
        )
        for d in range(30)
        for label in ("hotline.ticket", "staffing.quotauseapplication")
        for county in counties
    )
    return departments[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=60_000)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--rectifications", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="skip loading if the city exists")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from tongzheng.accounts.tests.factories import builtin_role, verified_login
    from tongzheng.core.models import Organisation
    from tongzheng.core.timed import timed_task_models

    rng = random.Random(args.seed)
    bureau = Organisation.objects.filter(division__code=CITY).order_by("pk").first()
    if bureau is None or not args.reuse:
        if bureau is not None:
            print("the city is loaded already; use --reuse or a fresh database", file=sys.stderr)
            return 2
        began = time.perf_counter()
        bureau = load(args, rng)
        print(f"loaded in {time.perf_counter() - began:.0f} s")
        with connection.cursor() as cursor:
            # Both engines plan from statistics. On PostgreSQL, VACUUM also sets the
            # visibility map that index-only scans need: autovacuum does the same soon
            # after a bulk load, so this is the steady state, not a favour.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="bench_supervisor", defaults={"kind": "staff", "organisation": bureau}
    )
    user.roles.set([builtin_role("supervisor")])
    client = Client()
    verified_login(client, user)
    counts = {m._meta.label_lower: m.objects.count() for m in timed_task_models()}
    print(
        f"{connection.vendor}, tasks {counts}, load average {os.getloadavg()[0]:.1f}",
    )
    url = "/workbench/supervision/"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    timings, cpu = [], []
    for _ in range(args.samples):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        # CPU of this process alone (Django, templates; not the database server's):
        # less sensitive than wall time to the other work on a shared machine.
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
    from tongzheng.supervision import queries

    board = queries.dashboard(user)
    totals = {
        status: {m.label: getattr(m.counts, status) for m in board.modules}
        for status in ("red", "yellow")
    }

    parts = {
        "dashboard()": lambda: queries.dashboard(user),
        "task_pages(red, yellow)": lambda: queries.task_pages(
            user, ("red", "yellow"), totals=totals
        ),
        "warnings()": lambda: queries.warnings(user),
        "trend()": lambda: queries.trend(user),
    }
    for name, call in parts.items():
        spent = []
        for _ in range(max(3, args.samples // 3)):
            began = time.perf_counter()
            call()
            spent.append((time.perf_counter() - began) * 1000)
        print(f"  {name}: p50 {statistics.median(spent):.1f} ms")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(
        f"GET {url}: p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 95):.0f} ms, "
        f"max {max(timings):.0f} ms over {args.samples}; {len(executed)} queries; "
        f"application CPU p50 {statistics.median(cpu):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
