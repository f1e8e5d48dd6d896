"""The working-day calendar: the 2026 State Council schedule, the rules, overrides."""

import datetime
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.db import transaction
from django.utils import timezone

from tongzheng.core import calendar
from tongzheng.core.calendar import (
    add_working_days,
    is_working_day,
    known_years,
    working_days_between,
)
from tongzheng.core.models import CalendarOverride

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def test_2026_schedule_comes_from_the_package_data():
    """Cross-check our expectations against chinese_calendar's own tables."""
    holidays = chinese_calendar.holidays
    workdays = chinese_calendar.workdays
    # Spring Festival 2026: 15-23 February off, Saturdays 14 and 28 February worked.
    assert all(D(2026, 2, d) in holidays for d in range(15, 24))
    assert D(2026, 2, 14) in workdays and D(2026, 2, 28) in workdays
    # National Day 2026: 1-7 October off, Saturday 10 October worked.
    assert all(D(2026, 10, d) in holidays for d in range(1, 8))
    assert D(2026, 10, 10) in workdays


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),  # 元旦, Thursday
        (D(2026, 1, 2), False),  # 元旦, Friday
        (D(2026, 1, 4), True),  # Sunday worked (调休)
        (D(2026, 2, 14), True),  # Saturday worked before 春节
        (D(2026, 2, 16), False),  # Monday, 春节
        (D(2026, 2, 20), False),  # Friday, 春节
        (D(2026, 2, 23), False),  # Monday, last day of 春节
        (D(2026, 2, 24), True),  # Tuesday, back at work
        (D(2026, 2, 28), True),  # Saturday worked after 春节
        (D(2026, 5, 9), True),  # Saturday worked after 劳动节
        (D(2026, 9, 20), True),  # Sunday worked before 中秋/国庆
        (D(2026, 10, 1), False),  # 国庆节, Thursday
        (D(2026, 10, 7), False),  # 国庆节, Wednesday
        (D(2026, 10, 8), True),  # Thursday
        (D(2026, 10, 10), True),  # Saturday worked
        (D(2026, 10, 11), False),  # ordinary Sunday
        (D(2026, 11, 27), True),  # ordinary Friday
        (D(2026, 11, 28), False),  # ordinary Saturday
    ],
)
def test_2026_working_days(day, working):
    assert is_working_day(day) is working


def test_n_working_days_after_is_strictly_after():
    # A working Monday + 1 is Tuesday, not Monday itself.
    assert add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 24)
    # Friday + 1 is the next Monday.
    assert add_working_days(D(2026, 11, 27), 1) == D(2026, 11, 30)
    # A Saturday + 1 is Monday: the non-working start day does not count.
    assert add_working_days(D(2026, 11, 28), 1) == D(2026, 11, 30)
    assert add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)


def test_adding_across_national_day_2026():
    # 30 September (Wednesday) + 1: 1-7 October are off, so Thursday 8 October.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # + 2 is Friday 9 October, + 3 the worked Saturday 10 October, + 4 Monday 12.
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_adding_across_spring_festival_2026():
    # Friday 13 February + 1 is the worked Saturday 14; + 2 skips the whole festival.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # Twenty working days after Sunday 1 February 2026, counted by hand: 2-6 Feb (5),
    # 9-13 (10), Sat 14 (11), 24-27 (15), Sat 28 (16), 2-5 March (20).
    assert add_working_days(D(2026, 2, 1), 20) == D(2026, 3, 5)


def test_negative_n_counts_backwards_strictly_before():
    assert add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert add_working_days(D(2026, 10, 12), -1) == D(2026, 10, 10)
    assert add_working_days(D(2026, 1, 5), -2) == D(2025, 12, 31)


def test_aware_datetime_is_read_in_shanghai_time():
    # 2026-10-09 16:30 UTC is Saturday 10 October 00:30 in Shanghai (worked): +1 is
    # Monday 12; read as the UTC date (Friday 9) it would be Saturday 10.
    moment = datetime.datetime(2026, 10, 9, 16, 30, tzinfo=datetime.UTC)
    assert is_working_day(moment)
    assert add_working_days(moment, 1) == D(2026, 10, 12)
    local = datetime.datetime(2026, 10, 9, 8, 0, tzinfo=SHANGHAI)
    assert add_working_days(local, 1) == D(2026, 10, 10)


def test_between_counts_the_half_open_interval():
    # (Friday 25 Sep, Thursday 8 Oct]: 25 Sep excluded; 28, 29, 30 Sep and 8 Oct.
    assert working_days_between(D(2026, 9, 25), D(2026, 10, 8)) == 4
    assert working_days_between(D(2026, 10, 8), D(2026, 9, 25)) == -4
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == 0
    # The whole of 2026 from the package: 365 days minus weekends and holidays.
    year = [D(2026, 1, 1) + datetime.timedelta(days=i) for i in range(365)]
    expected = sum(1 for d in year if chinese_calendar.is_workday(d))
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == expected
    assert expected < 261  # fewer than Monday-Friday: the package data is in use


def test_between_and_add_are_inverse():
    start = D(2025, 12, 20)
    for offset in range(0, 60, 3):
        day = start + datetime.timedelta(days=offset)
        for n in (0, 1, 2, 5, 13, 40):
            assert working_days_between(day, add_working_days(day, n)) == n
        if is_working_day(day):
            for n in (-1, -4, -25):
                assert working_days_between(day, add_working_days(day, n)) == n
        target = day + datetime.timedelta(days=17)
        if is_working_day(target):
            assert add_working_days(day, working_days_between(day, target)) == target


def test_override_wins_over_the_package():
    assert not is_working_day(D(2026, 10, 5))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    CalendarOverride.objects.create(date=D(2026, 10, 5), is_working_day=True, reason="测试")
    assert is_working_day(D(2026, 10, 5))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 5)
    CalendarOverride.objects.create(date=D(2026, 10, 8), is_working_day=False, reason="测试")
    assert not is_working_day(D(2026, 10, 8))
    CalendarOverride.objects.filter(date=D(2026, 10, 5)).delete()
    assert not is_working_day(D(2026, 10, 5))  # the cache was dropped on delete


def test_unknown_year_falls_back_to_monday_to_friday():
    assert calendar.PACKAGE_LAST_YEAR < 2031
    assert not calendar.year_is_known(2031)
    assert 2031 not in known_years()
    assert is_working_day(D(2031, 1, 1))  # a Wednesday: New Year unknown without data
    assert not is_working_day(D(2031, 1, 4))  # Saturday
    assert add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)
    assert working_days_between(D(2030, 12, 31), D(2031, 12, 31)) == 261


def test_overrides_make_an_unknown_year_known_and_win():
    CalendarOverride.objects.create(date=D(2031, 1, 1), is_working_day=False, reason="元旦")
    CalendarOverride.objects.create(date=D(2031, 1, 4), is_working_day=True, reason="调休")
    assert calendar.year_is_known(2031)
    assert 2031 in known_years()
    assert not is_working_day(D(2031, 1, 1))
    assert is_working_day(D(2031, 1, 4))
    assert add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)
    assert add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 4)


def test_other_processes_see_changes_after_the_recheck(settings):
    """A change made behind this process's back (no signal) is seen on the next recheck."""
    settings.CALENDAR_CACHE_SECONDS = 3600
    assert not is_working_day(D(2026, 10, 6))
    CalendarOverride.objects.bulk_create(  # bulk_create sends no post_save signal
        [CalendarOverride(date=D(2026, 10, 6), is_working_day=True, reason="他处录入")]
    )
    assert not is_working_day(D(2026, 10, 6))  # still cached
    settings.CALENDAR_CACHE_SECONDS = 0
    assert is_working_day(D(2026, 10, 6))


def test_a_cached_year_costs_no_query(django_assert_num_queries):
    is_working_day(D(2026, 3, 2))
    with django_assert_num_queries(0):
        for i in range(300):
            is_working_day(D(2026, 1, 1) + datetime.timedelta(days=i))
        add_working_days(D(2026, 9, 30), 10)
        working_days_between(D(2026, 1, 1), D(2026, 12, 1))


def test_system_check_warns_when_next_year_is_unknown():
    from tongzheng.core.checks import calendar_covers_this_and_next_year

    this_year = timezone.localdate().year
    next_year = this_year + 1
    messages = calendar_covers_this_and_next_year()
    if calendar.package_knows(next_year):
        pytest.skip("the package covers next year")
    assert [m.id for m in messages] == ["core.W001"]
    assert str(next_year) in messages[0].msg
    for year in (this_year, next_year):
        if not calendar.package_knows(year):
            CalendarOverride.objects.create(date=D(year, 1, 1), is_working_day=False, reason="元旦")
    assert calendar_covers_this_and_next_year() == []


def test_a_rolled_back_override_leaves_nothing_cached():
    class Abort(Exception):
        pass

    assert not is_working_day(D(2026, 10, 6))
    with pytest.raises(Abort), transaction.atomic():
        CalendarOverride.objects.create(date=D(2026, 10, 6), is_working_day=True, reason="撤销")
        assert is_working_day(D(2026, 10, 6))  # the transaction sees its own change
        assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 6)
        raise Abort
    assert not is_working_day(D(2026, 10, 6))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
