"""监察日统计: one row per day, module and division path, for the dashboard's trend chart.

The live red / yellow status never comes from here (it is derived from the clock when
read); these rows only remember what each day looked like.

- ``take_snapshot()`` runs each night (the ``take_daily_snapshot`` task): the counts at
  that moment, with the live rule (a paused clock is neither red nor yellow).
- ``backfill(first_day, last_day)`` rebuilds past days from the tasks' own timestamps:
  a task was open at the end of day D if it started by then and had not finished; red if
  its deadline had passed, yellow if it was inside its last working day. The clock's
  past pauses are not kept, so a backfilled day counts a task that was paused then by its
  present deadline (documented in docs/supervision.md). A day already taken live is
  left alone unless ``overwrite=True``.

Both are system writes: one transaction per day, recorded in the audit trail.
"""

import datetime
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from tongzheng.audit.actions import record_event
from tongzheng.core.timed import division_path_lookup, timed_task_models
from tongzheng.supervision.models import DailySnapshot

#: Changed whenever snapshots are written: the dashboard's cached trend charts are keyed
#: by it (``queries.trend``).
TREND_VERSION_KEY = "supervision:trend-version"


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _rows_for(model, day: datetime.date, moment: datetime.datetime, *, live: bool) -> list:
    start, end = _day_bounds(day)
    key = division_path_lookup(model)
    if live:
        open_ = Q(finished_at__isnull=True, started_at__isnull=False)
        running = open_ & Q(paused_since__isnull=True)
    else:
        open_ = Q(started_at__lte=moment) & (
            Q(finished_at__isnull=True) | Q(finished_at__gt=moment)
        )
        running = open_
    rows = (
        model.objects.order_by()
        .filter(Q(started_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=start)))
        .values(key)
        .annotate(
            open_count=Count("pk", filter=open_),
            red_count=Count("pk", filter=running & Q(due_at__lt=moment)),
            yellow_count=Count(
                "pk", filter=running & Q(warning_at__lte=moment, due_at__gte=moment)
            ),
            started_count=Count("pk", filter=Q(started_at__gte=start, started_at__lt=end)),
            finished_count=Count("pk", filter=Q(finished_at__gte=start, finished_at__lt=end)),
            finished_late_count=Count(
                "pk",
                filter=Q(finished_at__gte=start, finished_at__lt=end, finished_at__gt=F("due_at")),
            ),
        )
    )
    label = model._meta.label_lower
    return [
        DailySnapshot(
            day=day,
            task_type=label,
            division_path=row[key] or "",
            open_count=row["open_count"],
            red_count=row["red_count"],
            yellow_count=row["yellow_count"],
            started_count=row["started_count"],
            finished_count=row["finished_count"],
            finished_late_count=row["finished_late_count"],
            backfilled=not live,
        )
        for row in rows
        if any(row[name] for name in ("open_count", "started_count", "finished_count"))
    ]


def _merge(rows: list[DailySnapshot]) -> list[DailySnapshot]:
    """Tasks with no division (a blank path) and rows of the same key are summed."""
    merged: dict[tuple, DailySnapshot] = {}
    for row in rows:
        key = (row.day, row.task_type, row.division_path)
        if key in merged:
            for name in (
                "open_count",
                "red_count",
                "yellow_count",
                "started_count",
                "finished_count",
                "finished_late_count",
            ):
                setattr(merged[key], name, getattr(merged[key], name) + getattr(row, name))
        else:
            merged[key] = row
    return list(merged.values())


def _write_day(day: datetime.date, rows: list[DailySnapshot], *, action: str) -> int:
    with transaction.atomic():
        DailySnapshot.objects.filter(day=day).delete()
        DailySnapshot.objects.bulk_create(_merge(rows))
        record_event(
            actor=None,
            actor_name="system",
            action=action,
            detail={"day": day.isoformat(), "rows": len(rows)},
        )
    # After the write (a spurious change, if an outer transaction rolls back, only costs
    # the next chart one query).
    cache.set(TREND_VERSION_KEY, time.time_ns(), None)
    return len(rows)


def take_snapshot(now: datetime.datetime | None = None) -> int:
    """Record today's counts as they are now (the nightly job); returns the rows written."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    rows = [row for model in timed_task_models() for row in _rows_for(model, day, now, live=True)]
    return _write_day(day, rows, action="supervision.take_snapshot")


def backfill(first_day: datetime.date, last_day: datetime.date, *, overwrite=False) -> int:
    """Rebuild the days ``first_day``…``last_day`` from the tasks' timestamps."""
    written = 0
    taken = set(
        DailySnapshot.objects.filter(
            day__gte=first_day, day__lte=last_day, backfilled=False
        ).values_list("day", flat=True)
    )
    day = first_day
    while day <= last_day:
        if overwrite or day not in taken:
            _start, end = _day_bounds(day)
            moment = min(end - datetime.timedelta(microseconds=1), timezone.now())
            rows = [
                row
                for model in timed_task_models()
                for row in _rows_for(model, day, moment, live=False)
            ]
            written += _write_day(day, rows, action="supervision.backfill_snapshot")
        day += datetime.timedelta(days=1)
    return written
