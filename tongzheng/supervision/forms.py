from django import forms
from django.utils.translation import gettext_lazy as _

from tongzheng.supervision.models import UrgeLevel


def add_errors(form, exc) -> None:
    """Put a ValidationError raised by an action on the form (non-field errors)."""
    for message in exc.messages:
        form.add_error(None, message)


class UrgeForm(forms.Form):
    task_type = forms.CharField(widget=forms.HiddenInput, max_length=100)
    task_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    level = forms.ChoiceField(label=_("方式"), choices=UrgeLevel.choices, initial=UrgeLevel.URGE)
    message = forms.CharField(
        label=_("催办意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("整改情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("upheld", _("申诉成立")), ("rejected", _("申诉不成立"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
    )
