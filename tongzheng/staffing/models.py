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
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.fields import SealedValue


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


class QuotaLedgerQuerySet(ScopedQuerySet):
    def approved_totals(self):
        """核定数 per (organisation, establishment type): ``sum(increase - decrease)``."""
        return (
            self.order_by()
            .values("organisation_id", "establishment_type_id")
            .annotate(approved=Sum(F("increase") - F("decrease")))
        )


class QuotaLedgerEntry(models.Model):
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
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    date = models.DateField(_("日期"))
    reason = models.CharField(_("事由"), max_length=200)
    approval_document = models.CharField(_("批准文号"), max_length=100, blank=True)
    increase = models.PositiveIntegerField(_("增编数"), default=0)
    decrease = models.PositiveIntegerField(_("减编数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = QuotaLedgerQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", owner="created_by")

    class Meta:
        ordering = ["organisation_id", "establishment_type_id", "date", "id"]
        verbose_name = _("编制台账")
        verbose_name_plural = _("编制台账")
        indexes = [models.Index(fields=["organisation", "establishment_type"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(increase__gt=0) | Q(decrease__gt=0),
                name="quota_entry_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.reason} +{self.increase} -{self.decrease}"

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)


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
