"""Forms of the organisation pages (机构). They only collect input; actions validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongzheng.core.models import (
    Division,
    OrganisationCategory,
    OrganisationKind,
    Rank,
    Subordination,
)


def _select(choices, label, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=[("", _("请选择")), *choices.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请在列表中选择一项。")},
        **kwargs,
    )


class OrganisationEditForm(forms.Form):
    """修改机构 — the fields an edit may change."""

    name = forms.CharField(
        label=_("名称"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写机构名称。")},
    )
    short_name = forms.CharField(
        label=_("简称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kind = _select(OrganisationKind, _("机构类型"))
    category = _select(OrganisationCategory, _("机构类别"))
    rank = _select(Rank, _("机构级别"))
    subordination = _select(Subordination, _("隶属关系"))
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("18位，内设机构可不填"),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    is_active = forms.BooleanField(
        label=_("有效"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class OrganisationCreateForm(OrganisationEditForm):
    """新建机构 — adds where the organisation sits: its division and (optionally) its parent."""

    division_code = forms.CharField(
        label=_("行政区划代码"),
        max_length=12,
        help_text=_("GB/T 2260 代码，例如 510100"),
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={"required": _("请填写行政区划代码。")},
    )

    field_order = ["division_code", "name", "short_name", "kind", "category", "rank"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["is_active"]

    def clean_division_code(self) -> Division:
        code = self.cleaned_data["division_code"].strip()
        division = Division.objects.filter(code=code).first()
        if division is None:
            raise forms.ValidationError(_("行政区划代码 %(code)s 不存在。") % {"code": code})
        return division
