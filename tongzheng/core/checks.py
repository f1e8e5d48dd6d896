"""System checks of the core app."""

from django.core.checks import Warning, register
from django.utils import timezone


@register()
def calendar_covers_this_and_next_year(app_configs=None, **kwargs):
    """core.W001: the working-day calendar must know this year and the next officially."""
    from tongzheng.core import calendar

    this_year = timezone.localdate().year
    missing = []
    for year in (this_year, this_year + 1):
        if calendar.package_knows(year):
            continue
        try:
            known = calendar.year_is_known(year)
        except Exception:  # no database (yet), or none allowed here: only the package counts
            known = False
        if not known:
            missing.append(year)
    if not missing:
        return []
    years = ", ".join(str(y) for y in missing)
    return [
        Warning(
            f"The working-day calendar has no official data for {years}: the holiday package "
            f"knows {calendar.PACKAGE_FIRST_YEAR}-{calendar.PACKAGE_LAST_YEAR} and no "
            "administrator overrides exist for it, so Monday-Friday is assumed.",
            hint="Enter the State Council's holiday notice for that year on the workbench "
            "calendar page (core:calendar), or upgrade the chinesecalendar package.",
            id="core.W001",
        )
    ]
