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
from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
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


#: Any fixed day: working-day numbers are only ever subtracted from each other.
_EPOCH = datetime.date(2000, 1, 1)


@lru_cache(maxsize=65536)
def _working_day_number(day: datetime.date) -> int:
    """W(day): working days in (epoch, day] on the official calendar."""
    return calendar.working_days_between(_EPOCH, day)


def quarterly(user, year: int, quarter: int) -> list[DepartmentPerformance]:
    """The performance of every department in scope with activity in the quarter."""
    if not has_permission(user, VIEW_PERFORMANCE):
        raise PermissionDenied(_("您没有查看绩效考核的权限。"))
    start, end = quarter_bounds(year, quarter)
    tz = timezone.get_current_timezone()
    rows: dict[int, DepartmentPerformance] = {}

    def row(pk) -> DepartmentPerformance:
        if pk not in rows:
            rows[pk] = DepartmentPerformance(pk, "")
        return rows[pk]

    for model, queryset in timed_querysets_for(user, VIEW_PERFORMANCE):
        if model is Rectification:
            continue
        key = organisation_lookup(model)
        finished = (
            queryset.filter(finished_at__gte=start, finished_at__lt=end, started_at__isnull=False)
            .exclude(**{f"{key}__isnull": True})
            .order_by()
        )
        for group in finished.values(key).annotate(
            finished=Count("pk"), on_time=Count("pk", filter=Q(finished_at__lte=F("due_at")))
        ):
            target = row(group[key])
            target.finished += group["finished"]
            target.on_time += group["on_time"]
        # Working days used, summed without visiting each task: with W(d) the working
        # days from a fixed day to d, a task used W(finish) − W(start) days, so the sum is
        # Σ W(finish day) − Σ W(start day), each from a (department, day) count.
        for field, sign in (("finished_at", 1), ("started_at", -1)):
            days = (
                finished.annotate(day=TruncDate(field, tzinfo=tz))
                .values(key, "day")
                .annotate(n=Count("pk"))
            )
            for group in days:
                row(group[key]).working_days_total += (
                    sign * group["n"] * _working_day_number(group["day"])
                )
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
    names = Organisation.objects.in_bulk(list(rows))
    result = []
    for pk, item in rows.items():
        if pk in names:
            item.name = names[pk].name
            result.append(item)
    result.sort(key=lambda item: (-item.score, item.name))
    return result


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"
