"""CPU cost of the status lookup (办件查询) per request, in process, real page and bare view.

The machine is shared, so wall-clock throughput is noisy; CPU time of this process and
the query count per request are not. Each request goes through the whole WSGI handler
(every middleware, URL resolution, CSRF check, template rendering) exactly as granian
calls it, minus the socket. Prints, per endpoint, the median CPU milliseconds per request
over ``--rounds`` rounds of ``--requests`` requests, the queries per request and what the
real page costs beyond the bare view (real minus bare: only that work moves the ratio);
``--profile real|bare`` prints a cProfile of one round instead, ``--profile diff`` the
functions whose calls and own time differ most between the two.

The cache is the product's: Redis when ``REDIS_URL`` is set, as in production and as
``bench/services_status.py``'s granian server gets it from the same environment (the
status lookup's rate-limit check is then a Redis round trip the bare view does not make);
without it each process's own memory, which production never uses with several workers.

Usage (any PostgreSQL database with demo applications)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_city REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/services_status_profile.py [--profile real|bare|diff]
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "services_status_settings"

from services_status import BARE, REAL  # noqa: E402

TOKEN = "A" * 32  # an unmasked CSRF secret: cookie and form field carry the same value


def environ(path: str, body: bytes) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": f"csrftoken={TOKEN}",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def sample_pairs(size: int, seed: int) -> list[tuple[str, str]]:
    """``size`` demo applications and their query codes, the same ones on every run (so
    that call counts compare between runs and trees; wrk's sample is random)."""
    import django

    django.setup()
    from django.db import connection

    from tongzheng.services.demo import demo_query_code
    from tongzheng.services.models import hash_code

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT number, code_hash FROM services_application WHERE status <> 'draft'"
            " ORDER BY md5(number || %s) LIMIT %s",
            [str(seed), size],
        )
        rows = cursor.fetchall()
    return [
        (number, code)
        for number, stored in rows
        if hash_code(number, code := demo_query_code(seed, number)) == stored
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", choices=("real", "bare", "diff"))
    parser.add_argument("--sql", action="store_true", help="print the real page's queries")
    parser.add_argument(
        "--prepare-ab",
        action="store_true",
        help="compare the lookup run as a prepared statement (PostgreSQL) with plain SQL: "
        "wall ms and the PostgreSQL backend's CPU ms per request, alternating rounds",
    )
    args = parser.parse_args()

    pairs = sample_pairs(args.sample, args.seed)
    if not pairs:
        print("No demo applications in this database.")
        return 2
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    application = get_wsgi_application()
    bodies = [
        urllib.parse.urlencode({"csrfmiddlewaretoken": TOKEN, "number": n, "code": c}).encode()
        for n, c in pairs
    ]

    def call(path: str, body: bytes) -> bytes:
        status = []
        chunks = application(environ(path, body), lambda s, h, e=None: status.append(s))
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]} {content[:300]!r}")
        return content

    def run(path: str) -> float:
        start = time.process_time()
        for i in range(args.requests):
            call(path, bodies[i % len(bodies)])
        return (time.process_time() - start) * 1000 / args.requests

    for path in (REAL, BARE):  # warm templates, translations, connection
        for body in bodies[:50]:
            call(path, body)
    page = call(REAL, bodies[0])
    queries = {}
    for path in (REAL, BARE):
        with CaptureQueriesContext(connection) as captured:
            call(path, bodies[1])
        queries[path] = len(captured)
        if args.sql:
            for query in captured.captured_queries:
                print(path, query["sql"][:400])
    reset_queries()

    if args.profile == "diff":
        return profile_diff(args, run)
    if args.profile:
        path = REAL if args.profile == "real" else BARE
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        run(path)
        profiler.disable()
        profiler.dump_stats(f"/tmp/services_status_{args.profile}.prof")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        return 0

    if args.prepare_ab:
        return prepare_ab(args, run)

    # Python function calls per request: deterministic, unlike CPU time on a shared machine.
    calls = {}
    for path in (REAL, BARE):
        profiler = cProfile.Profile()
        profiler.enable()
        for body in bodies[:50]:
            call(path, body)
        profiler.disable()
        calls[path] = pstats.Stats(profiler).total_calls / 50

    costs = {REAL: [], BARE: []}
    for _round in range(args.rounds):
        for path in (REAL, BARE):
            costs[path].append(run(path))
    real, bare = statistics.median(costs[REAL]), statistics.median(costs[BARE])
    print(
        f"{len(pairs)} pairs, {args.rounds} rounds x {args.requests} requests, alternating; "
        f"cache {cache_backend()}"
    )
    print(f"real page {len(page):,} bytes")
    for label, path in (("real", REAL), ("bare", BARE)):
        rounds = ", ".join(f"{c:.2f}" for c in costs[path])
        print(
            f"{label}: median {statistics.median(costs[path]):.2f} ms CPU/request "
            f"({rounds}); {queries[path]} queries; {calls[path]:,.0f} Python calls"
        )
    print(
        f"real / bare: CPU {real / bare:.2f}, calls {calls[REAL] / calls[BARE]:.2f}; "
        f"real - bare: CPU {real - bare:.2f} ms, {calls[REAL] - calls[BARE]:,.0f} Python calls "
        f"(the page's own work); load average {os.getloadavg()[0]:.1f}"
    )
    return 0


def cache_backend() -> str:
    from django.core.cache import caches

    backend = caches["default"]
    name = type(backend).__name__
    return f"{name} ({backend._server})" if hasattr(backend, "_server") else name


def profile_diff(args, run) -> int:
    """Per function: calls and own CPU per request of the real page minus the bare view's
    (one profiled round each), the largest differences first."""
    stats = {}
    for path in (REAL, BARE):
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        run(path)
        profiler.disable()
        stats[path] = {
            (name.rsplit("site-packages/", 1)[-1], line, function): (calls, own, cumulative)
            for (name, line, function), (_p, calls, own, cumulative, _c) in pstats.Stats(
                profiler
            ).stats.items()
        }
    real, bare = stats[REAL], stats[BARE]
    rows = []
    for key in real.keys() | bare.keys():
        r, b = real.get(key, (0, 0, 0)), bare.get(key, (0, 0, 0))
        rows.append((key, (r[0] - b[0]) / args.requests, (r[1] - b[1]) * 1e6 / args.requests))
    print(
        f"real - bare per request (profiled, so times are inflated): "
        f"{sum(row[1] for row in rows):,.0f} calls, {sum(row[2] for row in rows):,.0f} us own time"
    )
    print(f"{'calls':>8} {'own us':>8}  function")
    for (name, line, function), calls, own in sorted(rows, key=lambda row: -abs(row[2]))[:40]:
        print(f"{calls:8.1f} {own:8.1f}  {name}:{line}({function})")
    return 0


def backend_cpu_ms() -> float:
    """CPU time (user + system) of this connection's PostgreSQL backend so far: its
    /proc/self/stat read by the backend itself (the server may run in another container;
    needs a superuser), in clock ticks of 10 ms."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_read_file('/proc/self/stat')")
        fields = cursor.fetchone()[0].rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 10.0


def prepare_ab(args, run) -> int:
    """Real page with the status query prepared / not prepared, alternating rounds."""
    from tongzheng.services import public

    results = {True: [], False: []}
    for _round in range(args.rounds):
        for prepare in (True, False):
            public._STATUS_QUERY.prepare = prepare
            server, wall = backend_cpu_ms(), time.perf_counter()
            cpu = run(REAL)
            wall = (time.perf_counter() - wall) * 1000 / args.requests
            server = (backend_cpu_ms() - server) / args.requests
            results[prepare].append((wall, cpu, server))
    public._STATUS_QUERY.prepare = True
    print(f"{args.rounds} rounds x {args.requests} real lookups, prepared / plain alternating")
    for prepare, label in ((True, "prepared"), (False, "plain SQL")):
        walls, cpus, servers = zip(*results[prepare], strict=True)
        print(
            f"{label}: wall {statistics.median(walls):.2f} ms, Python CPU "
            f"{statistics.median(cpus):.2f} ms, PostgreSQL backend CPU "
            f"{statistics.median(servers):.2f} ms per request "
            f"(backend per round: {', '.join(f'{s:.2f}' for s in servers)})"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
