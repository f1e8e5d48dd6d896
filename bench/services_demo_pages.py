"""Staff inbox and supervision dashboard on the city demo: p50 / p95 of the full pages.

Unlike ``bench/services_inbox.py`` and ``bench/supervision_dashboard.py`` (which load their
own synthetic city), this measures the demo government itself — the data of
``bench/services_demo_load.py`` (``tongzheng demo --scale city`` with 1,000,000
applications over a year, 100,000 hotline tickets, the staffing tables) — as these users:

- 窗口人员（本机构）: the ``service_staff`` role (own organisation) in the department with
  the most open application tasks — the longest own-organisation inbox;
- 电子监察（全市）: the demo user ``supervisor`` (built-in ``supervisor`` role, division and
  below, in the city's 纪委): the widest inbox (every open task of the city) and the
  supervision dashboard of the whole city (counts, drill-down, lists, warnings, trend).

Pages ``/workbench/services/?page=1`` and ``?page=10`` (or the user's last page with rows)
and ``/workbench/supervision/``
through Django's test client (session, middleware, scoped queries, template), ``--requests``
each (default 200; 30 for the dashboard) after 10 warm-up requests. Targets (issue 4):
inbox p95 < 100 ms, dashboard p95 < 200 ms.

Then the supervisor's quarterly performance report (绩效考核) of the last complete quarter
and its .xlsx export, ``--performance-requests`` each (default 5, after 1 warm-up; no
target in the issue). ``--only dashboard`` or ``--only performance`` skips the rest.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_servicesbench \\
        .venv/bin/python bench/services_demo_pages.py
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure(client, url: str, requests: int, warm_up: int = 10) -> tuple[float, float, int, int]:
    from django.db import connection

    for _ in range(warm_up):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    executed = []

    def counter(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), percentile(times, 95), len(response.content), len(executed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--dashboard-requests", type=int, default=30)
    parser.add_argument("--performance-requests", type=int, default=5)
    parser.add_argument("--only", choices=("inbox", "dashboard", "performance"))
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from tongzheng.accounts.models import User
    from tongzheng.accounts.tests.factories import builtin_role, verified_login
    from tongzheng.core.models import Organisation
    from tongzheng.services import queries
    from tongzheng.services.models import Application, ApplicationTask
    from tongzheng.services.views import PAGE_SIZE

    settings.ALLOWED_HOSTS = ["*"]
    supervisor = User.objects.get(username="supervisor")
    # Only the demo city's departments (other benchmarks may share the database).
    city = supervisor.organisation.division_path
    busiest = (
        ApplicationTask.objects.filter(finished_at__isnull=True, division_path__startswith=city)
        .values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        print("No open application tasks: load the demo first.", file=sys.stderr)
        return 2
    department = Organisation.objects.get(pk=busiest["organisation"])
    window, _created = User.objects.get_or_create(
        username="bench_demo_window", defaults={"kind": "staff", "organisation": department}
    )
    window.organisation = department
    window.save()
    window.roles.set([builtin_role("service_staff")])

    applications = Application.objects.count()
    tasks = ApplicationTask.objects.count()
    open_tasks = ApplicationTask.objects.filter(finished_at__isnull=True).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    load_before = os.getloadavg()
    print(f"{version}; applications {applications:,}, tasks {tasks:,}, open tasks {open_tasks:,}")
    print(
        f"window staff in {department.name} ({busiest['n']:,} open tasks); "
        f"supervisor in {supervisor.organisation.name}"
    )
    print()
    print("| who | page | p50 ms | p95 ms | bytes | queries | target |")
    print("|---|---|---:|---:|---:|---:|---|")
    met = True
    inbox_users = (("窗口人员（本机构）", window), ("电子监察（全市）", supervisor))
    for label, user in inbox_users if args.only in (None, "inbox") else ():
        client = Client()
        verified_login(client, user)
        # Page 10, or the user's last page holding rows when the inbox is shorter.
        last = max(1, -(-queries.inbox(user).count() // PAGE_SIZE))
        for page in (1, min(10, last)):
            p50, p95, size, query_count = measure(
                client, f"/workbench/services/?page={page}", args.requests
            )
            ok = p95 < 100
            met = met and ok
            print(
                f"| {label} | inbox {page} | {p50:.1f} | {p95:.1f} | {size:,} | {query_count} | "
                f"{'met' if ok else 'missed'} (<100) |"
            )
    client = Client()
    verified_login(client, supervisor)
    if args.only in (None, "dashboard"):
        p50, p95, size, query_count = measure(
            client, "/workbench/supervision/", args.dashboard_requests
        )
        ok = p95 < 200
        met = met and ok
        print(
            f"| 电子监察（全市） | supervision dashboard | {p50:.1f} | {p95:.1f} | {size:,} | "
            f"{query_count} | {'met' if ok else 'missed'} (<200) |"
        )
    if args.only in (None, "performance"):
        today = timezone.localdate()
        year, quarter = today.year, (today.month - 1) // 3  # the last complete quarter
        if quarter == 0:
            year, quarter = year - 1, 4
        for page, path in (
            ("performance report", "/workbench/supervision/performance/"),
            ("performance .xlsx", "/workbench/supervision/performance/export/"),
        ):
            p50, p95, size, query_count = measure(
                client, f"{path}?year={year}&quarter={quarter}", args.performance_requests, 1
            )
            print(
                f"| 电子监察（全市） | {page} {year}Q{quarter} | {p50:.1f} | {p95:.1f} | {size:,} | "
                f"{query_count} | - |"
            )
    print()
    print(
        f"load average {load_before[0]:.1f} before / {os.getloadavg()[0]:.1f} after "
        f"(1 min, {os.cpu_count()} CPUs)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
