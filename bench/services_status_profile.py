"""CPU cost of the status lookup (办件查询) per request, in process, real page and bare view.

The machine is shared, so wall-clock throughput is noisy; CPU time of this process and
the query count per request are not. Each request goes through the whole WSGI handler
(every middleware, URL resolution, CSRF check, template rendering) exactly as granian
calls it, minus the socket. Prints, per endpoint, the median CPU milliseconds per request
over ``--rounds`` rounds of ``--requests`` requests and the queries per request;
``--profile real|bare`` prints a cProfile of one round instead.

Usage (any PostgreSQL database with demo applications)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_city \\
        .venv/bin/python bench/services_status_profile.py [--profile real]
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

from services_status import BARE, REAL, sample_pairs  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", choices=("real", "bare"))
    parser.add_argument("--sql", action="store_true", help="print the real page's queries")
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
    print(f"{len(pairs)} pairs, {args.rounds} rounds x {args.requests} requests, alternating")
    print(f"real page {len(page):,} bytes")
    for label, path in (("real", REAL), ("bare", BARE)):
        rounds = ", ".join(f"{c:.2f}" for c in costs[path])
        print(
            f"{label}: median {statistics.median(costs[path]):.2f} ms CPU/request "
            f"({rounds}); {queries[path]} queries; {calls[path]:,.0f} Python calls"
        )
    print(
        f"real / bare: CPU {real / bare:.2f}, calls {calls[REAL] / calls[BARE]:.2f}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
