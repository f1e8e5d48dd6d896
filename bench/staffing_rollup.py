"""Staffing roll-up latency: the statistics roll-up vs the plain SQL aggregate, side by side.

For random divisions at each level (province, city, county, township) of a database
loaded with ``tongzheng demo --scale province``, times

- ``rollup``: ``tongzheng.staffing.statistics.division_rollup`` — what the statistics
  pages and API run (trigger-maintained aggregate tables, one prefix query per child-code
  length plus one for the division's own units);
- ``plain``: ``recount_division`` — the plain SQL aggregate computing the same numbers
  from the quota ledger, the post ledger and the personnel table (per-unit subquery,
  ``GROUP BY`` on the division-path prefix);

alternating the two on the same division, and checks that both give the same figures.
Prints p50/p95 per level and the ratio as a Markdown table.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_bench_b .venv/bin/python bench/staffing_rollup.py

Options: --samples N (per level, default 30; the province level uses --province-samples,
default 5, because the plain aggregate there takes seconds), --seed.
"""

import argparse
import os
import random
import statistics as stats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def nonzero(result: dict) -> dict:
    return {
        key: {d: f.as_dict() for d, f in dims.items() if (f.approved, f.occupied) != (0, 0)}
        for key, dims in result.items()
        if any((f.approved, f.occupied) != (0, 0) for f in dims.values())
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--province-samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from tongzheng.core.models import Division, DivisionLevel
    from tongzheng.staffing.models import Person
    from tongzheng.staffing.statistics import division_rollup, recount_division

    rng = random.Random(args.seed)
    print(
        f"PostgreSQL {connection.pg_version}, personnel {Person.objects.count():,}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    rows = []
    mismatches = 0
    for level in DivisionLevel:
        divisions = list(Division.objects.filter(level=level))
        if not divisions:
            continue
        n = args.province_samples if level == DivisionLevel.PROVINCE else args.samples
        picks = [rng.choice(divisions) for _ in range(n)]
        division_rollup(picks[0])  # warm the caches and connection
        recount_division(picks[0])
        fast, plain = [], []
        for division in picks:
            started = time.perf_counter()
            got = division_rollup(division)
            fast.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            expected = recount_division(division)
            plain.append((time.perf_counter() - started) * 1000)
            if [nonzero(p) for p in got] != [nonzero(p) for p in expected]:
                mismatches += 1
                print(f"MISMATCH at {division.code} {division.name}", file=sys.stderr)
        rows.append(
            (
                level.label,
                n,
                stats.median(fast),
                percentile(fast, 95),
                stats.median(plain),
                percentile(plain, 95),
            )
        )
    print(f"load average after {os.getloadavg()[0]:.1f}; mismatches: {mismatches}")
    print()
    print(
        "| level | samples | roll-up p50 ms | roll-up p95 ms | plain SQL p50 ms | plain SQL p95 ms "
        "| p95 ratio roll-up / plain |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, n, f50, f95, p50, p95 in rows:
        print(
            f"| {label} | {n} | {f50:.1f} | {f95:.1f} | {p50:.1f} | {p95:.1f} | {f95 / p95:.3f} |"
        )
    return 1 if mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
