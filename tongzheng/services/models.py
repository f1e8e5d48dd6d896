"""政务服务 — the service-item catalogue (事项), applications (办件) and their approval.

Versioning choice: an item's content lives in immutable ``ItemVersion`` rows with
*normalised* child rows (``Material``, ``Stage``, ``StageTask``) rather than a JSON
snapshot. An application points at the version it was filed under, a 补正 notice points
at that version's ``Material`` rows, a department's task points at its ``StageTask``: real
foreign keys keep those references checkable and queryable ("every pending task of stage
2"), which a JSON blob cannot. Editing an item publishes a whole new version (the actions
copy the rows); a published version refuses to be saved or deleted again. The JSON form
(``catalogue.version_to_dict``) is the import/export format only.

The application's history is ``ApplicationEvent``: an append-only list of actions (who,
role, when, transaction id, from-state, to-state, note), OpenCRVS style. The stored
``Application.status`` is a cache of the last event's ``to_status``; every action checks
``from_status`` against it under a row lock, and ``replay_status`` re-derives it.
"""

import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.crypto import sm3_hex
from tongzheng.core.timed import TimedTask, TimedTaskQuerySet
from tongzheng.services.formdefs import validate_form_fields

# --- the catalogue ----------------------------------------------------------------------


class ItemType(models.TextChoices):
    """事项类型 (GB/T 39554.1)."""

    LICENSING = "01", _("行政许可")
    PAYMENT = "05", _("行政给付")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "20", _("其他行政权力")
    PUBLIC_SERVICE = "21", _("公共服务")


class ItemLevel(models.TextChoices):
    """行使层级."""

    PROVINCE = "2", _("省级")
    CITY = "3", _("市级")
    COUNTY = "4", _("县级")


class LimitUnit(models.TextChoices):
    # A unit of a time limit ("working days"), not the calendar's kind of day ("working
    # day" in core), which shares the Chinese word.
    WORKING_DAYS = "working_days", pgettext_lazy("time limit unit", "工作日")
    DAYS = "days", pgettext_lazy("time limit unit", "自然日")


class HandlingKind(models.TextChoices):
    """办件类型."""

    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")


class ResultType(models.TextChoices):
    LICENCE = "licence", _("证照")
    APPROVAL = "approval", _("批准文书")
    CERTIFICATE = "certificate", _("证明")
    OTHER = "other", _("其他")


class ServiceItem(models.Model):
    """政务服务事项 — the stable identity of an item; its content is in ``ItemVersion``."""

    implementation_code = models.CharField(_("实施编码"), max_length=64, unique=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name=_("实施主体"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    current_version = models.OneToOneField(
        "ItemVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现行版本"),
    )
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["implementation_code"]

    def __str__(self):
        version = self.current_version
        return f"{self.implementation_code} {version.name if version else ''}".strip()

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("services:item_detail", args=[self.pk])


class ItemVersion(models.Model):
    """One published, immutable version of an item's content (事项要素)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    basic_code = models.CharField(_("基本编码"), max_length=64)
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    level = models.CharField(_("行使层级"), max_length=1, choices=ItemLevel.choices)
    legal_basis = models.TextField(_("设定依据"))
    legal_limit = models.PositiveIntegerField(_("法定办结时限"))
    promised_limit = models.PositiveIntegerField(_("承诺办结时限"))
    limit_unit = models.CharField(
        _("时限单位"), max_length=12, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    handling_kind = models.CharField(_("办件类型"), max_length=10, choices=HandlingKind.choices)
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    fee_charged = models.BooleanField(_("是否收费"), default=False)
    fee_description = models.CharField(_("收费标准"), max_length=500, blank=True)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    visits_required = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    result_type = models.CharField(_("审批结果类型"), max_length=12, choices=ResultType.choices)
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    enquiry_channel = models.CharField(_("咨询方式"), max_length=300, blank=True)
    complaint_channel = models.CharField(_("监督投诉方式"), max_length=300, blank=True)
    service_location = models.CharField(
        _("办理地点"),
        max_length=300,
        blank=True,
        help_text=_("窗口的详细地址，例如某某政务服务中心二楼12号窗口。"),
    )
    service_hours = models.CharField(
        _("办理时间"),
        max_length=300,
        blank=True,
        help_text=_("窗口办公时间，例如法定工作日9:00—12:00、13:30—17:00。"),
    )
    form_fields = models.JSONField(
        _("申请表单字段"),
        default=list,
        blank=True,
        validators=[validate_form_fields],
        help_text=_(
            'JSON 数组，每项为 {"name", "label", "type", "required", "choices", "help"}；'
            "type 为 text、textarea、number、date、choice、id_number 或 phone。留空则使用通用申请内容。"
        ),
    )
    online_required = models.BooleanField(_("须网上办理"), default=False)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    change_note = models.CharField(_("修改说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="services_version_number"),
            models.CheckConstraint(
                condition=models.Q(promised_limit__lte=models.F("legal_limit")),
                name="services_promised_within_legal",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.number}）"

    def save(self, *args, **kwargs):
        # A version is immutable: applications filed under it must keep seeing what they saw.
        if not self._state.adding:
            raise ValidationError(_("已发布的事项版本不能修改，请发布新版本。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("已发布的事项版本不能删除。"))


class MaterialRequirement(models.TextChoices):
    REQUIRED = "required", _("必要")
    OPTIONAL = "optional", _("非必要")
    DEFERRABLE = "deferrable", _("容缺后补")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质和电子")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")
    OTHER = "other", _("其他")


def material_file_path(instance, filename):
    return f"services/materials/{instance.version.item_id}/{filename}"


class Material(models.Model):
    """申请材料 of one version."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("材料名称"), max_length=200)
    requirement = models.CharField(_("必要性"), max_length=10, choices=MaterialRequirement.choices)
    form = models.CharField(_("材料形式"), max_length=10, choices=MaterialForm.choices)
    source = models.CharField(_("来源渠道"), max_length=10, choices=MaterialSource.choices)
    blank_form = models.FileField(_("空白表格"), upload_to=material_file_path, blank=True)
    sample = models.FileField(_("示例样表"), upload_to=material_file_path, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="services_material_order")
        ]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """办理环节 of one version; the tasks of one stage run in parallel (并联审批)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=100)
    limit_working_days = models.PositiveIntegerField(_("环节时限（工作日）"))
    refusal_ends_stage = models.BooleanField(
        _("一个部门不同意即结束本环节"),
        default=True,
        help_text=_("不勾选时，本环节等待所有部门作出意见后再进入下一环节。"),
    )

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="services_stage_order")
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class StageTask(models.Model):
    """One department's part of a stage (并联审批的一个部门)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="tasks")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    duty = models.CharField(_("审查内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("环节部门任务")
        verbose_name_plural = _("环节部门任务")
        ordering = ["stage", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "organisation"], name="services_stagetask_department"
            )
        ]

    def __str__(self):
        return f"{self.stage.name} · {self.organisation.name}"


# --- applications -------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    SUPPLEMENT = "supplement", _("待补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    REVIEWING = "reviewing", _("审查中")
    SUSPENDED = "suspended", _("特别程序中")
    DECIDING = "deciding", _("待决定")
    APPROVED = "approved", _("准予许可")
    REFUSED = "refused", _("不予许可")
    ISSUED = "issued", _("已制证")
    CLOSED = "closed", _("已办结")


#: Final states: nothing more happens to the application.
FINAL_STATUSES = (ApplicationStatus.NOT_ACCEPTED, ApplicationStatus.CLOSED)


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")
    POST = "post", _("快递申请")


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_query_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(number: str, code: str) -> str:
    """SM3 of the number and the normalised query code (the code itself is never stored)."""
    return sm3_hex(f"{number}:{code.strip().upper()}".encode())


class ApplicationQuerySet(TimedTaskQuerySet):
    pass


class Application(TimedTask):
    """办件 — one application; its clock is the item's whole promised limit from 受理."""

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    code_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_applications",
        verbose_name=_("申请人"),
    )
    applicant_name = models.CharField(_("申请人名称"), max_length=200)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="applications", verbose_name=_("事项")
    )
    version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="applications", verbose_name=_("版本")
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="service_applications",
        verbose_name=_("实施主体"),
    )
    division_path = models.CharField(max_length=64, editable=False)
    channel = models.CharField(
        _("申请渠道"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    #: The applicant's key for "submit": a retried submission returns the first application.
    submission_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    current_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "submission_key"], name="services_submission_once"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="services_app_org_status"),
            models.Index(fields=["division_path", "status"], name="services_app_div_status"),
            models.Index(fields=["applicant", "-created_at"], name="services_app_applicant"),
            # Supervision counts open tasks of a division from the index alone (see
            # docs/timed-tasks.md, "Indexes for open tasks").
            models.Index(
                fields=["division_path", "organisation", "due_at", "warning_at", "paused_since"],
                opclasses=["varchar_pattern_ops", "", "", "", ""],
                condition=models.Q(finished_at__isnull=True),
                name="services_app_open_scope",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(finished_at__isnull=True),
                name="services_app_open_due",
            ),
        ]

    def __str__(self):
        return self.number

    def check_code(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_code(self.number, code))

    def set_code(self, code: str) -> None:
        self.code_hash = hash_code(self.number, code)

    def save(self, *args, **kwargs):
        if not self.division_path:
            self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("services:application_detail", args=[self.number])

    def timed_title(self) -> str:
        return f"{self.number} {self.version.name}"

    @classmethod
    def timed_module_label(cls) -> str:
        return str(_("政务服务"))

    @classmethod
    def inbox_for_user(cls, user):
        """Nothing: the work on an application is its ``ApplicationTask`` rows, which have
        their own inbox; listing the application too would show every case twice."""
        return cls.objects.none()

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def replay_status(self) -> str:
        """The status derived from the event list (the last event's ``to_status``)."""
        last = self.events.order_by("-sequence").values_list("to_status", flat=True).first()
        return last or ApplicationStatus.DRAFT


class TaskKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理")
    REVIEW = "review", _("审查")
    DECISION = "decision", _("决定")
    RESULT = "result", _("制证送达")


class TaskOutcome(models.TextChoices):
    PENDING = "pending", _("待办")
    APPROVED = "approved", _("同意")
    REFUSED = "refused", _("不同意")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已终止")


class ApplicationTaskQuerySet(TimedTaskQuerySet):
    pass


class ApplicationTask(TimedTask):
    """One organisation's task on an application: 受理, one department's 审查, 决定, 制证."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("任务类型"), max_length=12, choices=TaskKind.choices)
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage_task = models.ForeignKey(
        StageTask, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="service_tasks",
        verbose_name=_("办理部门"),
    )
    division_path = models.CharField(max_length=64, editable=False)
    outcome = models.CharField(
        _("办理结果"), max_length=10, choices=TaskOutcome.choices, default=TaskOutcome.PENDING
    )
    opinion = models.TextField(_("办理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApplicationTaskQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        verbose_name = _("办件任务")
        verbose_name_plural = _("办件任务")
        ordering = ["due_at", "pk"]
        indexes = [
            # The inbox: open tasks of one organisation (or a division) by deadline.
            models.Index(
                fields=["organisation", "due_at", "id"],
                condition=models.Q(finished_at__isnull=True),
                name="services_task_org_inbox",
            ),
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(finished_at__isnull=True),
                name="services_task_open_due",
            ),
            # Supervision counts open tasks of a division from the index alone (see
            # docs/timed-tasks.md, "Indexes for open tasks").
            models.Index(
                fields=["division_path", "organisation", "due_at", "warning_at", "paused_since"],
                opclasses=["varchar_pattern_ops", "", "", "", ""],
                condition=models.Q(finished_at__isnull=True),
                name="services_task_open_scope",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage_task"],
                condition=models.Q(stage_task__isnull=False),
                name="services_one_task_per_department",
            ),
        ]

    def __str__(self):
        return f"{self.application.number} · {self.get_kind_display()} · {self.organisation.name}"

    def save(self, *args, **kwargs):
        if not self.division_path:
            self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("services:application_detail", args=[self.application.number])

    def timed_title(self) -> str:
        return f"{self.application.number} {self.get_kind_display()}"

    @classmethod
    def timed_module_label(cls) -> str:
        return str(_("政务服务"))

    @classmethod
    def inbox_for_user(cls, user):
        return (
            cls.objects.for_user(user, "services.handle_application")
            .open()
            .select_related("application")
            .order_by("due_at", "pk")
        )


class SupplementNotice(models.Model):
    """一次性告知补正: every missing material at once; the clock stops until resubmission."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="supplements"
    )
    materials = models.ManyToManyField(Material, blank=True, verbose_name=_("需补正材料"))
    other_items = models.TextField(_("其他需补正内容"), blank=True)
    note = models.TextField(_("补正说明"), blank=True)
    issued_at = models.DateTimeField(_("告知时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resume_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    resubmitted_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["application", "issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(resubmitted_at__isnull=True),
                name="services_one_open_supplement",
            )
        ]

    def __str__(self):
        return f"{self.application.number} 补正"


class SpecialKind(models.TextChoices):
    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    OTHER = "other", _("其他")


class SpecialProcedure(models.Model):
    """特别程序: suspends the clock from ``started_at`` to ``ended_at``."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="special_procedures"
    )
    kind = models.CharField(_("特别程序"), max_length=16, choices=SpecialKind.choices)
    reason = models.TextField(_("理由"))
    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("结果"), blank=True)
    resume_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["application", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(ended_at__isnull=True),
                name="services_one_open_special",
            )
        ]

    def __str__(self):
        return f"{self.application.number} {self.get_kind_display()}"


def result_file_path(instance, filename):
    return f"services/results/{instance.application.number}/{filename}"


class Result(models.Model):
    """审批结果: the licence or decision document issued to the applicant (制证)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="result")
    licence_number = models.CharField(_("证照编号"), max_length=100)
    document = models.FileField(_("结果文书"), upload_to=result_file_path, blank=True)
    fee_amount = models.DecimalField(
        _("实收费用（元）"), max_digits=12, decimal_places=2, default=0
    )
    issued_at = models.DateTimeField(_("制证时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("审批结果")
        verbose_name_plural = _("审批结果")

    def __str__(self):
        return self.licence_number


class ApplicationEvent(models.Model):
    """One immutable action on an application (办件流水): the record the status comes from."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField(_("序号"))
    action = models.CharField(_("动作"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_role = models.CharField(_("操作身份"), max_length=100)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    transaction_id = models.CharField(_("事务标识"), max_length=64, null=True, blank=True)
    from_status = models.CharField(_("原状态"), max_length=16, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ApplicationStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办件流水")
        verbose_name_plural = _("办件流水")
        ordering = ["application", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "sequence"], name="services_event_sequence"
            ),
            models.UniqueConstraint(
                fields=["application", "transaction_id"],
                condition=models.Q(transaction_id__isnull=False),
                name="services_event_transaction",
            ),
        ]

    def __str__(self):
        return f"{self.application_id}#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("办件流水不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("办件流水不能删除。"))


def upload_path(instance, filename):
    return f"services/uploads/{instance.application.number}/{filename}"


class ApplicationFile(models.Model):
    """A file the applicant submitted for one material (checked by ``uploads.check_upload``)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("文件"), upload_to=upload_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请文件")
        verbose_name_plural = _("申请文件")
        ordering = ["application", "material", "pk"]

    def __str__(self):
        return self.original_name
