"""Reads of the core app, always for a caller."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from tongzheng.core import calendar
from tongzheng.core.access import require_permission
from tongzheng.core.actions import MANAGE_CALENDAR
from tongzheng.core.models import CalendarOverride


@dataclass(frozen=True)
class CalendarYear:
    year: int
    package_knows: bool
    overrides: list
    package_exceptions: list
    working_day_count: int


def calendar_year(user, year: int) -> CalendarYear:
    """The calendar page's data: overrides and the package's holidays for one year."""
    require_permission(user, MANAGE_CALENDAR)
    overrides = list(
        CalendarOverride.objects.filter(date__year=year).select_related("created_by")
    )
    return CalendarYear(
        year=year,
        package_knows=calendar.package_knows(year),
        overrides=overrides,
        package_exceptions=calendar.package_exceptions(year),
        working_day_count=len(calendar.working_days_of_year(year)),
    )


def calendar_override(user, pk: int) -> CalendarOverride:
    require_permission(user, MANAGE_CALENDAR)
    return get_object_or_404(CalendarOverride, pk=pk)
