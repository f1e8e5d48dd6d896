"""Full-text search over all tickets (``hotline.search.search_tickets``): p50 / p95 / p99 in ms.

Each sample is what the centre's ticket list does with a search box: tokenise the query
with jieba, match it against every ticket (SQLite FTS5 / PostgreSQL: the narrow table
``hotline_ticket_search``, its GIN index or its created_at index) and fetch the first
page, newest first (20 rows, ``-created_at``). The queries
are words of real tickets: a random ticket's tokens, one or two of them (two words are
ANDed), so common words come up as often as they occur — the hard case for an index,
since a common word matches hundreds of thousands of tickets. The page's COUNT (what a
paginator asks) is timed separately: it grows with the number of matches, not with N.

Usage (a database loaded with ``tongzheng demo``, e.g. the province scale, 5,000,000
tickets)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench .venv/bin/python bench/hotline_search.py

Options: --samples (default 300), --warmup (default 20), --seed, --page (default 20),
--no-count. Target (issue 5): p95 under 50 ms for the page over all tickets. Prints a
Markdown row for docs/benchmarks.md and the slowest queries with their match counts.
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

TARGET_MS = 50.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ticket_count(connection) -> int:
    """The number of tickets (PostgreSQL: exact count once, it is the N of the report)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM hotline_ticket")
        return cursor.fetchone()[0]


def random_queries(rng: random.Random, samples: int) -> list[str]:
    """``samples`` queries of one or two words taken from random tickets' tokens."""
    from tongzheng.hotline.models import Ticket

    bounds = Ticket.objects.order_by().values_list("pk", flat=True)
    low, high = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    queries: list[str] = []
    attempts = 0
    while len(queries) < samples and attempts < samples * 20:
        attempts += 1
        pivot = rng.randint(low, high)
        tokens = (
            Ticket.objects.filter(pk__gte=pivot)
            .order_by("pk")
            .values_list("search_tokens", flat=True)
            .first()
        )
        words = [w for w in (tokens or "").split() if len(w) > 1]
        if not words:
            continue
        count = 1 if rng.random() < 0.6 else 2
        queries.append(" ".join(rng.sample(words, min(count, len(words)))))
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--page", type=int, default=20)
    parser.add_argument("--no-count", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from tongzheng.hotline.models import Ticket
    from tongzheng.hotline.search import index_installed, search_tickets

    if not index_installed(connection):
        print("The full-text index is missing: run `tongzheng migrate`.", file=sys.stderr)
        return 2
    total = ticket_count(connection)
    if not total:
        print("No tickets: load demo data first (`tongzheng demo`).", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    queries = random_queries(rng, args.warmup + args.samples)
    if len(queries) < args.warmup + args.samples:
        print("Too few tickets with tokens to draw queries from.", file=sys.stderr)
        return 2

    def page(q: str) -> list:
        queryset = search_tickets(Ticket.objects.all(), q).order_by("-created_at", "-id")
        return list(queryset.values_list("pk", "number")[: args.page])

    for q in queries[: args.warmup]:
        page(q)
    page_ms: list[float] = []
    count_ms: list[float] = []
    slow: list[tuple[float, str, int]] = []
    empty = 0
    for q in queries[args.warmup :]:
        started = time.perf_counter()
        rows = page(q)
        elapsed = (time.perf_counter() - started) * 1000
        page_ms.append(elapsed)
        empty += not rows
        matches = -1
        if not args.no_count:
            started = time.perf_counter()
            matches = search_tickets(Ticket.objects.all(), q).count()
            count_ms.append((time.perf_counter() - started) * 1000)
        slow.append((elapsed, q, matches))

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    p95 = percentile(page_ms, 0.95)
    print(f"{version}; {total:,} tickets; {len(page_ms)} queries (seed {args.seed})")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min)")
    print()
    print("| measure | N tickets | samples | p50 ms | p95 ms | p99 ms | mean ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, values in (("search, first page", page_ms), ("search, count", count_ms)):
        if values:
            print(
                f"| {name} | {total:,} | {len(values)} | {percentile(values, 0.5):.1f} | "
                f"{percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} | "
                f"{statistics.fmean(values):.1f} |"
            )
    print()
    # The words of a query come from one ticket: a miss means the query and the stored
    # tokens were segmented differently (see hotline.search.query_terms).
    print(f"queries without a match: {empty}")
    print("slowest first-page queries (ms, query, matches):")
    for elapsed, q, matches in sorted(slow, reverse=True)[:5]:
        print(f"  {elapsed:8.1f}  {q}  {matches if matches >= 0 else '-'}")
    verdict = "meets" if p95 < TARGET_MS else "MISSES"
    print(f"\np95 {p95:.1f} ms {verdict} the target of {TARGET_MS:.0f} ms")
    return 0 if p95 < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
