"""Status lookup (办件查询) throughput: the real page against a bare Django view, side by side.

1. Samples ``--sample`` demo applications (``TABLESAMPLE``) and derives their query codes
   (``services.demo.demo_query_code``: the demo's codes are derived from the seed).
2. Starts the Makefile's server, ``granian --interface wsgi --workers 2
   tongzheng.wsgi:application``, on a free loopback port with
   ``bench/services_status_settings.py`` (the product's settings; only ``ROOT_URLCONF``
   adds ``/bench/services/status-bare/``, see ``bench/services_status_urls.py``), with
   Redis as its cache like ``make run`` (``--redis``, default ``$REDIS_URL`` or db 3 of
   this machine's Redis when it answers): the lookup's failure limit is one round trip
   to it on every request, as in production with several workers. (Runs before the sixth
   session set no REDIS_URL, so their workers kept the limit in their own memory.)
3. Takes a CSRF cookie and form token from ``GET /services/status/`` and checks that both
   endpoints answer 200 for sampled number + code pairs.
4. Runs wrk (Debian package ``wrk``) ``--rounds`` times against each endpoint in turn —
   real, bare, real, bare … — each for ``--duration`` seconds, POSTing the sampled pairs
   round-robin (a wrk Lua script), and prints requests/s per round, the medians, the
   ratio bare / real and the latency distribution.

Targets (issue 4): the real lookup >= 1,000 requests/s, and bare / real <= 1.5.

Usage (a PostgreSQL database loaded with the city demo and its 1,000,000 applications,
``bench/services_demo_load.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_servicesbench \\
        .venv/bin/python bench/services_status.py

Options: --duration (s, default 15), --rounds (default 2), --connections (default 8: on
this 2-CPU machine 32 connections gave both endpoints less than half the throughput),
--threads (wrk, default 2), --workers (granian, default 2), --sample (default 5000),
--seed (the demo seed, default 2026).
"""

import argparse
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")

from loopback_server import (  # noqa: E402 - bench/
    cpu_by_role,
    cpu_per_request,
    database_name,
    free_port,
    redis_url,
    wait_until_up,
)

REAL = "/services/status/"
BARE = "/bench/services/status-bare/"
TARGET_RPS = 1000
#: The Makefile's ``run`` target: granian --workers 2 --blocking-threads N.
BLOCKING_THREADS = 8
TARGET_RATIO = 1.5

LUA = """
local bodies = %(bodies)s
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "csrftoken=%(cookie)s"
function init(args)
  i = math.random(#bodies)
end
function request()
  i = (i %% #bodies) + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
"""


def sample_pairs(size: int, seed: int) -> list[tuple[str, str]]:
    import django

    django.setup()
    from django.db import connection

    from tongzheng.services.demo import demo_query_code
    from tongzheng.services.models import hash_code

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, code_hash FROM services_application TABLESAMPLE SYSTEM (2)"
            " WHERE status <> 'draft' LIMIT %s",
            [size],
        )
        rows = cursor.fetchall()
    pairs = [(number, demo_query_code(seed, number)) for number, _hash in rows]
    # Only demo applications (another benchmark's rows in the same database have no code).
    return [
        (number, code)
        for (number, code), (_n, stored) in zip(pairs, rows, strict=True)
        if hash_code(number, code) == stored
    ]


def csrf(base: str) -> tuple[str, str]:
    """(cookie, form token) from the real page, as a browser would get them."""
    with urllib.request.urlopen(base + REAL) as response:  # noqa: S310 - loopback
        cookies = response.headers.get_all("Set-Cookie") or []
        html = response.read().decode()
    cookie = next(
        c.split(";", 1)[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return cookie, token


def post(url: str, body: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wrk(url: str, script: str, args) -> tuple[float, str]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        script,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    if done.stderr.strip():  # e.g. a Lua error: wrk would go on with plain GETs
        raise SystemExit(f"wrk: {done.stderr.strip()}")
    out = done.stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return (float(match.group(1)) if match else 0.0), out


def children_cpu() -> float:
    """CPU seconds of this script's ended children (each wrk round once it has exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocking-threads", type=int, default=BLOCKING_THREADS)
    parser.add_argument("--backpressure", type=int, default=None)
    parser.add_argument(
        "--granian-arg",
        action="append",
        default=[],
        help="one more granian option, e.g. --granian-arg=--runtime-mode=st (repeatable)",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3",
        help="the server's cache (REDIS_URL), as make run; '' for per-process memory",
    )
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (postgres://...).", file=sys.stderr)
        return 2

    pairs = sample_pairs(args.sample, args.seed)
    if not pairs:
        print("No applications: load the demo first (bench/services_demo_load.py).")
        return 2
    from django.db import connection

    from tongzheng.services.models import Application

    applications = Application.objects.count()
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cache = redis_url(args.redis)
    env = {
        **os.environ,
        "REDIS_URL": cache,
        "TONGZHENG_MODE": os.environ.get("TONGZHENG_MODE", "development"),
        "DJANGO_SETTINGS_MODULE": "services_status_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }
    log = tempfile.NamedTemporaryFile("w", suffix="-granian.log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            str(args.workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--blocking-threads",
            str(args.blocking_threads),
            *(["--backpressure", str(args.backpressure)] if args.backpressure else []),
            "--no-access-log",
            *args.granian_arg,
            "tongzheng.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results = {REAL: [], BARE: []}
    outputs = {REAL: [], BARE: []}
    cpu_ms = {REAL: [], BARE: []}
    shares = {REAL: [], BARE: []}
    try:
        wait_until_up(base + REAL)
        cookie, token = csrf(base)
        bodies = [
            urllib.parse.urlencode({"csrfmiddlewaretoken": token, "number": n, "code": c})
            for n, c in pairs
        ]
        # Both endpoints must find the sampled applications (200), or we measure errors.
        for path in (REAL, BARE):
            for body in bodies[:20]:
                status, content = post(base + path, body, cookie)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}: {content[:300]!r}")
        _status, page = post(base + REAL, bodies[0], cookie)
        for _ in range(200):  # warm both workers' connections and template caches
            for path in (REAL, BARE):
                post(base + path, bodies[_ % len(bodies)], cookie)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            table = "{" + ",".join(json.dumps(body) for body in bodies) + "}"
            script.write(LUA % {"bodies": table, "cookie": cookie})
        load_before = os.getloadavg()
        for _round in range(args.rounds):
            for path in (REAL, BARE):
                cpu_before, wrk_before = cpu_by_role(server.pid, database_name()), children_cpu()
                rate, out = wrk(base + path, script.name, args)
                served = re.search(r"(\d+) requests in", out)
                if served and int(served.group(1)):
                    requests, cpu_after = (
                        int(served.group(1)),
                        cpu_by_role(server.pid, database_name()),
                    )
                    cpu = cpu_after["server"] - cpu_before["server"]
                    cpu_ms[path].append(cpu * 1000 / requests)
                    wrk_cpu = children_cpu() - wrk_before
                    shares[path].append(
                        cpu_per_request(cpu_before, cpu_after, requests, wrk=wrk_cpu)
                    )
                results[path].append(rate)
                outputs[path].append(out)
        load_after = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    real, bare = statistics.median(results[REAL]), statistics.median(results[BARE])
    ratio = bare / real if real else float("inf")
    print(
        f"{applications:,} applications; {len(pairs):,} sampled number + code pairs; "
        f"granian {args.workers} workers x {args.blocking_threads} blocking threads"
        f"{f', backpressure {args.backpressure}' if args.backpressure else ''}"
        f"{''.join(' ' + a for a in args.granian_arg)}; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s x {args.rounds} rounds each, alternating; "
        f"cache {cache or 'per-process memory'}; load average "
        f"{load_before[0]:.1f} before / {load_after[0]:.1f} after (1 min, {os.cpu_count()} CPUs)"
    )
    print(f"real status page: {len(page):,} bytes")
    print()
    print(
        "| endpoint | requests/s per round | median requests/s | p50 / p99 latency"
        " | server CPU ms / request |"
    )
    print("|---|---|---:|---|---:|")
    for label, path in (("real lookup `POST /services/status/`", REAL), ("bare view", BARE)):
        last = outputs[path][-1]
        p50 = re.search(r"^\s+50%\s+(\S+)", last, re.MULTILINE)
        p99 = re.search(r"^\s+99%\s+(\S+)", last, re.MULTILINE)
        rounds = ", ".join(f"{r:,.0f}" for r in results[path])
        cpu = f"{statistics.median(cpu_ms[path]):.2f}" if cpu_ms[path] else "?"
        print(
            f"| {label} | {rounds} | {statistics.median(results[path]):,.0f} | "
            f"{p50.group(1) if p50 else '?'} / {p99.group(1) if p99 else '?'} | {cpu} |"
        )
    print()
    for path in (REAL, BARE):
        for out in outputs[path]:
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            if errors:
                print(f"{path}: non-2xx/3xx responses {errors.group(1)}")
    print("CPU ms per request by process, each round:")
    for path in (REAL, BARE):
        for round_shares in shares[path]:
            print(f"- {path}: {round_shares}")
    if cpu_ms[REAL] and cpu_ms[BARE]:
        cpu_ratio = statistics.median(cpu_ms[REAL]) / statistics.median(cpu_ms[BARE])
        print(f"server CPU per request, real / bare = {cpu_ratio:.2f}")
    met_rps = real >= TARGET_RPS
    met_ratio = ratio <= TARGET_RATIO
    print(
        f"real {real:,.0f} req/s (target >= {TARGET_RPS:,}: {'met' if met_rps else 'missed'}); "
        f"bare / real = {ratio:.2f} (target <= {TARGET_RATIO}: {'met' if met_ratio else 'missed'})"
    )
    return 0 if met_rps and met_ratio else 1


if __name__ == "__main__":
    raise SystemExit(main())
