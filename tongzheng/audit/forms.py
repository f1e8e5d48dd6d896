from django import forms
from django.utils.translation import gettext_lazy as _

from tongzheng.audit.models import Outcome


class EventFilterForm(forms.Form):
    """审计日志筛选: time range (local dates, inclusive), actor, action, outcome, object."""

    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(
        label=_("操作"),
        required=False,
        max_length=80,
        help_text=_("按前缀匹配，例如 audit. 或 accounts.login"),
    )
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *Outcome.choices]
    )
    object = forms.CharField(
        label=_("对象"), required=False, max_length=200, help_text=_("对象名称、类型或标识")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return cleaned
