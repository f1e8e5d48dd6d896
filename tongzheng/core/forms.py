"""Forms of the core app."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CalendarOverrideForm(forms.Form):
    """One administrator's ruling on a date (工作日调整)."""

    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写日期。"), "invalid": _("请输入有效的日期。")},
    )
    is_working_day = forms.TypedChoiceField(
        label=_("调整为"),
        choices=[("1", _("工作日（如调休上班）")), ("0", _("休息日（如法定节假日）"))],
        coerce=lambda value: value == "1",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择调整为工作日还是休息日。")},
    )
    reason = forms.CharField(
        label=_("依据"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"),
        error_messages={"required": _("请填写调整依据。")},
    )


def parse_year(value: str | None, default: int) -> int | None:
    """The year asked for in the query string, ``default`` when absent, None when invalid."""
    if value in (None, ""):
        return default
    if not value.isdigit() or not 1900 <= int(value) <= 2200:
        return None
    return int(value)
