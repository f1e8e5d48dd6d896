"""Server time of each page of the hotline load mix, one request at a time (no HTTP).

The capacity of ``bench/hotline_load.py`` is bounded by what each request costs: on two
cores, 300 requests/s leave about 6.7 ms of CPU per request on average. This measures
each request kind of the locust mix through Django's test client in one process (the
whole middleware stack, sessions, templates and queries; no network, no server), so the
expensive pages can be named. Operators sign in with password and TOTP first.

Usage (prepares like ``bench/hotline_load.py``: renews bench_op_00's TOTP key)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench .venv/bin/python bench/hotline_pages.py

Options: --samples per page (default 20), --seed (the demo seed, default 2026).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "hotline_settings"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026, help="the demo seed")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client
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
    public = Client(HTTP_HOST="127.0.0.1")

    def intake():
        return public.post(
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
            lambda: public.post(
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
    load_before = os.getloadavg()[0]
    rows = []
    for name, request in pages:
        request()  # warm caches and the connection
        times, statuses = [], set()
        for _ in range(args.samples):
            started = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
        rows.append((name, statuses, statistics.median(times), max(times)))
    load_after = os.getloadavg()[0]
    print(
        f"{args.samples} requests per page, one at a time; operator sign-in (password) "
        f"{login_ms:.0f} ms; load average {load_before:.1f} before / {load_after:.1f} after"
    )
    print()
    print("| request | status | median ms | max ms |")
    print("|---|---|---:|---:|")
    for name, statuses, median, worst in rows:
        codes = ", ".join(str(code) for code in sorted(statuses))
        print(f"| {name} | {codes} | {median:.1f} | {worst:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
