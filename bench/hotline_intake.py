"""Intake of one hotline ticket, duplicate check included: p50 / p95 / p99 in milliseconds.

Each sample is what an intake does: ``hotline.actions.intake.create_ticket`` (validation,
the jieba tokens, the sealed phone, the clock from the working-day calendar, the number
and 提取码, the audit record, one transaction and its commit) followed by
``hotline.duplicates.possible_duplicates`` on the new ticket (the caller's other tickets
by the phone's blind index, similar text at the same place within 30 days). The content
of each sample is a demo ticket's text at that ticket's township with a fresh phone
from the demo pool, so the duplicate check finds real candidates. Channels alternate: two
phone calls taken by the demo operator ``hotline`` for one public web submission.

Usage (a database loaded with ``tongzheng demo``; the benchmark keeps the tickets it files,
as an intake would)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench .venv/bin/python bench/hotline_intake.py

Options: --samples (default 300), --warmup (default 20). Target: p95 under 30 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")

TARGET_MS = 30.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from tongzheng.accounts.models import User
    from tongzheng.hotline.actions.intake import create_ticket
    from tongzheng.hotline.duplicates import possible_duplicates
    from tongzheng.hotline.models import Ticket

    operator = User.objects.filter(username="hotline").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM hotline_ticket")
        top = cursor.fetchone()[0]
    if not top or operator is None:
        print("No demo tickets or no demo operator: run `tongzheng demo` first.", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    total = args.warmup + args.samples
    # Random demo tickets by id (the ids are dense), fetched before the clock starts.
    wanted = [rng.randint(1, top) for _ in range(total * 2)]
    models = {
        t.pk: t
        for t in Ticket.objects.filter(pk__in=wanted, division__isnull=False).select_related(
            "division", "subject"
        )
    }
    sources = [models[pk] for pk in wanted if pk in models][:total]
    if len(sources) < total:
        print("Too few demo tickets with a division for the samples.", file=sys.stderr)
        return 2

    create_ms, duplicates_ms, total_ms, found = [], [], [], []
    load_before = os.getloadavg()[0]
    for n, source in enumerate(sources):
        phone_intake = n % 3 != 2
        data = {
            "channel": "phone" if phone_intake else "web",
            "type": source.type if source.type != "report" else "complaint",
            "subject": source.subject,
            "title": source.title,
            "content": source.content,
            "address": source.address,
            "division": source.division,
            "reporter_name": "李明",
            "reporter_phone": f"139{rng.randrange(10**8):08d}",
            "anonymous": False,
            "confidential": False,
        }
        started = time.perf_counter()
        ticket, _code = create_ticket(actor=operator if phone_intake else None, data=data)
        created = time.perf_counter()
        duplicates = possible_duplicates(ticket)
        finished = time.perf_counter()
        if n >= args.warmup:
            create_ms.append((created - started) * 1000)
            duplicates_ms.append((finished - created) * 1000)
            total_ms.append((finished - started) * 1000)
            found.append(len(duplicates))
    load_after = os.getloadavg()[0]

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM hotline_ticket")
        tickets = cursor.fetchone()[0]
    print(
        f"{args.samples} samples after {args.warmup} warm-up, {tickets:,} tickets in the "
        f"database ({connection.vendor}), load average {load_before:.1f} before / "
        f"{load_after:.1f} after; duplicates found per intake: mean "
        f"{statistics.mean(found):.1f}, {sum(1 for f in found if f)} of {len(found)} with any"
    )
    print()
    print("| step | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for label, values in (
        ("create_ticket", create_ms),
        ("possible_duplicates", duplicates_ms),
        ("intake total", total_ms),
    ):
        print(
            f"| {label} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | "
            f"{percentile(values, 0.99):.1f} | {max(values):.1f} |"
        )
    p95 = percentile(total_ms, 0.95)
    print()
    print(f"target p95 < {TARGET_MS:.0f} ms: {'met' if p95 < TARGET_MS else 'missed'} ({p95:.1f})")
    return 0 if p95 < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
