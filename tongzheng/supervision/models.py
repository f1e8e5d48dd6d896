"""电子监察 (electronic supervision), 好差评 (service ratings) and their follow-up.

Supervision never holds a foreign key to a sibling app: the thing a warning, a rating or
an urge is about (an application, a ticket …) is stored as its model label, its primary
key, a display string and its division path (``SubjectMixin``). The organisation it
belongs to is a real FK, because organisations are the platform floor.

- ``SystemWarning`` (预警): raised by a module through ``supervision.public.raise_warning``.
- ``Rating`` (好差评): five levels; the two bad ones open a ``Rectification``.
- ``Rectification`` (差评整改): a timed task (15 working days by default) the department
  answers; the rater then re-rates (a ``Rating`` with ``rerating_of``).
- ``Appeal`` (申诉): the department disputes a bad rating; a supervisor decides.
- ``Urge`` (催办 / 督办): a supervisor, a module's staff or the system presses on a task of
  any module (``supervision.public.urge``).
- ``DailySnapshot``: one day's counts per module and division, for the trend chart only —
  the live red/yellow status is always derived from the clock when read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.timed import TimedTask, TimedTaskQuerySet

RECTIFY_RATING = "supervision.rectify_rating"


class SubjectMixin(models.Model):
    """What a row is about, without an FK into another app (content type label + pk)."""

    subject_type = models.CharField(_("对象类型"), max_length=100)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    subject_repr = models.CharField(_("对象"), max_length=200)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    # The subject's division path ("510000/510100/"), so scope and roll-ups need no join.
    division_path = models.CharField(max_length=64, db_index=True, blank=True)

    class Meta:
        abstract = True


class SystemWarning(SubjectMixin):
    """预警 — a rule broken by a task, raised by the module that saw it (kind: see kinds.py)."""

    kind = models.CharField(_("预警类型"), max_length=64, db_index=True)
    detail = models.TextField(_("说明"), blank=True)
    raised_at = models.DateTimeField(_("发生时间"), db_index=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_repr}"


class RatingLevel(models.IntegerChoices):
    """好差评 levels (GB/T 39734 / 39735): the last two are bad ratings (差评)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class Rating(SubjectMixin):
    """好差评 — one rating of one service by the person served.

    ``indicators`` holds the online indicators (key → level 1–5, see ``kinds.INDICATORS``).
    A re-rating after rectification points at the bad rating it follows (``rerating_of``).
    ``excluded`` is set when an appeal against the rating is upheld: it no longer counts.
    """

    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    indicators = models.JSONField(_("评价指标"), default=dict, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价人"),
    )
    rated_at = models.DateTimeField(_("评价时间"), db_index=True)
    rerating_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rerating",
        verbose_name=_("整改后复评的原评价"),
    )
    excluded = models.BooleanField(_("申诉成立，不计入"), default=False)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
            # One first rating per subject; later ones are re-ratings of a bad rating.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(rerating_of__isnull=True),
                name="one_first_rating_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_repr} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    APPEALED = "appealed", _("申诉中")
    ANSWERED = "answered", _("已整改待复评")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("申诉成立")


class RectificationQuerySet(TimedTaskQuerySet):
    pass


class Rectification(TimedTask):
    """差评整改 — a bad rating the department must rectify and answer within the limit.

    The clock starts when the bad rating is recorded (15 working days unless
    ``SUPERVISION_RECTIFICATION_LIMIT_WORKING_DAYS`` says otherwise); it stops while an
    appeal is under review and finishes with the department's answer (整改答复).
    """

    DEFAULT_LIMIT_WORKING_DAYS = 15

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("差评")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    answer = models.TextField(_("整改情况"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RectificationQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            # The dashboard's counts of the open rectifications from the index alone, and
            # its lists in deadline order (see docs/supervision.md, "How it stays fast").
            models.Index(
                fields=["division_path", "organisation", "due_at", "warning_at", "paused_since"],
                opclasses=["varchar_pattern_ops", "", "", "", ""],
                condition=models.Q(finished_at__isnull=True),
                name="supervision_rect_open_scope",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(finished_at__isnull=True),
                name="supervision_rect_open_due",
            ),
        ]

    def __str__(self) -> str:
        return str(_("差评整改：%(subject)s") % {"subject": self.rating.subject_repr})

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("supervision:rectification_detail", args=[self.pk])

    def timed_title(self) -> str:
        return str(self)

    @classmethod
    def timed_module_label(cls) -> str:
        return str(_("好差评整改"))

    @classmethod
    def inbox_for_user(cls, user):
        return (
            cls.objects.for_user(user, RECTIFY_RATING)
            .open()
            .select_related("rating")  # the title names the rated subject
            .order_by("due_at")
        )


class AppealDecision(models.TextChoices):
    PENDING = "pending", _("待审核")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")


class Appeal(models.Model):
    """申诉 — the department disputes a bad rating; a supervisor upholds or rejects it."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("差评整改")
    )
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申诉人"),
    )
    filed_at = models.DateTimeField(_("申诉时间"))
    decision = models.CharField(
        _("审核结果"),
        max_length=10,
        choices=AppealDecision.choices,
        default=AppealDecision.PENDING,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(
        organisation="rectification__organisation",
        division_path="rectification__division_path",
    )

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        constraints = [
            models.UniqueConstraint(
                fields=["rectification"],
                condition=Q(decision="pending"),
                name="one_pending_appeal_per_rectification",
            )
        ]

    def __str__(self) -> str:
        return str(_("申诉：%(subject)s") % {"subject": self.rectification.rating.subject_repr})


class UrgeLevel(models.TextChoices):
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")


class Urge(models.Model):
    """催办 / 督办 — someone presses on a task of any module: the record of truth.

    Written by ``supervision.public.urge`` only: from the dashboard (a supervisor presses a
    red or yellow task) or by the module that owns the task (the hotline centre's 催办 /
    督办 of a ticket, and its automatic daily 催办 of an overdue ticket: ``urged_by`` None,
    the system). A module that keeps a history of its own (the ticket's ``TicketUpdate``)
    copies the urge into it in the same transaction; that copy is a view of this row.
    """

    level = models.CharField(_("方式"), max_length=10, choices=UrgeLevel.choices)
    task_type = models.CharField(_("任务类型"), max_length=100)
    task_id = models.CharField(_("任务编号"), max_length=64)
    task_repr = models.CharField(_("任务"), max_length=200)
    task_status = models.CharField(_("催办时状态"), max_length=8)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    division_path = models.CharField(max_length=64, db_index=True)
    message = models.TextField(_("催办意见"), blank=True)
    # None: the system (a module's automatic 催办, e.g. an overdue ticket each working day).
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("催办人"),
    )
    urged_at = models.DateTimeField(_("催办时间"), db_index=True)
    notified = models.PositiveIntegerField(_("通知人数"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        ordering = ["-urged_at", "-id"]
        verbose_name = _("催办督办")
        verbose_name_plural = _("催办督办")
        indexes = [models.Index(fields=["task_type", "task_id"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.task_repr}"


class DailySnapshot(models.Model):
    """One day's clock counts of one module in one division (for the trend chart only).

    Filled each night by the ``take_daily_snapshot`` task and backfilled for past days
    from the tasks' start, due and finish times (see ``snapshots.py``).
    """

    day = models.DateField(_("日期"), db_index=True)
    task_type = models.CharField(_("任务类型"), max_length=100)
    division_path = models.CharField(max_length=64)
    open_count = models.PositiveIntegerField(_("在办"), default=0)
    red_count = models.PositiveIntegerField(_("红牌"), default=0)
    yellow_count = models.PositiveIntegerField(_("黄牌"), default=0)
    started_count = models.PositiveIntegerField(_("当日开始"), default=0)
    finished_count = models.PositiveIntegerField(_("当日办结"), default=0)
    finished_late_count = models.PositiveIntegerField(_("当日超期办结"), default=0)
    backfilled = models.BooleanField(_("回填"), default=False)

    class Meta:
        ordering = ["day", "task_type", "division_path"]
        verbose_name = _("监察日统计")
        verbose_name_plural = _("监察日统计")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "task_type", "division_path"], name="one_snapshot_per_day"
            )
        ]
        indexes = [models.Index(fields=["division_path", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.task_type} {self.division_path}"


class OpenTaskCount(models.Model):
    """在办计数: how many open tasks of one model share one clock, kept by triggers.

    One row per (model, organisation, own division path, due_at, warning_at, paused);
    see ``open_counts.py``. The dashboard derives red / yellow / normal from ``due_at``
    and ``warning_at`` when it reads these rows, exactly as it would from the tasks.
    Never written by Python code: only the triggers and ``open_counts.install`` write it.
    """

    model = models.CharField(max_length=100)  # "services.application"
    # No constraint: the tasks' own foreign keys guard the organisation.
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # The task's own division path; "" for a model scoped through its organisation.
    division_path = models.CharField(max_length=64, blank=True)
    due_at = models.DateTimeField()
    warning_at = models.DateTimeField(null=True)
    paused = models.BooleanField()
    tasks = models.BigIntegerField()

    class Meta:
        verbose_name = _("在办计数")
        verbose_name_plural = _("在办计数")
        # The unique key (with COALESCE expressions) is created by open_counts.install.
        # SQLite also keeps a partial index on tasks = 0 (migrations 0004 and 0005), which
        # PostgreSQL dropped so that a count's update can stay in its page (HOT).

    def __str__(self) -> str:
        return f"{self.model} {self.organisation_id} {self.due_at}: {self.tasks}"
