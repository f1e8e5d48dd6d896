"""派单建议模型: the trained dispatch classifier, one row per training run.

The newest row is the one in use (``hotline.classifier.suggest``); older rows are kept
for comparison until the next training run prunes them. The parameters are the token
counts of a multinomial naive Bayes model (see ``hotline.classifier``), stored as JSON so
that every app server reads the same model from the database.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatchClassifier(models.Model):
    """派单建议模型 — token counts per handling organisation, learned from past dispatches."""

    trained_at = models.DateTimeField(_("训练时间"), auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("训练人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    examples = models.PositiveIntegerField(_("训练工单数"))
    organisations = models.PositiveIntegerField(_("承办单位数"))
    vocabulary = models.PositiveIntegerField(_("词表大小"))
    # {"alpha": float, "docs": {org_id: n}, "totals": {org_id: tokens},
    #  "counts": {token: {org_id: n}}} — organisation ids as strings (JSON object keys).
    parameters = models.JSONField(_("模型参数"))

    class Meta:
        verbose_name = _("派单建议模型")
        verbose_name_plural = _("派单建议模型")
        ordering = ["-trained_at", "-id"]

    def __str__(self):
        return f"{self.trained_at:%Y-%m-%d %H:%M} ({self.examples})"
