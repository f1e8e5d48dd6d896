"""Quarterly performance per department (绩效考核): four figures, a score, a grade.

For one quarter and every department in the caller's scope
(``supervision.view_performance``):

- **on-time rate** (按时办结率): timed tasks finished in the quarter on or before their
  deadline ÷ all finished in the quarter (every registered module except rectification
  itself, which is measured below);
- **average working days used** (平均用时): working days from start to finish on the
  official calendar, over the same tasks;
- **bad-rating rate** (差评率): bad ratings (不满意, 非常不满意) ÷ all first ratings
  received in the quarter, leaving out ratings whose appeal was upheld;
- **rectification rate** (整改率): bad ratings of the quarter answered within their
  rectification limit ÷ bad ratings of the quarter that stand (appeal not upheld).

Score = 50 × on-time rate + 25 × (1 − bad-rating rate) + 25 × rectification rate
(a figure without data counts as full marks). Grades (``GRADE_THRESHOLDS``):
优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, otherwise 不合格. A department with neither finished
tasks nor ratings in the quarter is not graded.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzheng.core import calendar
from tongzheng.core.access import has_permission
from tongzheng.core.models import Organisation
from tongzheng.core.timed import organisation_lookup, timed_querysets_for
from tongzheng.supervision.models import (
    BAD_LEVELS,
    Rating,
    Rectification,
    RectificationStatus,
)

VIEW_PERFORMANCE = "supervision.view_performance"

#: (minimum score, grade), best first.
GRADE_THRESHOLDS = (
    (90, gettext_lazy("优秀")),
    (80, gettext_lazy("良好")),
    (60, gettext_lazy("合格")),
    (0, gettext_lazy("不合格")),
)
WEIGHTS = {"on_time": 50, "good_ratings": 25, "rectification": 25}


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.datetime, datetime.datetime]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter is 1–4")
    first = datetime.date(year, 3 * quarter - 2, 1)
    last = (
        datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    )
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), tz),
        timezone.make_aware(datetime.datetime.combine(last, datetime.time.min), tz),
    )


def current_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def grade_for(score: float) -> str:
    for minimum, grade in GRADE_THRESHOLDS:
        if score >= minimum:
            return str(grade)
    return str(GRADE_THRESHOLDS[-1][1])


@dataclass
class DepartmentPerformance:
    organisation_id: int
    name: str
    finished: int = 0
    on_time: int = 0
    working_days_total: int = 0
    ratings: int = 0
    bad_ratings: int = 0
    rectifications_due: int = 0
    rectified_on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.finished if self.finished else None

    @property
    def average_working_days(self) -> float | None:
        return self.working_days_total / self.finished if self.finished else None

    @property
    def bad_rating_rate(self) -> float | None:
        return self.bad_ratings / self.ratings if self.ratings else None

    @property
    def rectification_rate(self) -> float | None:
        if not self.rectifications_due:
            return None
        return self.rectified_on_time / self.rectifications_due

    @property
    def score(self) -> float:
        on_time = 1.0 if self.on_time_rate is None else self.on_time_rate
        good = 1.0 if self.bad_rating_rate is None else 1 - self.bad_rating_rate
        rectified = 1.0 if self.rectification_rate is None else self.rectification_rate
        return round(
            WEIGHTS["on_time"] * on_time
            + WEIGHTS["good_ratings"] * good
            + WEIGHTS["rectification"] * rectified,
            1,
        )

    @property
    def grade(self) -> str:
        return grade_for(self.score)

    @property
    def on_time_percent(self) -> str:
        return percent(self.on_time_rate)

    @property
    def bad_rating_percent(self) -> str:
        return percent(self.bad_rating_rate)

    @property
    def rectification_percent(self) -> str:
        return percent(self.rectification_rate)


#: How far before the quarter the working-day table reaches: a task started earlier is
#: rare and is counted from its own start day (one more group in the query, no error).
_START_WINDOW = datetime.timedelta(days=366)


def _working_day_table(first: datetime.date, last: datetime.date) -> list[tuple]:
    """[(day, W(day))] for first…last: W(day) = working days in (first, day]."""
    table, n, day = [], 0, first
    while day <= last:
        table.append((day, n))
        day += datetime.timedelta(days=1)
        n += calendar.is_working_day(day)
    return table


def _local_day(field: str, tz, offset: datetime.timedelta | None):
    """The local calendar day of a timestamp column.

    With a fixed UTC offset over the report's days (China has had none since 1991) it is
    the UTC day of the shifted instant: PostgreSQL converts to UTC several times faster
    than to a named zone, which is most of the report's time on a city's million tasks.
    """
    if offset is None:
        return TruncDate(field, tzinfo=tz)
    shifted = ExpressionWrapper(F(field) + Value(offset), output_field=DateTimeField())
    return TruncDate(shifted, tzinfo=datetime.UTC)


def _fixed_offset(tz, days) -> datetime.timedelta | None:
    """The zone's UTC offset if it is the same at noon of every one of ``days``."""
    offsets = {tz.utcoffset(datetime.datetime.combine(day, datetime.time(12))) for day in days}
    return offsets.pop() if len(offsets) == 1 else None


def _finished_tasks(user, start, end, tz, offset):
    """Per module, the quarter's finished tasks as (organisation, finish day, start day,
    on time 0/1) querysets, compiled as subqueries of the single report query."""
    parts = []
    for model, queryset in timed_querysets_for(user, VIEW_PERFORMANCE):
        if model is Rectification:
            continue
        key = organisation_lookup(model)
        parts.append(
            queryset.filter(finished_at__gte=start, finished_at__lt=end, started_at__isnull=False)
            .exclude(**{f"{key}__isnull": True})
            .order_by()
            .annotate(
                perf_org=F(key),
                perf_finish=_local_day("finished_at", tz, offset),
                perf_start=_local_day("started_at", tz, offset),
                perf_on_time=Case(
                    When(finished_at__lte=F("due_at"), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
            )
            .values_list("perf_org", "perf_finish", "perf_start", "perf_on_time")
        )
    return parts


def _finished_by_department(user, start, end) -> list[tuple]:
    """(organisation id, odd start day, finished, on time, Σ W(finish), Σ W(start)) rows.

    One statement for every module: a UNION ALL of the quarter's finished tasks, joined
    twice to a working-day table W (a ``VALUES`` list, one row per day) so the database
    sums the working days used, W(finish day) − W(start day), without a row per task or
    per day leaving it. Tasks started before the table's first day come back in their
    own group with that day (``odd start day``; otherwise None) for Python to number.
    """
    tz = timezone.get_current_timezone()
    first_day = timezone.localtime(start, tz).date() - _START_WINDOW
    last_day = timezone.localtime(end, tz).date()
    table = _working_day_table(first_day, last_day)
    offset = _fixed_offset(tz, [day for day, _n in table])
    selects, params, alias = [], [], None
    for n, queryset in enumerate(_finished_tasks(user, start, end, tz, offset)):
        try:
            sql, part_params = queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            continue
        alias = alias or queryset.db
        # Only Django's compiled SQL goes into the text; values stay parameters.
        selects.append(f"SELECT * FROM ({sql}) u{n}")  # noqa: S608
        params.extend(part_params)
    if not selects:
        return []
    values = ", ".join(["(%s, %s)"] * len(table))
    sql = (
        f"WITH perf_w(day, n) AS (VALUES {values}) "  # noqa: S608
        "SELECT t.perf_org, CASE WHEN ws.n IS NULL THEN t.perf_start END, "
        "COUNT(*), SUM(t.perf_on_time), SUM(wf.n), SUM(ws.n) "
        f"FROM ({' UNION ALL '.join(selects)}) t "
        "JOIN perf_w wf ON wf.day = t.perf_finish "
        "LEFT JOIN perf_w ws ON ws.day = t.perf_start "
        "GROUP BY 1, 2"
    )
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL would compile this big aggregate to machine code (JIT): on the
            # city benchmark that took 2.4 s of an 8.3 s statement and saved nothing.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [value for row in table for value in row] + params)
        rows = cursor.fetchall()
    result = []
    for organisation_id, odd_day, finished, on_time, finish_sum, start_sum in rows:
        if odd_day is not None:
            # W of a day before the table: minus the working days from it to the table.
            odd_day = _as_date(odd_day)
            start_sum = -calendar.working_days_between(odd_day, first_day) * finished
        result.append((organisation_id, finished, on_time, finish_sum - (start_sum or 0)))
    return result


def _as_date(value) -> datetime.date:
    """SQLite returns dates as text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def quarterly(user, year: int, quarter: int) -> list[DepartmentPerformance]:
    """The performance of every department in scope with activity in the quarter.

    Three queries whatever the size: the finished tasks of every module (one statement,
    see ``_finished_by_department``), the ratings and the rectifications, each grouped
    by department in the database; then the departments' names.
    """
    if not has_permission(user, VIEW_PERFORMANCE):
        raise PermissionDenied(_("您没有查看绩效考核的权限。"))
    start, end = quarter_bounds(year, quarter)
    rows: dict[int, DepartmentPerformance] = {}

    def row(pk) -> DepartmentPerformance:
        if pk not in rows:
            rows[pk] = DepartmentPerformance(pk, "")
        return rows[pk]

    for organisation_id, finished, on_time, working_days in _finished_by_department(
        user, start, end
    ):
        target = row(organisation_id)
        target.finished += finished
        target.on_time += on_time
        target.working_days_total += working_days
    ratings = (
        Rating.objects.for_user(user, VIEW_PERFORMANCE)
        .filter(
            rated_at__gte=start,
            rated_at__lt=end,
            rerating_of__isnull=True,
            excluded=False,
            organisation__isnull=False,
        )
        .order_by()
        .values("organisation_id")
        .annotate(total=Count("pk"), bad=Count("pk", filter=Q(level__in=BAD_LEVELS)))
    )
    for group in ratings:
        target = row(group["organisation_id"])
        target.ratings += group["total"]
        target.bad_ratings += group["bad"]
    rectifications = (
        Rectification.objects.for_user(user, VIEW_PERFORMANCE)
        .filter(started_at__gte=start, started_at__lt=end)
        .exclude(status=RectificationStatus.WITHDRAWN)
        .order_by()
        .values("organisation_id")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(
                    finished_at__isnull=False,
                    finished_at__lte=F("due_at"),
                    status__in=[RectificationStatus.ANSWERED, RectificationStatus.CLOSED],
                ),
            ),
        )
    )
    for group in rectifications:
        target = row(group["organisation_id"])
        target.rectifications_due += group["due"]
        target.rectified_on_time += group["on_time"]
    names = dict(Organisation.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    result = []
    for pk, item in rows.items():
        if pk in names:
            item.name = names[pk]
            result.append(item)
    result.sort(key=lambda item: (-item.score, item.name))
    return result


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"
