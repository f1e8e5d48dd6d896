"""机构编制实名制 — establishment types, the quota ledger and real-name personnel.

Data standard: GB/T 34981-2017. The approved quota (核定数) of a unit for a type is never
stored: it is the sum of the quota ledger (编制台账), ``increase - decrease``. Occupied
(实有数) is the number of serving personnel holding that type in that unit.

Every row carries ``division_path`` copied from its organisation so that roll-ups by
division are one indexed prefix filter without a join.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.fields import SealedValue
from tongzheng.core.timed import TimedTask, TimedTaskQuerySet


class EstablishmentType(models.Model):
    """编制类型 — 行政编制, 政法专项编制, 事业编制 (by 经费形式), 工勤编制, and others configured."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("编制类型")
        verbose_name_plural = _("编制类型")

    def __str__(self) -> str:
        return self.name


class EnteredRecord(models.Model):
    """A record someone entered (录入): who and when, scoped by its organisation."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    scope_fields = ScopeFields(organisation="organisation", owner="created_by")

    class Meta:
        abstract = True


class LedgerEntry(EnteredRecord):
    """A ledger line (台账): dated, reasoned, citing its 批准文号, and never edited in place.

    Concrete ledgers add what they count (``increase`` / ``decrease``) and of what.
    """

    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("事由"), max_length=200)
    approval_document = models.CharField(_("批准文号"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.reason} +{self.increase} -{self.decrease}"

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)


class QuotaLedgerQuerySet(ScopedQuerySet):
    def approved_totals(self):
        """核定数 per (organisation, establishment type): ``sum(increase - decrease)``."""
        return (
            self.order_by()
            .values("organisation_id", "establishment_type_id")
            .annotate(approved=Sum(F("increase") - F("decrease")), controlled=Sum("control"))
        )


class QuotaLedgerEntry(LedgerEntry):
    """编制台账 — one change of a unit's establishment of one type; never edited in place."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="quota_entries",
        verbose_name=_("单位"),
    )
    establishment_type = models.ForeignKey(
        EstablishmentType,
        on_delete=models.PROTECT,
        related_name="quota_entries",
        verbose_name=_("编制类型"),
    )
    increase = models.PositiveIntegerField(_("增编数"), default=0)
    decrease = models.PositiveIntegerField(_("减编数"), default=0)
    # 控编数: vacant slots the office holds back (冻结) without cutting the approved number;
    # positive controls, negative releases. The unit's controlled total is the sum.
    control = models.IntegerField(
        _("控编数"),
        default=0,
        db_default=0,
        help_text=_("正数为控制使用的空编数，负数为解除控制。"),
    )

    objects = QuotaLedgerQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "establishment_type_id", "date", "id"]
        verbose_name = _("编制台账")
        verbose_name_plural = _("编制台账")
        indexes = [models.Index(fields=["organisation", "establishment_type"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(increase__gt=0) | Q(decrease__gt=0) | ~Q(control=0),
                name="quota_entry_changes_something",
            ),
        ]


class Gender(models.TextChoices):
    """性别, GB/T 2261.1 codes."""

    MALE = "1", _("男")
    FEMALE = "2", _("女")


class LeadershipPost(models.TextChoices):
    """职务层次 — the leadership posts (领导职数) a person holds, or none."""

    UNIT_HEAD = "unit_head", _("单位正职")
    UNIT_DEPUTY = "unit_deputy", _("单位副职")
    DEPARTMENT_HEAD = "department_head", _("内设机构正职")
    DEPARTMENT_DEPUTY = "department_deputy", _("内设机构副职")
    NONE = "none", _("非领导职务")


class PersonStatus(models.TextChoices):
    SERVING = "serving", _("在职")
    RETIRED = "retired", _("离退")
    HISTORY = "history", _("历史")


class PersonQuerySet(ScopedQuerySet):
    def serving(self):
        return self.filter(status=PersonStatus.SERVING)

    def occupying(self):
        """Serving personnel who hold an establishment slot (编内): they count as 实有数."""
        return self.serving().filter(establishment_type__isnull=False)


class Person(models.Model):
    """实名人员 — one person in one unit, holding one establishment slot or none (编外)."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="personnel",
        verbose_name=_("单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    # Adds id_number_sealed (SM4-GCM) and id_number_index (HMAC-SM3 blind index).
    id_number = SealedValue(_("身份证号码"))
    establishment_type = models.ForeignKey(
        EstablishmentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personnel",
        verbose_name=_("占用编制类型"),
        help_text=_("为空表示编外人员。"),
    )
    post = models.CharField(
        _("领导职务"), max_length=20, choices=LeadershipPost.choices, default=LeadershipPost.NONE
    )
    status = models.CharField(
        _("人员状态"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.SERVING
    )
    entered_at = models.DateField(_("入编时间"), null=True, blank=True)
    work_start_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    job_title = models.CharField(
        _("职务（岗位）名称"), max_length=100, blank=True, default="", db_default=""
    )
    education = models.CharField(_("学历"), max_length=50, blank=True, default="", db_default="")
    phone = models.CharField(_("办公电话"), max_length=30, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation")

    class Meta:
        ordering = ["organisation_id", "id"]
        verbose_name = _("实名人员")
        verbose_name_plural = _("实名人员")
        constraints = [
            # One person is serving or retired in at most one place; history rows may repeat.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(status="history") & ~Q(id_number_index=""),
                name="person_unique_active_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    @property
    def is_outside_establishment(self) -> bool:
        """编外: holds no establishment slot."""
        return self.establishment_type_id is None


# --- Units: 三定, leadership posts, history -------------------------------------------


class FundingForm(models.TextChoices):
    """经费形式 of a public institution (事业单位)."""

    FULL = "full", _("全额拨款")
    PARTIAL = "partial", _("差额补贴")
    SELF = "self", _("自收自支")


class InstitutionCategory(models.TextChoices):
    """事业单位类别 (分类改革)."""

    ADMINISTRATIVE = "administrative", _("承担行政职能")
    PUBLIC_WELFARE_1 = "welfare_1", _("公益一类")
    PUBLIC_WELFARE_2 = "welfare_2", _("公益二类")
    COMMERCIAL = "commercial", _("生产经营类")
    UNCLASSIFIED = "unclassified", _("暂未分类")


class UnitProfile(models.Model):
    """三定 of one unit: main duties, 经费形式, 事业单位类别, the approving document.

    Kept beside ``core.Organisation`` (another app) and keyed by it; a unit without a
    profile simply has none recorded yet.
    """

    organisation = models.OneToOneField(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="staffing_profile",
        verbose_name=_("单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    main_duties = models.TextField(_("主要职责"), blank=True)
    funding_form = models.CharField(
        _("经费形式"), max_length=10, choices=FundingForm.choices, blank=True
    )
    institution_category = models.CharField(
        _("事业单位类别"), max_length=16, choices=InstitutionCategory.choices, blank=True
    )
    approval_document = models.CharField(_("批准文号"), max_length=100, blank=True)
    approval_date = models.DateField(_("批准日期"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改人"),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation")

    class Meta:
        verbose_name = _("三定信息")
        verbose_name_plural = _("三定信息")

    def __str__(self) -> str:
        return str(self.organisation)

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)


class UnitHistoryEntry(EnteredRecord):
    """历史沿革 — one event in a unit's history (设立, 更名, 合并, 职责调整 …)."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="staffing_history",
        verbose_name=_("单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    date = models.DateField(_("日期"))
    event = models.CharField(_("沿革事项"), max_length=300)
    approval_document = models.CharField(_("批准文号"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "date", "id"]
        verbose_name = _("历史沿革")
        verbose_name_plural = _("历史沿革")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.event}"

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)


#: The leadership posts that have quotas (领导职数): every LeadershipPost but NONE.
QUOTA_POSTS = [
    (value, label) for value, label in LeadershipPost.choices if value != LeadershipPost.NONE
]


class PostLedgerQuerySet(ScopedQuerySet):
    def approved_totals(self):
        """核定职数 per (organisation, post): ``sum(increase - decrease)``."""
        return (
            self.order_by()
            .values("organisation_id", "post")
            .annotate(approved=Sum(F("increase") - F("decrease")))
        )


class PostLedgerEntry(LedgerEntry):
    """职数台账 — one change of a unit's leadership posts of one kind; never edited in place."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="post_entries",
        verbose_name=_("单位"),
    )
    post = models.CharField(_("职数类别"), max_length=20, choices=QUOTA_POSTS)
    increase = models.PositiveIntegerField(_("增加职数"), default=0)
    decrease = models.PositiveIntegerField(_("核减职数"), default=0)

    objects = PostLedgerQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "post", "date", "id"]
        verbose_name = _("职数台账")
        verbose_name_plural = _("职数台账")
        indexes = [models.Index(fields=["organisation", "post"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(increase__gt=0) | Q(decrease__gt=0),
                name="post_entry_changes_something",
            ),
        ]


# --- Movements (人员变动) ----------------------------------------------------------------


class MovementKind(models.TextChoices):
    ENTER = "enter", _("入编")
    LEAVE = "leave", _("出编")
    TRANSFER = "transfer", _("内部调动")
    PROMOTE = "promote", _("职务任免")


class EntryMethod(models.TextChoices):
    """入编方式."""

    RECRUITMENT = "recruitment", _("招录招聘")
    TRANSFER_IN = "transfer_in", _("调入")
    MILITARY_TRANSFER = "military_transfer", _("军转安置")


class LeaveMethod(models.TextChoices):
    """出编方式."""

    TRANSFER_OUT = "transfer_out", _("调出")
    RETIREMENT = "retirement", _("退休")
    RESIGNATION = "resignation", _("辞职辞退")
    DEATH = "death", _("死亡")


class Movement(EnteredRecord):
    """人员变动记录 — one movement of one person, written by the movement actions.

    ``date`` is when the change took effect, ``created_at`` when it was entered: the gap is
    what supervision checks (changes not entered within 10 working days).
    """

    person = models.ForeignKey(
        "Person", on_delete=models.PROTECT, related_name="movements", verbose_name=_("人员")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="staffing_movements",
        verbose_name=_("单位"),
    )
    from_organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("调出单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    kind = models.CharField(_("变动类型"), max_length=10, choices=MovementKind.choices)
    method = models.CharField(_("变动方式"), max_length=20, blank=True)
    establishment_type = models.ForeignKey(
        EstablishmentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("编制类型"),
    )
    post = models.CharField(_("领导职务"), max_length=20, blank=True)
    notice = models.ForeignKey(
        "QuotaUseNotice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("控编通知单"),
    )
    date = models.DateField(_("变动日期"))
    document = models.CharField(_("依据文号"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("人员变动")
        verbose_name_plural = _("人员变动")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date.isoformat()}"

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)


# --- Quota-use approval (用编审批) --------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已核准")
    REFUSED = "refused", _("未核准")


class QuotaUseApplicationQuerySet(TimedTaskQuerySet):
    pass


class QuotaUseApplication(TimedTask):
    """用编申请 — a unit asks to use N slots of one type; the staffing office reviews it.

    The review is a timed task (限时任务): the clock starts on submission and runs
    ``REVIEW_LIMIT_WORKING_DAYS`` working days.
    """

    REVIEW_LIMIT_WORKING_DAYS = 10

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="quota_use_applications",
        verbose_name=_("申请单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    establishment_type = models.ForeignKey(
        EstablishmentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制类型")
    )
    slots = models.PositiveIntegerField(_("申请用编数"))
    reason = models.TextField(_("用编事由"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    refusal_reasons = models.TextField(_("不予核准理由"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = QuotaUseApplicationQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", owner="applicant")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("用编申请")
        verbose_name_plural = _("用编申请")
        constraints = [
            models.CheckConstraint(condition=Q(slots__gt=0), name="application_slots_positive"),
        ]
        indexes = [
            # Supervision dashboard (电子监察): the open applications in deadline order for
            # the red / yellow lists, and their clock counts from the index alone.
            models.Index(
                fields=["due_at", "warning_at", "paused_since", "organisation"],
                condition=Q(finished_at__isnull=True),
                name="staffing_quotaapp_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.establishment_type} {self.slots}"

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("staffing:application_detail", args=[self.pk])

    def timed_title(self) -> str:
        return str(
            _("用编申请：%(unit)s %(type)s %(slots)d 名")
            % {
                "unit": self.organisation.name,
                "type": self.establishment_type.name,
                "slots": self.slots,
            }
        )

    @classmethod
    def inbox_for_user(cls, user):
        """Submitted applications the user may review, earliest deadline first."""
        return (
            cls.objects.for_user(user, REVIEW_QUOTA_USE)
            .filter(status=ApplicationStatus.SUBMITTED)
            .select_related("organisation", "establishment_type")
            .order_by("due_at", "id")
        )


REVIEW_QUOTA_USE = "staffing.review_quota_use"


class NoticeCounter(models.Model):
    """The per-year sequence of 控编通知单 numbers of one issuing office (prefix)."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="notice_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last_number}"


class QuotaUseNoticeQuerySet(ScopedQuerySet):
    def valid(self, on=None):
        """Unexpired notices with slots left (their unused slots are promised)."""
        on = on or timezone.localdate()
        return self.filter(valid_until__gte=on, slots_used__lt=F("slots"))


class QuotaUseNotice(models.Model):
    """控编通知单 (核准使用编制通知单) — issued when an application is approved.

    Its unused slots count as promised until used by 入编 (recruitment) or until it expires.
    """

    number = models.CharField(_("通知单编号"), max_length=40, unique=True)
    application = models.OneToOneField(
        QuotaUseApplication,
        on_delete=models.PROTECT,
        related_name="notice",
        verbose_name=_("用编申请"),
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="quota_use_notices",
        verbose_name=_("用编单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    establishment_type = models.ForeignKey(
        EstablishmentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制类型")
    )
    slots = models.PositiveIntegerField(_("核准用编数"))
    slots_used = models.PositiveIntegerField(_("已使用"), default=0)
    valid_until = models.DateField(_("有效期至"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)

    objects = QuotaUseNoticeQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", owner="issued_by")

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("控编通知单")
        verbose_name_plural = _("控编通知单")
        indexes = [models.Index(fields=["organisation", "establishment_type", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(slots_used__lte=F("slots")), name="notice_slots_used_within"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("staffing:notice_detail", args=[self.pk])

    @property
    def slots_left(self) -> int:
        return self.slots - self.slots_used

    def is_valid_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.valid_until >= day and self.slots_left > 0


from tongzheng.staffing.disclosure_models import *  # noqa: E402, F403 - 实名制公示 (engineer B)
from tongzheng.staffing.statistics_models import *  # noqa: E402, F403 - statistics aggregates (engineer B)
