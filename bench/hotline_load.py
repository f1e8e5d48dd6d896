"""Mixed hotline load: locust (headless) against granian on loopback; requests/s and p95.

1. Prepares the database: bench operator accounts ``bench_op_NN`` (热线话务员 of the top
   12345 centre, each with its own TOTP device, since a code can be used once) and a
   sample file — random demo tickets with their derived 提取码
   (``hotline.demo.demo_extraction_code``), published letters, townships, subjects,
   search words and texts.
2. Starts ``granian --interface wsgi --workers 2 tongzheng.wsgi:application`` (the
   Makefile's ``run`` command) on a free loopback port with ``bench/hotline_settings.py``
   (the intake rate limits lifted: every request comes from 127.0.0.1).
3. Runs ``locust -f bench/locustfile_hotline.py --headless --reset-stats`` with CSV output
   and prints a Markdown table per request kind and in total. The statistics are reset
   once the last operator has signed in (a PBKDF2 password hash each, many seconds of
   CPU for 60 of them) and the run stops ``--duration`` later: the figures are that
   window's. (Reset at the end of spawning, as before, the sign-ins of a loaded server
   ran well into the measured time.)

Usage (a PostgreSQL database loaded with ``tongzheng demo --scale province``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench .venv/bin/python bench/hotline_load.py --duration 10m

Options: --duration (locust -t, default 2m), --settle (seconds from the last operator's
sign-in to the measured window, default 60), --users (default 300), --spawn-rate (30),
--operators (share of users that are operators, default 0.2), --rate (requests per
second per user, default 1), --workers (granian, default 2) / --blocking-threads (per
worker, default 8: one database connection each), --csv (prefix,
default var/bench/hotline_load), --seed (the demo seed, default 2026), --redis (the
server's cache, default $REDIS_URL or redis://127.0.0.1:6379/3 when it answers),
--no-trace (by default a per-second trace of the machine, ``bench/system_trace.py``, runs
beside locust's per-second history, and the slowest seconds are printed with it).
Targets: >= 300 requests/s, p95 < 200 ms, no failures.
"""

import argparse
import csv
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")

import system_trace  # noqa: E402 - bench/ is not a package
from loopback_server import (  # noqa: E402
    cpu_per_request,
    database_name,
    free_port,
    redis_url,
    wait_until_up,
)

TARGET_RPS = 300
TARGET_P95_MS = 200
WORDS = ("路灯", "噪音", "拖欠工资", "物业", "停水", "占道经营", "预付卡", "公交", "低保", "电梯")


SIGN_IN_ALLOWANCE = 300  # seconds for the operators' sign-in before the measured window


def seconds(duration: str) -> int:
    """Locust's run-time syntax ("90s", "2m", "1h30m") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1}
    total, number = 0, ""
    for char in duration.strip():
        if char.isdigit():
            number += char
        else:
            total += int(number) * units[char]
            number = ""
    return total + int(number or 0)


def prepare(args) -> dict:
    """Bench operators and the sample file's content."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongzheng.accounts.models import AccountKind, Role, User
    from tongzheng.core.demo import DEMO_PASSWORD
    from tongzheng.core.models import Division
    from tongzheng.hotline.demo import demo_extraction_code
    from tongzheng.hotline.models import Subject, Ticket, hash_code

    centre_user = User.objects.filter(username="hotline").first()
    if centre_user is None:
        raise SystemExit("No demo operator `hotline`: load the demo first.")
    role = Role.objects.get(code="hotline_operator")
    password = make_password(DEMO_PASSWORD)
    operators = []
    count = max(1, round(args.users * args.operators))
    for n in range(count):
        user, _created = User.objects.update_or_create(
            username=f"bench_op_{n:02d}",
            defaults={
                "full_name": f"压测话务员{n:02d}",
                "kind": AccountKind.STAFF,
                "organisation_id": centre_user.organisation_id,
                "password": password,
                "is_active": True,
            },
        )
        user.roles.set([role])
        TOTPDevice.objects.filter(user=user).delete()
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name="bench", key=key, confirmed=True)
        operators.append([user.username, DEMO_PASSWORD, key])

    area = centre_user.organisation.division_path
    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM hotline_ticket")
        low, high = cursor.fetchone()
    ids = [rng.randint(low, high) for _ in range(args.sample)]
    # Demo tickets of the centre's area whose 提取码 is the derived one: tickets filed by
    # an earlier run have random codes, and a citizen's failed lookups would soon block
    # every lookup from 127.0.0.1 (HOTLINE_RATE_LOOKUP_FAILURES, deliberately kept).
    rows = Ticket.objects.filter(pk__in=ids, division_path__startswith=area).values_list(
        "number", "code_hash"
    )
    tickets = []
    for number, code_hash in rows:
        code = demo_extraction_code(args.seed, number)
        if hash_code(number, code) == code_hash:
            tickets.append([number, code])
    letters = list(
        Ticket.objects.filter(published_at__isnull=False)
        .order_by("-published_at")
        .values_list("number", flat=True)[:2000]
    )
    contents = list(Ticket.objects.filter(pk__in=ids[:300]).values_list("content", flat=True))
    # Townships of the centre's own area: a ticket filed elsewhere would be outside the
    # bench operators' scope, and a later run that samples it would count their 404s.
    divisions = list(
        Division.objects.filter(level=4, path__startswith=area)
        .order_by("?")
        .values_list("code", flat=True)[:500]
    )
    return {
        "tickets": tickets,
        "letters": letters,
        "contents": contents,
        "divisions": divisions,
        "subjects": list(Subject.objects.filter(active=True).values_list("pk", flat=True)),
        "words": list(WORDS),
        "operators": operators,
        "ticket_count": high - low + 1 if high else 0,
    }


def summary(prefix: str) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="2m")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--spawn-rate", type=int, default=30)
    parser.add_argument("--operators", type=float, default=0.2)
    parser.add_argument(
        "--settle",
        type=int,
        default=60,
        help="seconds between the last operator's sign-in and the measured window",
    )
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    # Each granian blocking thread holds its own database connection (CONN_MAX_AGE): left
    # at granian's default the threads follow the concurrency and exhaust PostgreSQL's
    # max_connections (100) — measured: 5,773 "too many clients" errors in 2 minutes.
    parser.add_argument("--blocking-threads", type=int, default=8)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3",
        help="the server's cache (REDIS_URL); '' for per-process memory",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--csv", default=str(ROOT / "var" / "bench" / "hotline_load"))
    parser.add_argument(
        "--no-trace",
        dest="trace",
        action="store_false",
        help="no per-second trace (bench/system_trace.py) and no locust history",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2

    sample = prepare(args)
    Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
    sample_path = Path(f"{args.csv}_sample.json")
    sample_path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    cache = redis_url(args.redis)
    env = {
        **os.environ,
        "REDIS_URL": cache,
        "TONGZHENG_MODE": os.environ.get("TONGZHENG_MODE", "development"),
        "DJANGO_SETTINGS_MODULE": "hotline_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "granian"),
        "--interface",
        "wsgi",
        "--workers",
        str(args.workers),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    if args.blocking_threads:
        command += ["--blocking-threads", str(args.blocking_threads)]
    server = subprocess.Popen(  # noqa: S603
        [*command, "tongzheng.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{args.csv}_granian.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    users = args.users
    operators = max(1, round(users * args.operators))
    tracer = None
    try:
        wait_until_up(f"{host}/hotline/letters/")
        for path in ("/hotline/letters/", "/hotline/new/", "/hotline/track/") * 4:
            urllib.request.urlopen(f"{host}{path}").read()  # noqa: S310 - warm both workers
        Path(f"{args.csv}_cpu.json").unlink(missing_ok=True)
        load_before = os.getloadavg()
        if args.trace:
            tracer = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    str(ROOT / "bench" / "system_trace.py"),
                    f"{args.csv}_trace.csv",
                    "--database",
                    database_name(),
                ],
                cwd=ROOT,
            )
        started = time.monotonic()
        subprocess.run(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile_hotline.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(args.spawn_rate),
                # A backstop: the locustfile stops the run `duration` after the last
                # operator's sign-in (HOTLINE_BENCH_MEASURE_SECONDS).
                "--run-time",
                f"{seconds(args.duration) + args.settle + SIGN_IN_ALLOWANCE}s",
                "--host",
                host,
                "--csv",
                args.csv,
                "--only-summary",
                *(["--csv-full-history"] if args.trace else []),
                # Operators sign in (PBKDF2 password, TOTP) while users are spawned; the
                # figures are those of the steady state after the ramp-up.
                "--reset-stats",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "HOTLINE_BENCH_SAMPLE": str(sample_path),
                "HOTLINE_BENCH_OPERATOR_WEIGHT": str(operators),
                "HOTLINE_BENCH_CITIZEN_WEIGHT": str(users - operators),
                "HOTLINE_BENCH_OPERATOR_RATE": str(args.rate),
                "HOTLINE_BENCH_CITIZEN_RATE": str(args.rate),
                "HOTLINE_BENCH_MEASURE_SECONDS": str(seconds(args.duration)),
                "HOTLINE_BENCH_SETTLE_SECONDS": str(args.settle),
                "HOTLINE_BENCH_SERVER_GROUP": str(server.pid),
                "HOTLINE_BENCH_CPU_FILE": f"{args.csv}_cpu.json",
            },
            check=False,
        )
        wall = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        if tracer is not None:
            tracer.terminate()
            tracer.wait(timeout=30)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    rows = summary(args.csv)
    print(
        f"{sample['ticket_count']:,} tickets; locust {users} users ({operators} operators) at "
        f"{args.rate:g} request/s each, {args.duration} measured from {args.settle} s after the "
        f"last sign-in (wall {wall:.0f} s incl. ramp-up); "
        f"granian {args.workers} workers x {args.blocking_threads} threads; "
        f"cache {cache or 'per-process memory'}; load average {load_before[0]:.1f} before / "
        f"{load_after[0]:.1f} after"
    )
    print()
    print("| request | count | failures | requests/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        print(
            f"| {row['Type']} {row['Name']} | {int(row['Request Count']):,} | "
            f"{int(row['Failure Count']):,} | {float(row['Requests/s']):.1f} | {row['50%']} | "
            f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |"
        )
    if total is None:
        print("locust wrote no aggregate row", file=sys.stderr)
        return 1
    rps, p95, failures = (
        float(total["Requests/s"]),
        float(total["95%"]),
        int(total["Failure Count"]),
    )
    print(
        f"| **total** | {int(total['Request Count']):,} | {failures:,} | {rps:.1f} | "
        f"{total['50%']} | {p95:.0f} | {total['99%']} | {float(total['Max Response Time']):.0f} |"
    )
    cpu_file = Path(f"{args.csv}_cpu.json")
    if cpu_file.exists():
        cpu = json.loads(cpu_file.read_text())
        if cpu["requests"]:
            served = cpu["after"]["server"] - cpu["before"]["server"]
            print(
                f"server CPU (granian workers) in the measured window: "
                f"{served * 1000 / cpu['requests']:.1f} ms per request "
                f"({served:.0f} s for {cpu['requests']:,} requests)"
            )
            shares = cpu_per_request(
                cpu["before"], cpu["after"], cpu["requests"], locust=cpu["locust"]
            )
            print(f"CPU ms per request by process: {shares}")
    met = rps >= TARGET_RPS and p95 < TARGET_P95_MS and failures == 0
    print()
    print(
        f"targets: >= {TARGET_RPS} requests/s {'met' if rps >= TARGET_RPS else 'missed'}, "
        f"p95 < {TARGET_P95_MS} ms {'met' if p95 < TARGET_P95_MS else 'missed'}, "
        f"no failures {'met' if failures == 0 else 'missed'}"
    )
    if failures:
        print(f"failures: see {args.csv}_failures.csv")
    if args.trace:
        print()
        print("The slowest seconds (locust's p95 over the 10 s before each) and the machine then:")
        print(system_trace.summarise(f"{args.csv}_trace.csv", f"{args.csv}_stats_history.csv"))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
