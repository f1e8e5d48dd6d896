"""Server time of each page of the hotline load mix, one request at a time (no HTTP).

The capacity of ``bench/hotline_load.py`` is bounded by what each request costs: on two
cores, 300 requests/s leave about 6.7 ms of CPU per request on average. This measures
each request kind of the locust mix through Django's test client in one process (the
whole middleware stack, sessions, templates and queries; no network, no server), so the
expensive pages can be named. Operators sign in with password and TOTP first.

Usage (prepares like ``bench/hotline_load.py``: renews bench_op_00's TOTP key, which
ends that operator's sessions — so one run at a time per database: a second run, or the
load benchmark, started beside it turns its operator pages into redirects to the login)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench .venv/bin/python bench/hotline_pages.py

Options: --samples per page (default 20), --seed (the demo seed, default 2026),
--profile SUBSTRING (cProfile of the pages whose name contains it: the top functions),
--pg-cpu (a column of PostgreSQL's own CPU per request: its backend's utime + stime over
the samples, in 10 ms ticks, so use --samples 50 or more), --only SUBSTRING (only the
pages whose name contains it), --callgrind N (below).

``--callgrind N`` runs the script again under ``valgrind --tool=callgrind`` and adds a
column of instructions per request (the mean of N requests of each kind after three warm
ones): deterministic whatever the machine's load, unlike milliseconds. Only the N
requests are counted (``--toggle-collect`` on ``sys.call_tracing``, which runs them; one
profile dumped per kind, ``--dump-after``); the child's files stay in
``var/bench/callgrind/hotline_pages-<pid>`` (one directory a run) for
``callgrind_annotate``. About 50 times slower than normal: use ``--samples 1`` and N of
10-20.

Columns: wall time, this process's CPU time (``time.process_time``: Python, templates,
the driver's side of the queries; PostgreSQL's own CPU is not in it), SQL queries and
cache calls (each a round trip with Redis) per request, medians. The "mix" row weighs
each kind as the locust mix sends it (``bench/locustfile_hotline.py``: 60 operators and
240 citizens at one task a second; filing a ticket is two requests, form and POST).
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "hotline_settings"
URLENCODED = "application/x-www-form-urlencoded"


def mix_weights() -> dict[str, float]:
    """Requests per second of each kind in the locust mix (60 operators, 240 citizens)."""
    operator = {"ticket list": 4, "list by status": 2, "search": 2, "ticket detail": 5}
    # Citizen tasks: track 6, letters 3, a letter 1, the form 1, filing 1 (form + POST).
    citizen = {"track": 6, "letters list": 3, "letter": 1, "intake form": 2, "intake": 1}
    weights = {f"operator: {k}": 60 * v / sum(operator.values()) for k, v in operator.items()}
    weights.update({f"public: {k}": 240 * v / 12 for k, v in citizen.items()})
    return weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026, help="the demo seed")
    parser.add_argument("--profile", default="", help="cProfile pages whose name contains this")
    parser.add_argument(
        "--pg-cpu",
        action="store_true",
        help="also PostgreSQL's own CPU per request (its backend's /proc/self/stat; superuser)",
    )
    parser.add_argument(
        "--profile-out", default="", help="also write each profile to this path + the page's name"
    )
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument(
        "--callgrind",
        type=int,
        default=0,
        metavar="N",
        help="instructions per request (mean of N) under valgrind's callgrind",
    )
    args = parser.parse_args()
    if args.callgrind and not os.environ.get(_UNDER_CALLGRIND):
        return run_under_callgrind(args)

    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from hotline_load import prepare  # bench/hotline_load.py
    from hotline_totp import totp

    # The same preparation as the load benchmark, for one operator (bench_op_00, whose
    # TOTP key it renews) and 2,000 sample tickets.
    sample = prepare(argparse.Namespace(users=5, operators=0.2, sample=2000, seed=args.seed))
    rng = random.Random(5)
    operator = Client(HTTP_HOST="127.0.0.1")
    username, password, key = sample["operators"][0]
    started = time.perf_counter()
    operator.post("/accounts/login/", {"username": username, "password": password})
    login_ms = (time.perf_counter() - started) * 1000
    response = operator.post("/accounts/otp/", {"token": totp(key)})
    if response.status_code != 302:
        print("the bench operator could not sign in", file=sys.stderr)
        return 2
    # As locust's citizens: the CSRF check enforced, the token from the page, the forms
    # posted url-encoded (the test client's default, multipart, parses differently).
    public = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    csrf = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', public.get("/hotline/new/").text
    )
    form_token = csrf.group(1)

    def post_form(path, data):
        data = {"csrfmiddlewaretoken": form_token, **data}
        return public.post(path, urlencode(data), content_type=URLENCODED)

    def intake():
        return post_form(
            "/hotline/new/",
            {
                "channel": "web",
                "type": "complaint",
                "subject": str(rng.choice(sample["subjects"])),
                "title": "路灯不亮",
                "content": rng.choice(sample["contents"]),
                "address": "人民路18号",
                "division": rng.choice(sample["divisions"]),
                "reporter_name": "王芳",
                "reporter_phone": f"139{rng.randrange(10**8):08d}",
            },
        )

    pages = (
        ("operator: ticket list", lambda: operator.get("/workbench/hotline/tickets/")),
        (
            "operator: list by status",
            lambda: operator.get(
                "/workbench/hotline/tickets/",
                {"status": rng.choice(("received", "handling", "answered", "closed"))},
            ),
        ),
        (
            "operator: search",
            lambda: operator.get("/workbench/hotline/tickets/", {"q": rng.choice(sample["words"])}),
        ),
        (
            "operator: ticket detail",
            lambda: operator.get(f"/workbench/hotline/tickets/{rng.choice(sample['tickets'])[0]}/"),
        ),
        (
            "public: track",
            lambda: post_form(
                "/hotline/track/",
                dict(zip(("number", "code"), rng.choice(sample["tickets"]), strict=True)),
            ),
        ),
        ("public: letters list", lambda: public.get("/hotline/letters/")),
        (
            "public: letter",
            lambda: public.get(f"/hotline/letters/{rng.choice(sample['letters'])}/"),
        ),
        ("public: intake form", lambda: public.get("/hotline/new/")),
        ("public: intake", intake),
    )
    # Cache calls: count the backend's methods (one round trip each with Redis).
    backend = caches["default"]
    cache_calls = [0]
    for method in ("get", "get_many", "set", "set_many", "add", "incr", "delete"):
        original = getattr(backend, method)

        def counted(*a, _original=original, **k):
            cache_calls[0] += 1
            return _original(*a, **k)

        setattr(backend, method, counted)

    load_before = os.getloadavg()[0]
    rows = []
    for name, request in pages:
        if args.only not in name:
            continue
        request()  # warm caches and the connection
        if args.callgrind:
            request(), request()
            # Counted by callgrind: only what runs inside sys.call_tracing (one dump a kind).
            sys.call_tracing(lambda r: [r() for _ in range(args.callgrind)], (request,))
            print(f"callgrind: {name}", file=sys.stderr)
        times, cpus, queries, calls, statuses = [], [], [], [], set()
        profiler = cProfile.Profile() if args.profile and args.profile in name else None
        server = backend_cpu_ms() if args.pg_cpu else 0.0
        for _ in range(args.samples):
            cache_calls[0] = 0
            with CaptureQueriesContext(connection) as captured:
                cpu, started = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                response = request()
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            queries.append(len(captured))
            # Kept now: the next request's request_started signal empties the query log.
            last_queries = list(captured.captured_queries)
            calls.append(cache_calls[0])
            statuses.add(response.status_code)
        # PostgreSQL's CPU over the samples (clock ticks of 10 ms: use 50+ samples).
        server = (backend_cpu_ms() - server) / args.samples if args.pg_cpu else None
        # Python function calls of one more request: a measure of the work that the other
        # processes on a busy machine do not change (CPU milliseconds do).
        counter = cProfile.Profile()
        counter.enable()
        request()
        counter.disable()
        py_calls = pstats.Stats(counter).total_calls
        rows.append(
            (
                name,
                statuses,
                statistics.median(times),
                max(times),
                statistics.median(cpus),
                statistics.median(queries),
                statistics.median(calls),
                py_calls / 1000,
                server,
            )
        )
        if profiler:
            if args.profile_out:
                profiler.dump_stats(f"{args.profile_out}.{name.split(': ')[-1].replace(' ', '_')}")
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
            by_file: dict[str, list[float]] = {}
            for (path, _line, _function), (_cc, calls, own, *_rest) in pstats.Stats(
                profiler
            ).stats.items():
                filename = path.split("site-packages/")[-1].split("/work/main/")[-1]
                total = by_file.setdefault(filename, [0, 0.0])
                total[0] += calls
                total[1] += own
            print("calls and own time by file (per request):", file=out)
            for filename, (calls, own) in sorted(by_file.items(), key=lambda kv: -kv[1][1])[:25]:
                print(
                    f"  {filename:50} {calls / args.samples:8.0f} calls "
                    f"{own / args.samples * 1000:7.2f} ms",
                    file=out,
                )
            print(f"## {name}: cProfile of {args.samples} requests\n{out.getvalue()}")
            print(f"## {name}: the last request's queries")
            for query in last_queries:
                print(f"- ({query['time']} s) {str(query['sql'])[:400]}")
    load_after = os.getloadavg()[0]
    print(
        f"{args.samples} requests per page, one at a time; operator sign-in (password) "
        f"{login_ms:.0f} ms; load average {load_before:.1f} before / {load_after:.1f} after"
    )
    print()
    pg_head, pg_rule = (" PG CPU ms |", "---:|") if args.pg_cpu else ("", "")
    print(
        "| request | status | median ms | max ms | CPU ms | queries | cache calls "
        f"| Python calls (k) |{pg_head}"
    )
    print(f"|---|---|---:|---:|---:|---:|---:|---:|{pg_rule}")
    for name, statuses, median, worst, cpu, count, calls, py_calls, server in rows:
        codes = ", ".join(str(code) for code in sorted(statuses))
        pg = f" {server:.2f} |" if args.pg_cpu else ""
        print(
            f"| {name} | {codes} | {median:.1f} | {worst:.1f} | {cpu:.1f} | {count:g} "
            f"| {calls:g} | {py_calls:.1f} |{pg}"
        )
    weights = mix_weights()
    total = sum(weights[row[0]] for row in rows)  # the kinds measured (--only)
    mean = {
        column: sum(weights[row[0]] * row[index] for row in rows) / total
        for column, index in (
            ("wall", 2),
            ("cpu", 4),
            ("queries", 5),
            ("calls", 6),
            ("py", 7),
        )
    }
    pg = ""
    if args.pg_cpu:
        pg = f" {sum(weights[row[0]] * row[8] for row in rows) / total:.2f} |"
    print(
        f"| **mix** (weighted) | | {mean['wall']:.1f} | | {mean['cpu']:.1f} | "
        f"{mean['queries']:.1f} | {mean['calls']:.1f} | {mean['py']:.1f} |{pg}"
    )
    return 0


_UNDER_CALLGRIND = "HOTLINE_PAGES_UNDER_CALLGRIND"


def run_under_callgrind(args) -> int:
    """This script again under callgrind; then instructions per request of each kind."""
    import re
    import subprocess

    # A directory of this run's own: two runs at once (helpers on one checkout) used to
    # delete and overwrite each other's dumps in a shared one.
    out = ROOT / "var" / "bench" / "callgrind" / f"hotline_pages-{os.getpid()}"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        "valgrind",
        "--tool=callgrind",
        "--toggle-collect=sys_call_tracing",
        "--dump-after=sys_call_tracing",
        f"--callgrind-out-file={out / 'hotline_pages.out'}",
        sys.executable,
        *sys.argv,
    ]
    # One hash seed: the same dict and set layouts, so the same instructions each run.
    env = {**os.environ, _UNDER_CALLGRIND: "1", "PYTHONHASHSEED": "0"}
    child = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True, check=False)
    names = [
        line.split(": ", 1)[1]
        for line in child.stderr.splitlines()
        if line.startswith("callgrind: ")
    ]
    if child.returncode:
        print(child.stderr[-3000:], file=sys.stderr)
        return child.returncode
    dumps = sorted(out.glob("hotline_pages.out.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
    print(f"\ncallgrind, instructions per request (mean of {args.callgrind}; {out}):\n")
    print("| request | instructions (M) |\n|---|---:|")
    weights, mixed, weighed = mix_weights(), 0.0, 0.0
    for name, dump in zip(names, dumps, strict=True):
        totals = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(), re.M)
        per_request = int(totals.group(1)) / args.callgrind / 1e6
        mixed += weights[name] * per_request
        weighed += weights[name]
        print(f"| {name} | {per_request:.3f} |")
    if weighed:
        print(f"| **mix** (weighted, the kinds above) | {mixed / weighed:.3f} |")
    return 0


def backend_cpu_ms() -> float:
    """CPU time (user + system) of this connection's PostgreSQL backend so far, read by
    the backend itself (as bench/services_status_profile.py), in clock ticks of 10 ms."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_read_file('/proc/self/stat')")
        fields = cursor.fetchone()[0].rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10.0


if __name__ == "__main__":
    raise SystemExit(main())
