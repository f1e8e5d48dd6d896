"""The working-day calendar (工作日历): public holidays and adjusted working weekends (调休).

Every time limit of the platform counts in working days through this module.

Sources, in order of precedence:

1. ``CalendarOverride`` rows entered by administrators (``core.manage_calendar``);
2. the ``chinesecalendar`` package (the State Council's yearly notices, 2004 to 2026 in
   version 1.11.0);
3. for a year neither knows: Monday to Friday. ``known_years()`` says which years are
   covered and the system check ``core.W001`` warns when this year or the next is not.

Definitions (dates are calendar days in the platform's time zone, Asia/Shanghai):

- ``add_working_days(d, n)``: for n > 0, the n-th working day strictly after d
  ("N working days after D"): Friday + 1 is the next Monday, a working Monday + 1 is
  Tuesday. For n < 0 the |n|-th working day strictly before d; n == 0 gives d itself.
- ``working_days_between(d1, d2)``: the number of working days w with d1 < w <= d2 when
  d2 >= d1, and minus the number with d2 < w <= d1 when d2 < d1, so that
  ``working_days_between(d1, d2) == -working_days_between(d2, d1)``.
- They are inverse: ``working_days_between(d, add_working_days(d, n)) == n`` for every
  n >= 0 (and for n < 0 when d itself is a working day).

Speed: each year is turned once into a sorted tuple of working days and kept in memory.
Saving or deleting an override clears the memory at once in the process that made the
change; other processes notice within ``CALENDAR_CACHE_SECONDS`` (setting, default 30)
through one small query that fingerprints the override table.
"""

import datetime
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import chinese_calendar
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models import Count, Max
from django.dispatch import receiver
from django.utils import timezone

PACKAGE_FIRST_YEAR = min(chinese_calendar.holidays).year
PACKAGE_LAST_YEAR = max(chinese_calendar.holidays).year

_ONE_DAY = datetime.timedelta(days=1)


def as_date(moment: datetime.date | datetime.datetime) -> datetime.date:
    """The calendar day of a moment: an aware datetime is read in the local time zone."""
    if isinstance(moment, datetime.datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.date()
    return moment


def package_knows(year: int) -> bool:
    return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR


def _package_or_weekday(day: datetime.date) -> bool:
    if package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@dataclass(frozen=True)
class _Year:
    days: tuple[datetime.date, ...]  # the working days of the year, ascending
    day_set: frozenset[datetime.date]


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.years: dict[int, _Year] = {}
        self.fingerprint: tuple | None = None
        self.checked_at = 0.0
        self.interval: float | None = None  # CALENDAR_CACHE_SECONDS, read once

    def clear(self) -> None:
        with self.lock:
            self.years = {}
            self.fingerprint = None
            self.checked_at = 0.0


_cache = _Cache()
# Per thread (each thread has its own database connection): this thread changed an
# override inside a transaction; checked before trusting the cache.
_local = threading.local()


def clear_cache() -> None:
    """Forget every cached year (called when an override is saved or deleted)."""
    _cache.clear()


def _committed() -> None:
    _cache.clear()


def overrides_changed() -> None:
    """Signal receiver for CalendarOverride saves and deletes (wired in CoreConfig.ready)."""
    _cache.clear()
    if connection.in_atomic_block:
        _local.maybe_pending = True
        transaction.on_commit(_committed)


def _change_pending() -> bool:
    """This connection changed an override in a transaction that has not committed yet.

    Then the cache is neither read nor written: this transaction sees its own change,
    and nothing it computes outlives a rollback (which discards the pending callback).
    """
    if not getattr(_local, "maybe_pending", False):
        return False
    pending = connection.in_atomic_block and any(
        item[1] is _committed for item in connection.run_on_commit
    )
    if not pending:
        _local.maybe_pending = False  # committed or rolled back since
    return pending


@receiver(setting_changed)
def _setting_changed(*, setting, **kwargs):
    if setting == "CALENDAR_CACHE_SECONDS":
        _cache.interval = None


def _override_fingerprint() -> tuple:
    from tongzheng.core.models import CalendarOverride

    summary = CalendarOverride.objects.aggregate(count=Count("id"), last=Max("updated_at"))
    return (summary["count"], summary["last"])


def _revalidate() -> None:
    """Drop the cache when another process changed the overrides (checked now and then)."""
    if _cache.interval is None:
        _cache.interval = getattr(settings, "CALENDAR_CACHE_SECONDS", 30)
    now = time.monotonic()
    if _cache.fingerprint is not None and now - _cache.checked_at < _cache.interval:
        return
    fingerprint = _override_fingerprint()
    with _cache.lock:
        if fingerprint != _cache.fingerprint:
            _cache.years = {}
            _cache.fingerprint = fingerprint
        _cache.checked_at = now


def _build_year(year: int) -> _Year:
    from tongzheng.core.models import CalendarOverride

    overrides = dict(
        CalendarOverride.objects.filter(date__year=year).values_list("date", "is_working_day")
    )
    day = datetime.date(year, 1, 1)
    days = []
    while day.year == year:
        working = overrides.get(day)
        if working is None:
            working = _package_or_weekday(day)
        if working:
            days.append(day)
        day += _ONE_DAY
    return _Year(days=tuple(days), day_set=frozenset(days))


def _year(year: int) -> _Year:
    if not datetime.MINYEAR < year < datetime.MAXYEAR:
        raise ValueError(f"year {year} is outside the calendar")
    if _change_pending():
        return _build_year(year)
    _revalidate()
    cached = _cache.years.get(year)
    if cached is not None:
        return cached
    built = _build_year(year)
    with _cache.lock:
        _cache.years[year] = built
    return built


def is_working_day(moment: datetime.date | datetime.datetime) -> bool:
    """Whether the day of ``moment`` is a working day (工作日)."""
    day = as_date(moment)
    return day in _year(day.year).day_set


def add_working_days(moment: datetime.date | datetime.datetime, n: int) -> datetime.date:
    """The n-th working day strictly after the day of ``moment`` (before it when n < 0)."""
    day = as_date(moment)
    if n == 0:
        return day
    year = day.year
    if n > 0:
        days = _year(year).days
        index = bisect_right(days, day) + n - 1
        while index >= len(days):
            index -= len(days)
            year += 1
            days = _year(year).days
        return days[index]
    days = _year(year).days
    index = bisect_left(days, day) + n  # n < 0: step back from the first day >= d
    while index < 0:
        year -= 1
        days = _year(year).days
        index += len(days)
    return days[index]


def _working_days_up_to(day: datetime.date, since_year: int) -> int:
    """Working days from 1 January of ``since_year`` to ``day`` inclusive."""
    total = sum(len(_year(y).days) for y in range(since_year, day.year))
    return total + bisect_right(_year(day.year).days, day)


def working_days_between(
    start: datetime.date | datetime.datetime, end: datetime.date | datetime.datetime
) -> int:
    """Working days in (start, end]; negative, -(working days in (end, start]), if end < start."""
    d1, d2 = as_date(start), as_date(end)
    if d2 < d1:
        return -working_days_between(d2, d1)
    return _working_days_up_to(d2, d1.year) - _working_days_up_to(d1, d1.year)


def known_years() -> list[int]:
    """Years the calendar knows officially: the package's years and years with overrides."""
    from tongzheng.core.models import CalendarOverride

    years = set(range(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR + 1))
    years.update(d.year for d in CalendarOverride.objects.dates("date", "year"))
    return sorted(years)


def year_is_known(year: int) -> bool:
    from tongzheng.core.models import CalendarOverride

    return package_knows(year) or CalendarOverride.objects.filter(date__year=year).exists()


def package_exceptions(year: int) -> list[tuple[datetime.date, bool, str]]:
    """The package's departures from Monday-Friday in ``year``: (date, working?, 节日名称)."""
    if not package_knows(year):
        return []
    result = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        working = chinese_calendar.is_workday(day)
        if working != (day.weekday() < 5):
            _, name = chinese_calendar.get_holiday_detail(day)
            result.append((day, working, chinese_calendar.Holiday(name).chinese if name else ""))
        day += _ONE_DAY
    return result


def working_days_of_year(year: int) -> tuple[datetime.date, ...]:
    """Every working day of ``year``, ascending (overrides applied)."""
    return _year(year).days
