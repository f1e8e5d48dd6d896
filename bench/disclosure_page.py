"""Public disclosure page throughput: granian serving the app on loopback, wrk as the client.

Publishes (directly, bypassing the review flow — this is a fixture) the disclosure of a
demo unit — by default the median unit by serving personnel, ``--unit largest`` the
biggest — starts
``granian --interface wsgi --workers 2 tongzheng.wsgi:application`` on a free loopback
port against the same database, and runs wrk against ``/gongshi/<unit id>/``:

1. plain GETs (every response a full 200 page, rendered from the frozen snapshot and the
   per-publication fragment cache);
2. revalidations with ``If-None-Match`` (304, what browsers and proxies send once they
   hold the page).

Usage (a database with demo data, migrated)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench_b .venv/bin/python bench/disclosure_page.py

Options: --duration (s, default 15), --connections (default 32), --threads (wrk, 2),
--workers (granian, 2). Needs ``wrk`` (Debian package ``wrk``). Target: >= 500 requests/s.
The publication it created is deleted at the end.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")

from loopback_server import free_port, wait_until_up  # noqa: E402 - bench/


def wrk(url: str, args, headers: list[str]) -> tuple[float, str]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        *[part for header in headers for part in ("-H", header)],
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return (float(match.group(1)) if match else 0.0), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--unit", choices=["median", "largest"], default="median")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db.models import Count, Q
    from django.utils import timezone

    from tongzheng.core.models import Organisation
    from tongzheng.staffing.disclosure import build_snapshot
    from tongzheng.staffing.models import DisclosurePublication, DisclosureStatus

    sizes = (
        Organisation.objects.filter(personnel__status="serving")
        .annotate(n=Count("personnel", filter=Q(personnel__status="serving")))
        .order_by("n", "pk")
    )
    count = sizes.count()
    if args.unit == "largest":  # noqa: SIM108 - two readable cases
        unit = sizes.last()
    else:  # the median unit by serving personnel: a typical disclosure page
        unit = sizes[count // 2] if count else None
    if unit is None:
        print("No personnel in this database: load demo data first.", file=sys.stderr)
        return 2
    DisclosurePublication.objects.filter(
        organisation=unit, status=DisclosureStatus.PUBLISHED
    ).update(status=DisclosureStatus.WITHDRAWN)
    now = timezone.now()
    publication = DisclosurePublication.objects.create(
        organisation=unit,
        unit_name=unit.name,
        status=DisclosureStatus.PUBLISHED,
        published_at=now,
        reviewed_at=now,
        snapshot=build_snapshot(unit),
    )
    people = len(publication.snapshot["personnel"])
    port = free_port()
    url = f"http://127.0.0.1:{port}/gongshi/{unit.pk}/"
    env = {**os.environ, "TONGZHENG_MODE": os.environ.get("TONGZHENG_MODE", "development")}
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
            "--no-access-log",
            "tongzheng.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(url)
        with urllib.request.urlopen(url) as response:  # noqa: S310 - loopback
            etag = response.headers["ETag"]
            size = len(response.read())
        for _ in range(50):  # warm every worker's fragment cache and connection
            urllib.request.urlopen(url).read()  # noqa: S310
        load_before = os.getloadavg()[0]
        full, full_out = wrk(url, args, [])
        revalidated, reval_out = wrk(url, args, [f"If-None-Match: {etag}"])
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        publication.delete()

    print(
        f"unit {unit.pk} ({people} people on the page, {size:,} bytes), granian "
        f"{args.workers} workers, wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"load average {load_before:.1f} before / {load_after:.1f} after"
    )
    print()
    print("| requests | requests/s | target 500/s |")
    print("|---|---:|---|")
    print(f"| full page (200) | {full:,.0f} | {'met' if full >= 500 else 'missed'} |")
    print(
        f"| revalidation (304) | {revalidated:,.0f} | {'met' if revalidated >= 500 else 'missed'} |"
    )
    print()
    for label, out in (("full page", full_out), ("revalidation", reval_out)):
        latency = re.search(r"Latency Distribution\n((?:\s+\d+%.*\n)+)", out)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(f"{label}: latency {' '.join((latency.group(1) if latency else '').split())}")
        if errors:
            print(f"{label}: non-2xx/3xx responses {errors.group(1)}")
    return 0 if full >= 500 else 1


if __name__ == "__main__":
    raise SystemExit(main())
