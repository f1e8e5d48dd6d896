"""Divisions (GB/T 2260) and the organisation tree.

Both trees carry a materialised path so that "everything under X" is one indexed
``path LIKE 'X%'`` query at any depth.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.validators import validate_uscc


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")


class Division(models.Model):
    """行政区划 — an administrative division with its GB/T 2260 code."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # "510000/510100/510104/": the codes from the province down, each followed by "/".
    path = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    def subtree(self):
        """This division and everything under it: one indexed prefix query."""
        return Division.objects.filter(path__startswith=self.path)


class OrganisationKind(models.TextChoices):
    PARTY_GOVERNMENT = "party_government", _("党政机关")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    MASS_ORGANISATION = "mass_organisation", _("群团机关")
    INTERNAL_DEPARTMENT = "internal_department", _("内设机构")


class Subordination(models.TextChoices):
    """隶属关系, GB/T 12404."""

    CENTRAL = "10", _("中央")
    PROVINCE = "20", _("省")
    CITY = "40", _("市、地区")
    COUNTY = "50", _("县")
    TOWNSHIP = "60", _("街道、镇、乡")
    COMMUNITY = "70", _("居民、村民委员会")
    OTHER = "90", _("其他")


class Rank(models.TextChoices):
    """机构级别."""

    BUREAU = "zt", _("正厅级")
    DEPUTY_BUREAU = "ft", _("副厅级")
    DIVISION = "zc", _("正处级")
    DEPUTY_DIVISION = "fc", _("副处级")
    SECTION = "zk", _("正科级")
    DEPUTY_SECTION = "fk", _("副科级")
    UNIT = "zg", _("正股级")
    DEPUTY_UNIT = "fg", _("副股级")
    UNRANKED = "wd", _("未定级")


class OrganisationCategory(models.TextChoices):
    """机构类别 / 性质."""

    PARTY = "party", _("党委")
    CONGRESS = "congress", _("人大")
    GOVERNMENT = "government", _("政府")
    CPPCC = "cppcc", _("政协")
    COURT = "court", _("法院")
    PROCURATORATE = "procuratorate", _("检察院")
    MASS = "mass", _("群团")
    INSTITUTION = "institution", _("事业单位")


class Organisation(models.Model):
    """机构 — a unit (党政机关, 事业单位, 群团) or an internal department (内设机构)."""

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(_("机构类型"), max_length=24, choices=OrganisationKind.choices)
    category = models.CharField(_("机构类别"), max_length=16, choices=OrganisationCategory.choices)
    rank = models.CharField(
        _("机构级别"), max_length=2, choices=Rank.choices, default=Rank.UNRANKED
    )
    subordination = models.CharField(_("隶属关系"), max_length=2, choices=Subordination.choices)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_uscc],
    )
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("行政区划")
    )
    # Copied from the division on save so that scope filters need no join.
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级机构"),
    )
    # "12/345/": ids from the root unit down, each followed by "/"; set after the id exists.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="")

    class Meta:
        ordering = ["path"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="internal_department") | models.Q(parent__isnull=False),
                name="internal_department_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.division_path = self.division.path
        super().save(*args, **kwargs)
        path = (self.parent.path if self.parent else "") + f"{self.pk}/"
        if path != self.path:
            self.path = path
            Organisation.objects.filter(pk=self.pk).update(path=path)

    def clean(self):
        if self.kind == OrganisationKind.INTERNAL_DEPARTMENT and self.parent_id is None:
            raise ValidationError({"parent": _("内设机构必须有上级机构。")})

    def subtree(self):
        """This organisation and everything under it: one indexed prefix query."""
        return Organisation.objects.filter(path__startswith=self.path)


class CalendarOverride(models.Model):
    """工作日调整 — an administrator's ruling on one date, winning over the holiday package.

    Used for years the package (chinesecalendar) does not know yet, and to correct it.
    Write through ``tongzheng.core.actions``; the calendar service caches each year's
    working days and drops the cache when an override changes.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    reason = models.CharField(_("依据"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        kind = _("工作日") if self.is_working_day else _("休息日")
        return f"{self.date.isoformat()} {kind}"


class NotificationChannel(models.TextChoices):
    SITE = "site", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class NotificationStatus(models.TextChoices):
    """Delivery states, after GOV.UK Notify."""

    CREATED = "created", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    TEMPORARY_FAILURE = "temporary_failure", _("暂时失败")
    PERMANENT_FAILURE = "permanent_failure", _("永久失败")


class Notification(models.Model):
    """通知 — one message to one recipient on one channel: the outbox row.

    Written by ``tongzheng.core.notifications.notify`` in the same transaction as the change
    it announces and delivered afterwards by a background task with retries. The address
    (e-mail or mobile number) is personal data: stored sealed (SM4-GCM), shown masked.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    address_sealed = models.TextField(_("接收地址（加密）"), blank=True, default="")
    address_masked = models.CharField(_("接收地址"), max_length=64, blank=True, default="")
    channel = models.CharField(_("渠道"), max_length=8, choices=NotificationChannel.choices)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=NotificationStatus.choices,
        default=NotificationStatus.CREATED,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    last_error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    about_type = models.CharField(_("相关对象类型"), max_length=100, blank=True)
    about_id = models.CharField(_("相关对象标识"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"], name="core_notif_inbox"),
            models.Index(fields=["status", "next_attempt_at"], name="core_notif_due"),
        ]

    def __str__(self) -> str:
        return self.subject
