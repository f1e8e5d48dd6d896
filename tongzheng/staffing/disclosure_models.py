"""实名制公示 — a unit's public disclosure, published only after the staffing office reviews it.

The public page reads only ``snapshot``: the public fields frozen at publication time
(unit name, level, main duties, internal departments, approved establishment by type,
and each serving person's name, gender, post and establishment type). It never queries
the personnel tables and never holds ID numbers, birth dates or document numbers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields

__all__ = ["DisclosurePublication", "DisclosureStatus"]


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class DisclosurePublication(models.Model):
    """One disclosure of one unit: submitted by the unit, reviewed by the staffing office."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("单位"),
    )
    division_path = models.CharField(max_length=64, db_index=True, editable=False)
    unit_name = models.CharField(_("单位名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=DisclosureStatus.choices, default=DisclosureStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reasons = models.TextField(_("退回理由"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    snapshot = models.JSONField(_("公示内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", owner="submitted_by")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("实名制公示")
        verbose_name_plural = _("实名制公示")
        indexes = [
            models.Index(fields=["organisation", "status"], name="staffing_discl_org_status")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status="published"),
                name="staffing_one_published_disclosure",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["draft", "submitted"]),
                name="staffing_one_open_disclosure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.get_status_display()}"

    def save(self, *args, **kwargs):
        self.division_path = self.organisation.division_path
        super().save(*args, **kwargs)
