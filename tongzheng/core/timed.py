"""Timed tasks (限时任务): anything that carries a deadline in working days.

An application to decide within 20 working days, a hotline ticket to answer within 3,
a bad rating to rectify within 15: each is a row of some module's model that mixes in
``TimedTask``. The mixin stores the clock — started, limit, due, warning point, paused
intervals (a stopped clock, 暂停计时), finished — and derives the status at read time:

- ``normal``  (正常)
- ``yellow``  (黄牌): 1 working day or less before the limit;
- ``red``     (红牌): over the limit;
- ``paused``  (暂停): the clock is stopped (听证、检验、检测、鉴定、专家评审 …);
- ``finished`` (已办结).

No job flips a status: ``due_at`` and ``warning_at`` are stored whenever the deadline
changes, so "which tasks are yellow now" is one indexed query (``TimedTaskQuerySet``).

Deadline rule (on the official calendar, ``tongzheng.core.calendar``):

- due date = ``add_working_days(start day, limit + paused working days)`` — the N-th
  working day strictly after the start day; a limit of 0 (即办件) is due the start day;
- ``due_at`` = the last instant of the due date in the platform's time zone;
- ``warning_at`` = the first instant of the last working day before the due date: from
  then on at most 1 working day is left.

A module registers its model in ``AppConfig.ready()``::

    platform.add_timed_task_model(Application)

and implements ``inbox_for_user(user)`` (a classmethod returning the user's open tasks,
scoped, ordered by ``due_at``) and ``get_absolute_url()``. The workbench inbox calls
``open_tasks_for(user)``; supervision reads ``timed_task_models()`` and filters each
model's ``objects.for_user(...)`` with ``.red()`` / ``.yellow()`` / ``.status_counts()``.
See docs/timed-tasks.md.
"""

import datetime
from dataclasses import dataclass
from heapq import merge
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.core import calendar
from tongzheng.core.access import ScopedQuerySet
from tongzheng.core.registry import platform


class TimedStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")
    PAUSED = "paused", _("暂停计时")
    FINISHED = "finished", _("已办结")


#: The fields the clock methods change — pass to ``save(update_fields=...)``.
CLOCK_FIELDS = (
    "started_at",
    "limit_working_days",
    "due_at",
    "warning_at",
    "paused_since",
    "paused_working_days",
    "finished_at",
)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def deadline(started_at: datetime.datetime, working_days: int) -> tuple[datetime.datetime, ...]:
    """(due_at, warning_at) for a clock started at ``started_at`` running ``working_days``."""
    if working_days < 0:
        raise ValueError("a time limit cannot be negative")
    due_day = calendar.add_working_days(started_at, working_days)
    warning_day = calendar.add_working_days(due_day, -1)
    return _end_of_day(due_day), _start_of_day(warning_day)


class TimedTaskQuerySet(ScopedQuerySet):
    """Status filters in SQL from the stored ``due_at`` / ``warning_at`` (no job needed).

    A ``ScopedQuerySet``, so ``Model.objects.for_user(user, perm).red()`` works; a module
    with its own queryset subclasses this one.
    """

    def open(self):
        return self.filter(finished_at__isnull=True)

    def running(self):
        """Open and not paused: the clock is ticking."""
        return self.filter(finished_at__isnull=True, paused_since__isnull=True)

    def paused(self):
        return self.filter(finished_at__isnull=True, paused_since__isnull=False)

    def finished(self):
        return self.filter(finished_at__isnull=False)

    def red(self, now=None):
        return self.running().filter(due_at__lt=now or timezone.now())

    def yellow(self, now=None):
        now = now or timezone.now()
        return self.running().filter(warning_at__lte=now, due_at__gte=now)

    def normal(self, now=None):
        return self.running().filter(warning_at__gt=now or timezone.now())

    def finished_late(self):
        """Finished after the deadline (超期办结)."""
        return self.finished().filter(finished_at__gt=models.F("due_at"))

    def with_clock_status(self, now=None):
        """Annotate ``clock_status`` (a ``TimedStatus`` value) computed by the database."""
        now = now or timezone.now()
        return self.annotate(
            clock_status=Case(
                When(finished_at__isnull=False, then=Value(TimedStatus.FINISHED.value)),
                When(paused_since__isnull=False, then=Value(TimedStatus.PAUSED.value)),
                When(due_at__lt=now, then=Value(TimedStatus.RED.value)),
                When(warning_at__lte=now, then=Value(TimedStatus.YELLOW.value)),
                default=Value(TimedStatus.NORMAL.value),
                output_field=models.CharField(max_length=8),
            )
        )

    def status_counts(self, now=None) -> dict[str, int]:
        """{status: count} for every ``TimedStatus`` in one aggregate query."""
        now = now or timezone.now()
        running = Q(finished_at__isnull=True, paused_since__isnull=True)
        return self.aggregate(
            **{
                TimedStatus.FINISHED.value: Count("pk", filter=Q(finished_at__isnull=False)),
                TimedStatus.PAUSED.value: Count(
                    "pk", filter=Q(finished_at__isnull=True, paused_since__isnull=False)
                ),
                TimedStatus.RED.value: Count("pk", filter=running & Q(due_at__lt=now)),
                TimedStatus.YELLOW.value: Count(
                    "pk", filter=running & Q(warning_at__lte=now, due_at__gte=now)
                ),
                TimedStatus.NORMAL.value: Count("pk", filter=running & Q(warning_at__gt=now)),
            }
        )


class TimedTask(models.Model):
    """限时任务 mixin: the working-day clock of one task.

    The clock methods (``start``, ``pause``, ``resume``, ``extend``, ``finish``) change the
    instance only; the module's action saves it (``save(update_fields=CLOCK_FIELDS)`` or
    a plain save) inside its own transaction with its audit record. A wrong move (pausing
    a paused clock, finishing twice) raises ``ValidationError`` with a Chinese message.
    """

    started_at = models.DateTimeField(_("开始计时"), null=True, blank=True)
    limit_working_days = models.PositiveIntegerField(_("时限（工作日）"), default=0)
    due_at = models.DateTimeField(_("截止时间"), null=True, blank=True, db_index=True)
    warning_at = models.DateTimeField(_("预警时间"), null=True, blank=True, db_index=True)
    paused_since = models.DateTimeField(_("暂停自"), null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(_("累计暂停（工作日）"), default=0)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.started_at is not None and self.due_at is None:
            self.recompute_deadline()
        super().save(*args, **kwargs)

    # ---- the clock -------------------------------------------------------------------

    def recompute_deadline(self) -> None:
        """Set ``due_at`` and ``warning_at`` from the start, the limit and the pauses."""
        if self.started_at is None:
            self.due_at = self.warning_at = None
            return
        self.due_at, self.warning_at = deadline(
            self.started_at, self.limit_working_days + self.paused_working_days
        )

    def start(self, at: datetime.datetime, limit_working_days: int | None = None) -> None:
        if self.started_at is not None:
            raise ValidationError(_("计时已经开始。"))
        if limit_working_days is not None:
            self.limit_working_days = limit_working_days
        self.started_at = at
        self.recompute_deadline()

    def pause(self, at: datetime.datetime) -> None:
        """Stop the clock (暂停计时) from ``at``."""
        self._require_running()
        if at < self.started_at:
            raise ValidationError(_("暂停时间不能早于开始时间。"))
        self.paused_since = at

    def resume(self, at: datetime.datetime) -> None:
        """Restart the clock; the deadline moves by the working days it was stopped."""
        if self.finished_at is not None:
            raise ValidationError(_("任务已办结。"))
        if self.paused_since is None:
            raise ValidationError(_("计时没有暂停，无法恢复。"))
        if at < self.paused_since:
            raise ValidationError(_("恢复时间不能早于暂停时间。"))
        self.paused_working_days += max(0, calendar.working_days_between(self.paused_since, at))
        self.paused_since = None
        self.recompute_deadline()

    def extend(self, working_days: int) -> None:
        """Lengthen the limit (延期), e.g. +10 working days approved by the head."""
        if working_days <= 0:
            raise ValidationError(_("延长的工作日数必须大于零。"))
        if self.finished_at is not None:
            raise ValidationError(_("任务已办结。"))
        self.limit_working_days += working_days
        self.recompute_deadline()

    def finish(self, at: datetime.datetime) -> None:
        """Stop the clock for good (办结); a paused clock is resumed at ``at`` first."""
        if self.finished_at is not None:
            raise ValidationError(_("任务已办结。"))
        if self.started_at is None:
            raise ValidationError(_("计时尚未开始。"))
        if self.paused_since is not None:
            self.resume(at)
        self.finished_at = at

    def _require_running(self) -> None:
        if self.started_at is None:
            raise ValidationError(_("计时尚未开始。"))
        if self.finished_at is not None:
            raise ValidationError(_("任务已办结。"))
        if self.paused_since is not None:
            raise ValidationError(_("计时已经暂停。"))

    # ---- reading it ------------------------------------------------------------------

    def status_at(self, now: datetime.datetime | None = None) -> str:
        """The ``TimedStatus`` at ``now`` (default: the current time)."""
        if self.finished_at is not None:
            return TimedStatus.FINISHED
        if self.paused_since is not None:
            return TimedStatus.PAUSED
        if self.due_at is None:
            return TimedStatus.NORMAL
        now = now or timezone.now()
        if now > self.due_at:
            return TimedStatus.RED
        if now >= self.warning_at:
            return TimedStatus.YELLOW
        return TimedStatus.NORMAL

    @property
    def status_label(self):
        return TimedStatus(self.status_at()).label

    def remaining_working_days(self, now: datetime.datetime | None = None) -> int | None:
        """Working days left after today up to the due date (0 on the due date itself).

        Negative when overdue: minus the working days since the due date. The clock is
        read where it stopped: at ``paused_since`` while paused, at ``finished_at`` once
        finished. None before the clock starts.
        """
        if self.due_at is None:
            return None
        at = self.finished_at or self.paused_since or now or timezone.now()
        return calendar.working_days_between(at, self.due_at)

    @property
    def finished_late(self) -> bool:
        return self.finished_at is not None and self.finished_at > self.due_at

    # ---- what the inbox shows (override as needed) -----------------------------------

    def timed_title(self) -> str:
        return str(self)

    @classmethod
    def timed_module_label(cls) -> str:
        return str(cls._meta.app_config.verbose_name)

    @classmethod
    def inbox_for_user(cls, user):
        """The user's open tasks of this model, scoped, ordered by ``due_at``."""
        raise NotImplementedError(f"{cls.__name__} must implement inbox_for_user(user)")


@dataclass(frozen=True)
class InboxRow:
    """One line of the workbench inbox (待办): light enough to build for many tasks."""

    title: str
    url: str
    due_at: datetime.datetime | None
    status: str
    status_label: str
    module: str
    model: str  # "app_label.modelname"
    pk: object


def timed_task_models() -> list[type]:
    """Every registered model that mixes in ``TimedTask``."""
    return list(platform.timed_task_models)


def timed_querysets_for(user, permission: str) -> list[tuple[type, TimedTaskQuerySet]]:
    """(model, queryset) of every registered model, scoped with ``permission`` (for supervision).

    Each queryset is ``model.objects.for_user(user, permission)``; chain ``.red()``,
    ``.yellow()``, ``.status_counts()`` etc. A user without the permission gets empty sets.
    """
    return [(model, model.objects.for_user(user, permission)) for model in timed_task_models()]


def organisation_lookup(model) -> str:
    """The lookup path from ``model`` to its Organisation FK (from ``scope_fields``).

    Supervision groups tasks by department with it (``values(organisation_lookup(m))``)
    without knowing the module.
    """
    return model.scope_fields.organisation


def division_path_lookup(model) -> str:
    """The lookup path to the division path a task belongs to (its own, else its organisation's).

    The same rule as the DIVISION_AND_BELOW scope: ``scope_fields.division_path`` when the
    model names one (a ticket not yet dispatched belongs to a place), otherwise
    ``<organisation>__division_path``.
    """
    fields = model.scope_fields
    return fields.division_path or f"{fields.organisation}__division_path"


def _follow(obj, lookup: str):
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def task_organisation(task):
    """The Organisation a timed task belongs to (None when it has none yet)."""
    return _follow(task, organisation_lookup(type(task)))


def task_division_path(task) -> str:
    """The division path of a timed task ("" when it has neither place nor organisation)."""
    return _follow(task, division_path_lookup(type(task))) or ""


def timed_model_by_label(label: str):
    """The registered timed-task model named ``"app_label.modelname"``, or None."""
    for model in timed_task_models():
        if model._meta.label_lower == label.lower():
            return model
    return None


def open_tasks_for(user, *, limit: int = 50, now=None) -> list[InboxRow]:
    """The user's open timed tasks across every registered module, earliest deadline first.

    Each model contributes at most ``limit`` rows from ``inbox_for_user(user)`` (one query
    per model); the rows are merged by ``due_at`` (tasks without a deadline last).
    """
    now = now or timezone.now()
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    streams = []
    for model in timed_task_models():
        queryset = model.inbox_for_user(user).filter(finished_at__isnull=True)
        module = model.timed_module_label()
        label = model._meta.label_lower
        rows = [
            InboxRow(
                title=task.timed_title(),
                url=task.get_absolute_url(),
                due_at=task.due_at,
                status=str(task.status_at(now)),
                status_label=str(TimedStatus(task.status_at(now)).label),
                module=module,
                model=label,
                pk=task.pk,
            )
            for task in queryset[:limit]
        ]
        rows.sort(key=lambda row: row.due_at or far)
        streams.append(rows)
    return list(islice(merge(*streams, key=lambda row: row.due_at or far), limit))
