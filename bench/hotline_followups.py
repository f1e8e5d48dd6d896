"""One run of the hotline follow-ups (``tongzheng hotline_followups``): time and SQL queries.

Usage (on a copy of a demo database: the run writes its reminders, 催办 and warnings)::

    createdb -h 127.0.0.1 -U postgres -T tz_urge_demo tz_urge_new
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_urge_new \\
        .venv/bin/python bench/hotline_followups.py --at 2026-12-28T10:00 [--profile]

``--at`` fixes "now" (local time), so two copies of one database can be compared side by
side (a late "now" turns every open ticket red and makes the run large). Prints what each
step did, the wall and CPU time, and the SQL queries per step (CPU-independent).
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--at", help="local time of the run, e.g. 2026-12-28T10:00")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from tongzheng.hotline import followups

    now = timezone.now()
    if args.at:
        now = timezone.make_aware(datetime.datetime.fromisoformat(args.at))
    counts: dict[str, int] = {}
    current = ["-"]

    def counter(execute, sql, params, many, context):
        counts[current[0]] = counts.get(current[0], 0) + 1
        return execute(sql, params, many, context)

    steps = (
        "deem_mailbox_satisfied",
        "remind_due",
        "urge_overdue",
        "remind_revisit",
        "warn_dispatch_overdue",
    )
    for name in steps:
        fn = getattr(followups, name, None)
        if fn is None:
            continue

        def wrapped(*a, _fn=fn, _name=name, **k):
            current[0] = _name
            try:
                return _fn(*a, **k)
            finally:
                current[0] = "-"

        setattr(followups, name, wrapped)

    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(counter):
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        outcome = followups.run(now)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    acted = sum(outcome.values())
    print(f"at {now.isoformat()}  outcome {outcome}")
    print(f"wall {wall:.2f} s  cpu {cpu:.2f} s  queries {sum(counts.values())}")
    for name, n in sorted(counts.items()):
        print(f"  {name:24} {n:7} queries")
    if acted:
        print(
            f"per ticket acted on: {1000 * wall / acted:.1f} ms wall, "
            f"{sum(counts.values()) / acted:.1f} queries"
        )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
