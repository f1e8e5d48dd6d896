"""``tongzheng calendar add DATE N`` and ``tongzheng calendar between D1 D2``.

Working days on the official calendar (see ``tongzheng.core.calendar`` for the exact
definitions): ``add`` prints the ISO date of the N-th working day strictly after DATE;
``between`` prints the number of working days in (D1, D2].
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tongzheng.core import calendar


def parse_moment(value: str) -> datetime.date | datetime.datetime:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not an ISO date: {value!r} (expected e.g. 2026-09-30)") from None


class Command(BaseCommand):
    help = "Working-day arithmetic on the official calendar: 'add DATE N' or 'between D1 D2'."
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        add = sub.add_parser("add", help="the N-th working day strictly after DATE")
        add.add_argument("date")
        add.add_argument("n", type=int)
        between = sub.add_parser("between", help="the number of working days in (D1, D2]")
        between.add_argument("start")
        between.add_argument("end")
        sub.add_parser("years", help="the years the calendar knows officially")

    def handle(self, *args, **options):
        operation = options["operation"]
        if operation == "years":
            self.stdout.write(" ".join(str(y) for y in calendar.known_years()))
            return
        if operation == "add":
            start = parse_moment(options["date"])
            result = calendar.add_working_days(start, options["n"])
            self._warn_unknown(start, result)
            self.stdout.write(result.isoformat())
            return
        start, end = parse_moment(options["start"]), parse_moment(options["end"])
        self._warn_unknown(start, end)
        self.stdout.write(str(calendar.working_days_between(start, end)))

    def _warn_unknown(self, *moments) -> None:
        days = sorted(calendar.as_date(m) for m in moments)
        unknown = [
            y for y in range(days[0].year, days[-1].year + 1) if not calendar.year_is_known(y)
        ]
        if unknown:
            years = ", ".join(str(y) for y in unknown)
            self.stderr.write(
                f"warning: no official calendar for {years}; Monday-Friday assumed "
                "(add overrides on the workbench calendar page)"
            )
