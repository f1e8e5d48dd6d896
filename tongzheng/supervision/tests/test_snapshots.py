"""监察日统计: the nightly snapshot, the backfill from timestamps, the trend read."""

import datetime

import pytest
from django.utils import timezone

from tongzheng.supervision import queries, snapshots
from tongzheng.supervision.models import DailySnapshot
from tongzheng.supervision.tasks import backfill_snapshots, take_daily_snapshot
from tongzheng.supervision.tests.factories import city_tree, errand, red_errand, supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


def errand_rows(day):
    return DailySnapshot.objects.filter(day=day, task_type="timedtest.errand")


def test_the_nightly_snapshot_counts_by_division(tree):
    red_errand(tree.dept_a)
    red_errand(tree.dept_b)
    errand(tree.dept_a, limit=20)
    paused = red_errand(tree.dept_a)
    paused.pause(timezone.now())
    paused.save()
    assert take_daily_snapshot.enqueue().return_value > 0  # immediate backend in tests
    today = timezone.localdate()
    rows = {row.division_path: row for row in errand_rows(today)}
    county_a = rows[tree.dept_a.division_path]
    assert (county_a.open_count, county_a.red_count) == (3, 1)  # the paused one is not red
    assert rows[tree.dept_b.division_path].red_count == 1
    snapshots.take_snapshot()  # taking it again replaces the day
    assert errand_rows(today).count() == len(rows)


def test_backfill_rebuilds_past_days_from_timestamps(tree):
    now = timezone.now()
    started = now - datetime.timedelta(days=20)
    task = errand(tree.dept_a, started=started, limit=3)
    errand(tree.dept_a, started=started, limit=3, finished=started + datetime.timedelta(days=1))
    today = timezone.localdate()
    start_day = timezone.localdate(started)
    backfill_snapshots.enqueue(start_day.isoformat(), today.isoformat())
    first = errand_rows(start_day).get()
    assert first.started_count == 2 and first.open_count == 2 and first.red_count == 0
    assert errand_rows(start_day + datetime.timedelta(days=1)).get().finished_count == 1
    late = errand_rows(timezone.localdate(task.due_at) + datetime.timedelta(days=1)).get()
    assert late.red_count == 1 and late.open_count == 1
    assert late.backfilled


def test_backfill_keeps_days_taken_live(tree):
    red_errand(tree.dept_a)
    snapshots.take_snapshot()
    today = timezone.localdate()
    snapshots.backfill(today, today)
    assert not errand_rows(today).get().backfilled
    snapshots.backfill(today, today, overwrite=True)
    assert errand_rows(today).get().backfilled


def test_trend_is_scoped_to_the_supervisors_division(tree):
    red_errand(tree.dept_a)
    red_errand(tree.other_dept)
    snapshots.take_snapshot()
    city = queries.trend(supervisor(tree.city_bureau))
    other = queries.trend(supervisor(tree.other_dept))
    assert city["red"][-1] == 1 and other["red"][-1] == 1
    assert len(city["days"]) == queries.TREND_DAYS
    county = queries.trend(supervisor(tree.city_bureau), division_code="510105")
    assert county["red"][-1] == 0


def test_the_command(tree):
    from io import StringIO

    from django.core.management import CommandError, call_command

    red_errand(tree.dept_a)
    out = StringIO()
    call_command("supervision_snapshot", stdout=out)
    assert out.getvalue().strip() != "0 rows"
    today = timezone.localdate().isoformat()
    call_command("supervision_snapshot", "--backfill", today, today, "--overwrite", stdout=out)
    assert errand_rows(timezone.localdate()).get().backfilled
    with pytest.raises(CommandError):
        call_command("supervision_snapshot", "--backfill", today, "2000-01-01")
