"""绩效考核 in one statement: the working days summed by the database match the calendar."""

import datetime

import pytest
from django.utils import timezone

from tongzheng.core import calendar
from tongzheng.supervision import performance
from tongzheng.supervision.tests.factories import city_tree, errand, supervisor

pytestmark = pytest.mark.django_db


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_working_days_across_holidays_late_hours_and_old_starts():
    tree = city_tree()
    cases = [
        # (start, finish): over the National Day holiday, late in the evening (the local
        # day, not the UTC one), and started long before the quarter (before the table).
        (at(datetime.date(2025, 9, 29)), at(datetime.date(2025, 10, 10))),
        (at(datetime.date(2025, 10, 13), 23), at(datetime.date(2025, 10, 15), 23)),
        (at(datetime.date(2024, 3, 1)), at(datetime.date(2025, 12, 30), 0)),
    ]
    for started, finished in cases:
        errand(tree.dept_a, started=started, limit=10, finished=finished)
    expected = sum(
        calendar.working_days_between(timezone.localdate(s), timezone.localdate(f))
        for s, f in cases
    )
    rows = performance.quarterly(supervisor(tree.city_bureau), 2025, 4)
    row = next(r for r in rows if r.name == tree.dept_a.name)
    assert row.finished == 3
    assert row.working_days_total == expected
    assert row.on_time == 2  # the one started in 2024 is late


def test_the_working_day_table_counts_from_its_first_day():
    table = performance._working_day_table(datetime.date(2025, 9, 30), datetime.date(2025, 10, 9))
    assert table[0] == (datetime.date(2025, 9, 30), 0)
    # 1-8 October 2025 are the National Day and Mid-Autumn holidays; the 9th is a working day.
    assert dict(table)[datetime.date(2025, 10, 9)] == 1
