"""The audit trail: append-only, SM3 hash-chained events (等保 level 3).

The database itself refuses UPDATE and DELETE of events (see ``tongzheng.audit.guard``);
only events older than the retention period in ``Retention`` may be deleted, oldest
first, and only ``tongzheng audit purge`` does so.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields

# 网络安全法: logs are kept at least six months.
MINIMUM_RETENTION_DAYS = 184


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")


class AuditEvent(models.Model):
    """审计记录 — one event; ``digest`` = SM3(previous digest + this record's canonical form)."""

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    # The acting user's organisation at the time; no database constraint, so the trail
    # outlives the organisation. Its column is ``organisation_id``, which the chain hashes.
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    organisation_name = models.CharField(_("机构"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)
    source_address = models.CharField(_("来源地址"), max_length=45, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    previous_digest = models.CharField(_("前一摘要"), max_length=64)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", owner="actor")

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["organisation"], name="audit_event_organisation_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"


class Retention(models.Model):
    """审计保存期限 — the single row (id 1) the DELETE trigger reads; it may only grow."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    days = models.PositiveIntegerField(_("保存天数"))
    changed_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        db_table = "audit_retention"
        verbose_name = _("审计保存期限")
        verbose_name_plural = _("审计保存期限")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_retention_single_row"),
            models.CheckConstraint(
                condition=models.Q(days__gte=MINIMUM_RETENTION_DAYS),
                name="audit_retention_minimum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days}"
