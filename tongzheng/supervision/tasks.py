"""Background tasks of supervision (django-tasks; run by ``tongzheng db_worker``).

- ``take_daily_snapshot()``: the day's counts for the trend chart; schedule it once a
  night, shortly before midnight (cron / systemd timer), or enqueue it.
- ``backfill_snapshots(first, last)``: rebuild past days (ISO dates) from timestamps.
"""

import datetime

from django_tasks import task

from tongzheng.supervision import snapshots


@task()
def take_daily_snapshot() -> int:
    return snapshots.take_snapshot()


@task()
def backfill_snapshots(first: str, last: str, overwrite: bool = False) -> int:
    return snapshots.backfill(
        datetime.date.fromisoformat(first), datetime.date.fromisoformat(last), overwrite=overwrite
    )
