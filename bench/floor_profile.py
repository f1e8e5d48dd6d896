"""What every request costs before and after its view (the request floor), in process.

Requests go through the whole WSGI handler exactly as granian calls it, minus the
socket, with the product's MIDDLEWARE:

- ``anon``: the status benchmark's bare view (``/bench/services/status-bare/``), an
  anonymous POST with only a CSRF cookie, as wrk sends it;
- ``anon-browser``: the same POST with a browser's Accept-Language and User-Agent;
- ``staff``: ``/bench/floor/staff/`` (``bench/floor_urls.py``), a signed-in staff GET
  with the second factor passed (session, user, device, policy, scopes);
- ``shell``: the same with the workbench shell (navigation, user menu) around nothing;
- ``home``: the workbench home page of the same user;
- ``tickets``: the hotline centre's ticket list (an operator page of the mixed load).

Prints per request kind the queries, cache calls, Python function calls (deterministic)
and the median CPU milliseconds over ``--rounds`` alternating rounds (inflated by a busy
machine; compare trees side by side). ``--marginal`` prints the Python calls each
middleware adds (the stack without it against the full stack); ``--profile KIND`` a
cProfile of one round.

Usage (a PostgreSQL database with the county demo; REDIS_URL as the server runs)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_floor REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python bench/floor_profile.py [--marginal] [--profile staff]
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

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

override_settings(ROOT_URLCONF="floor_urls").enable()

from services_status import sample_pairs  # noqa: E402

TOKEN = "A" * 32  # an unmasked CSRF secret: cookie and form field carry the same value
BROWSER = {
    "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.8",
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0",
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8",
}


def environ(method: str, path: str, body: bytes, cookie: str, extra: dict) -> dict:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": cookie,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }
    if method == "POST":
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        env["CONTENT_LENGTH"] = str(len(body))
    return env


def staff_cookie(username: str) -> str:
    """A session of ``username`` that passed the second factor, as after a real login."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongzheng.accounts.models import User
    from tongzheng.accounts.session_registry import LAST_ACTIVITY_KEY

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    session: SessionBase = store_class()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[LAST_ACTIVITY_KEY] = int(time.time())
    session.create()
    return f"csrftoken={TOKEN}; {settings.SESSION_COOKIE_NAME}={session.session_key}"


class CacheCalls:
    """Counts calls of the default cache backend's public methods (sessions use it too)."""

    METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")

    def __init__(self):
        from django.core.cache import caches

        self.count = 0
        backend = type(caches["default"])
        for name in self.METHODS:
            original = getattr(backend, name)

            def counted(*args, _original=original, **kwargs):
                self.count += 1
                return _original(*args, **kwargs)

            setattr(backend, name, counted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--user", default="hotline", help="a staff user with a TOTP device")
    parser.add_argument(
        "--profile", choices=("anon", "anon-browser", "staff", "shell", "home", "tickets")
    )
    parser.add_argument("--marginal", action="store_true")
    parser.add_argument("--kinds", default="anon,anon-browser,staff,shell,tickets")
    args = parser.parse_args()

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pairs = sample_pairs(200, 2026)
    if not pairs:
        print("No demo applications in this database.")
        return 2
    bodies = [
        urllib.parse.urlencode({"csrfmiddlewaretoken": TOKEN, "number": n, "code": c}).encode()
        for n, c in pairs
    ]
    staff = staff_cookie(args.user)
    anon = f"csrftoken={TOKEN}"
    bare = "/bench/services/status-bare/"
    kinds = {
        "anon": lambda i: ("POST", bare, bodies[i % len(bodies)], anon, {}),
        "anon-browser": lambda i: ("POST", bare, bodies[i % len(bodies)], anon, BROWSER),
        "staff": lambda i: ("GET", "/bench/floor/staff/", b"", staff, BROWSER),
        "shell": lambda i: ("GET", "/bench/floor/shell/", b"", staff, BROWSER),
        "home": lambda i: ("GET", "/workbench/", b"", staff, BROWSER),
        "tickets": lambda i: ("GET", "/workbench/hotline/tickets/", b"", staff, BROWSER),
    }
    kinds = {k: v for k, v in kinds.items() if k in args.kinds.split(",")}
    cache_calls = CacheCalls()

    def call(application, kind: str, i: int) -> None:
        status = []
        chunks = application(environ(*kinds[kind](i)), lambda s, h, e=None: status.append(s))
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{kind}: {status[0]} {content[:300]!r}")

    def calls_per_request(application, kind: str, n: int = 30) -> float:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(n):
            call(application, kind, i)
        profiler.disable()
        return pstats.Stats(profiler).total_calls / n

    application = WSGIHandler()
    for kind in kinds:
        for i in range(30):
            call(application, kind, i)

    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for i in range(args.requests):
            call(application, args.profile, i)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)
        return 0

    if args.marginal:
        full = {kind: calls_per_request(application, kind) for kind in kinds}
        print("middleware".ljust(58), "  ".join(f"{k:>12}" for k in kinds))
        print("full stack".ljust(58), "  ".join(f"{full[k]:>12,.0f}" for k in kinds))
        # The three after authentication need request.user: removed with it.
        auth_chain = [
            m for m in settings.MIDDLEWARE if "auth" in m or "otp" in m or "SecurityPolicy" in m
        ]
        candidates = [[m] for m in settings.MIDDLEWARE if m not in auth_chain] + [auth_chain]
        for removed in candidates:
            stack = [m for m in settings.MIDDLEWARE if m not in removed]
            with override_settings(MIDDLEWARE=stack):
                handler = WSGIHandler()
                row = {}
                for kind in kinds:
                    try:
                        for i in range(5):
                            call(handler, kind, i)
                        row[kind] = f"{full[kind] - calls_per_request(handler, kind):>12,.0f}"
                    except (SystemExit, Exception) as exc:  # noqa: BLE001
                        row[kind] = f"{type(exc).__name__:>12}"
            label = " + ".join(m.rsplit(".", 1)[1] for m in removed)[:58]
            print(label.ljust(58), "  ".join(row[k] for k in kinds))
        return 0

    rows = {}
    for kind in kinds:
        before = cache_calls.count
        with CaptureQueriesContext(connection) as captured:
            call(application, kind, 7)
        rows[kind] = [
            len(captured),
            cache_calls.count - before,
            calls_per_request(application, kind),
        ]
    costs = {kind: [] for kind in kinds}
    for _round in range(args.rounds):
        for kind in kinds:
            start = time.process_time()
            for i in range(args.requests):
                call(application, kind, i)
            costs[kind].append((time.process_time() - start) * 1000 / args.requests)
    print(f"{args.rounds} rounds x {args.requests} requests, alternating; user {args.user}")
    for kind in kinds:
        queries, caches, calls = rows[kind]
        rounds = ", ".join(f"{c:.2f}" for c in costs[kind])
        print(
            f"{kind:>13}: {queries} queries, {caches} cache calls, {calls:,.0f} Python calls, "
            f"median {statistics.median(costs[kind]):.2f} ms CPU ({rounds})"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
