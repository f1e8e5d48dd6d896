"""政务服务 staff inbox at volume: p50/p95 of the rendered page with 1,000,000 applications.

Usage (PostgreSQL; the database is created and migrated if needed, data added once)::

    createdb -h 127.0.0.1 -U postgres tz_services_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_services_bench \
        .venv/bin/python bench/services_inbox.py --applications 1000000

Data: one city with ``--departments`` departments (default 60), one item per department
whose single stage runs two departments in parallel, and ``--applications`` historical
applications spread over them, inserted with one ``INSERT … SELECT generate_series`` per
table. ``--open-share`` of them (default 3 %) are still open, each with two open
department tasks; the rest are closed with their tasks finished. The acceptance, decision
and result tasks are left out: they are short-lived and do not change the shape of the
query. The task table holds 2 rows per application.

Measured: the full page ``/workbench/services/`` through Django's test client (session,
middleware, scoped query, pagination count, template) for a department's window staff
(本机构 scope) and a division's item administrator (本区划及下级 scope, the widest list),
page 1 and page 10; ``--requests`` each (default 200) after 10 warm-up requests. Two
reference lines measured in the same run put the figures in context on a shared machine:
the inbox query alone (scoped, 51 rows with their joins, no rendering), and the platform's
floor, the small message box page ``/workbench/core/messages/`` through the same stack.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")
os.environ.setdefault("TONGZHENG_MODE", "test")


def setup_catalogue(departments: int):
    from tongzheng.accounts.tests.factories import UserFactory
    from tongzheng.core.models import Division, DivisionLevel, Organisation
    from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
    from tongzheng.services import actions
    from tongzheng.services.models import ServiceItem
    from tongzheng.services.tests.factories import elements, item_admin, material, role

    city = Division.objects.filter(code="519900").first()
    if city is None:
        province = DivisionFactory(
            code="519000", name="基准省", level=DivisionLevel.PROVINCE, parent=None
        )
        city = DivisionFactory(
            code="519900", name="基准市", level=DivisionLevel.CITY, parent=province
        )
    orgs = list(Organisation.objects.filter(division=city).order_by("pk"))
    for n in range(len(orgs), departments):
        orgs.append(OrganisationFactory(division=city, name=f"基准市第{n + 1}局"))
    from tongzheng.accounts.models import User

    admin = User.objects.filter(username="bench_services_admin").first() or item_admin(
        orgs[0], username="bench_services_admin"
    )
    for n, organisation in enumerate(orgs):
        code = f"BENCH{n:06d}"
        if ServiceItem.objects.filter(implementation_code=code).exists():
            continue
        actions.publish_item_version(
            actor=admin,
            organisation=organisation,
            implementation_code=code,
            elements=elements(name=f"基准事项{n + 1}"),
            materials=[material()],
            stages=[
                {
                    "name": "联合审查",
                    "limit_working_days": 3,
                    "departments": [orgs[(n + 1) % len(orgs)], orgs[(n + 2) % len(orgs)]],
                }
            ],
        )
    window = User.objects.filter(username="bench_services_window").first() or UserFactory(
        username="bench_services_window",
        organisation=orgs[1],
        roles=[
            role(
                "bench_service_staff",
                ["services.view_application", "services.handle_application"],
            )
        ],
    )
    citizen = User.objects.filter(username="bench_services_citizen").first() or UserFactory(
        username="bench_services_citizen", kind="citizen", organisation=None
    )
    return city, orgs, admin, window, citizen


INSERT_APPLICATIONS = """
INSERT INTO services_application (
    number, code_hash, applicant_id, applicant_name, item_id, version_id, organisation_id,
    division_path, channel, form_data, status, current_stage_id, created_at, submitted_at,
    accepted_at, decided_at, decision_reason, closed_at,
    started_at, limit_working_days, due_at, warning_at, paused_since, paused_working_days,
    finished_at)
SELECT
    'SQB' || lpad(g::text, 12, '0'), repeat('0', 64), %(citizen)s, '基准申请人',
    i.id, i.current_version_id, i.organisation_id, i.division_path, 'online', '{}'::jsonb,
    CASE WHEN g %% 1000 < %(open_permille)s THEN 'reviewing' ELSE 'closed' END,
    NULL, t, t, t, NULL, '', CASE WHEN g %% 1000 < %(open_permille)s THEN NULL ELSE t + interval '9 days' END,
    t, 10, t + interval '14 days', t + interval '13 days', NULL, 0,
    CASE WHEN g %% 1000 < %(open_permille)s THEN NULL ELSE t + interval '9 days' END
FROM generate_series(%(start)s, %(stop)s) AS g
CROSS JOIN LATERAL (
    SELECT now() - ((g %% 1500) || ' days')::interval - ((g %% 86400) || ' seconds')::interval AS t
) AS times
JOIN (
    SELECT id, current_version_id, organisation_id, division_path,
        row_number() OVER (ORDER BY id) - 1 AS idx
    FROM services_serviceitem WHERE implementation_code LIKE 'BENCH%%'
) AS i ON i.idx = g %% %(items)s
"""

INSERT_TASKS = """
INSERT INTO services_applicationtask (
    application_id, kind, stage_id, stage_task_id, organisation_id, division_path, outcome,
    opinion, decided_by_id, created_at,
    started_at, limit_working_days, due_at, warning_at, paused_since, paused_working_days,
    finished_at)
SELECT a.id, k.kind, NULL, NULL, st.organisation_id, o.division_path,
    CASE WHEN a.closed_at IS NULL AND k.kind = 'review' THEN 'pending' ELSE 'approved' END,
    '', NULL, a.created_at, a.created_at, 3,
    a.created_at + (k.n || ' days')::interval + interval '3 days',
    a.created_at + (k.n || ' days')::interval + interval '2 days', NULL, 0,
    CASE WHEN a.closed_at IS NULL AND k.kind = 'review' THEN NULL
         ELSE a.created_at + interval '2 days' END
FROM services_application a
JOIN services_serviceitem i ON i.id = a.item_id
JOIN services_stage s ON s.version_id = i.current_version_id
JOIN LATERAL (
    SELECT organisation_id, row_number() OVER (ORDER BY id) AS n
    FROM services_stagetask WHERE stage_id = s.id
) AS st ON true
CROSS JOIN LATERAL (SELECT 'review' AS kind, st.n AS n) AS k
JOIN core_organisation o ON o.id = st.organisation_id
WHERE a.number LIKE 'SQB%%' AND a.id BETWEEN %(low)s AND %(high)s
"""


def load(applications: int, open_share: float, citizen, batch: int = 100_000) -> None:
    from django.db import connection, transaction

    from tongzheng.services.models import Application, ServiceItem

    have = Application.objects.filter(number__startswith="SQB").count()
    items = ServiceItem.objects.filter(implementation_code__startswith="BENCH").count()
    open_permille = round(open_share * 1000)
    start = have + 1
    while start <= applications:
        stop = min(applications, start + batch - 1)
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM services_application")
            low = cursor.fetchone()[0] + 1
            cursor.execute(
                INSERT_APPLICATIONS,
                {
                    "citizen": citizen.pk,
                    "open_permille": open_permille,
                    "start": start,
                    "stop": stop,
                    "items": items,
                },
            )
            cursor.execute("SELECT max(id) FROM services_application")
            high = cursor.fetchone()[0]
            cursor.execute(INSERT_TASKS, {"low": low, "high": high})
        print(f"  applications {start:,}-{stop:,} in {time.perf_counter() - began:.1f} s")
        start = stop + 1
    with connection.cursor() as cursor:
        # What autovacuum does on a live system: statistics, and the visibility map that
        # lets index-only scans skip the heap.
        cursor.execute("VACUUM ANALYZE services_application")
        cursor.execute("VACUUM ANALYZE services_applicationtask")


def measure(client, url: str, requests: int) -> tuple[float, float, int]:
    for _ in range(10):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return statistics.median(times), p95, len(response.content)


def measure_query(user, page: int, requests: int) -> tuple[float, float]:
    from tongzheng.services import queries

    start = (page - 1) * 50
    times = []
    for n in range(requests + 10):
        began = time.perf_counter()
        list(queries.inbox(user)[start : start + 51])
        if n >= 10:
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--open-share", type=float, default=0.03)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tongzheng.accounts.tests.factories import verified_login
    from tongzheng.services.models import Application, ApplicationTask

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    city, orgs, admin, window, citizen = setup_catalogue(args.departments)
    began = time.perf_counter()
    load(args.applications, args.open_share, citizen)
    print(f"load: {time.perf_counter() - began:.1f} s")

    applications = Application.objects.count()
    tasks = ApplicationTask.objects.count()
    open_tasks = ApplicationTask.objects.filter(finished_at__isnull=True).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"{version}; applications {applications:,}, tasks {tasks:,}, open tasks {open_tasks:,}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min)")
    print()
    print("| who | page | p50 ms | p95 ms | bytes |")
    print("|---|---:|---:|---:|---:|")
    for label, user in (("窗口人员（本机构）", window), ("事项管理员（本区划）", admin)):
        client = Client()
        verified_login(client, user)
        for page in (1, 10):
            url = f"/workbench/services/?page={page}"
            p50, p95, size = measure(client, url, args.requests)
            print(f"| {label} | {page} | {p50:.1f} | {p95:.1f} | {size:,} |")
            p50, p95 = measure_query(user, page, args.requests)
            print(f"| {label}, query only | {page} | {p50:.1f} | {p95:.1f} | |")
    client = Client()
    verified_login(client, window)
    p50, p95, size = measure(client, "/workbench/core/messages/", args.requests)
    print(f"| floor: message box page | 1 | {p50:.1f} | {p95:.1f} | {size:,} |")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
