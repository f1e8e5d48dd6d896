"""Forms of the staff pages. Each action form carries a one-time ``transaction_id`` so a
double-clicked button acts once (the action finds the id already recorded)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongzheng.services.models import (
    ItemVersion,
    MaterialForm,
    MaterialRequirement,
    MaterialSource,
    SpecialKind,
)

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}


def add_errors(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form (field errors where the field exists)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = name if name in form.fields else None
            for error in errors:
                form.add_error(field, error)
    else:
        form.add_error(None, exc)


class ActionForm(forms.Form):
    transaction_id = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("transaction_id", uuid.uuid4().hex)


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={**CONTROL, "rows": 3}), max_length=2000
    )


class SupplementForm(ActionForm):
    materials = forms.ModelMultipleChoiceField(
        label=_("需补正的材料"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_items = forms.CharField(
        label=_("其他需补正内容"),
        required=False,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        max_length=2000,
    )
    note = forms.CharField(
        label=_("补正说明"),
        required=False,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].queryset = version.materials.all()


class SpecialStartForm(ActionForm):
    kind = forms.ChoiceField(
        label=_("特别程序"), choices=SpecialKind.choices, widget=forms.Select(attrs=SELECT)
    )
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={**CONTROL, "rows": 2}), max_length=2000
    )


class SpecialEndForm(ActionForm):
    outcome = forms.CharField(
        label=_("特别程序结果"),
        required=False,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        max_length=2000,
    )


class ExtendForm(ActionForm):
    working_days = forms.IntegerField(
        label=_("延长工作日数"), min_value=1, max_value=15, widget=forms.NumberInput(attrs=CONTROL)
    )
    reason = forms.CharField(
        label=_("理由及负责人批准情况"),
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        max_length=2000,
    )


DECISIONS = (("approve", _("同意")), ("refuse", _("不同意")))


class DecisionForm(ActionForm):
    decision = forms.ChoiceField(label=_("意见"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("意见或理由（不同意时必填）"),
        required=False,
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
        max_length=2000,
    )


class ResultForm(ActionForm):
    licence_number = forms.CharField(
        label=_("证照或文书编号"), max_length=100, widget=forms.TextInput(attrs=CONTROL)
    )
    document = forms.FileField(
        label=_("结果文书"), required=False, widget=forms.ClearableFileInput(attrs=CONTROL)
    )
    fee_amount = forms.DecimalField(
        label=_("实收费用（元）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs=CONTROL),
    )

    def clean_document(self):
        from tongzheng.services.uploads import check_upload

        document = self.cleaned_data.get("document")
        if document:
            check_upload(document)
        return document


# --- the catalogue ------------------------------------------------------------------------


class ItemForm(forms.ModelForm):
    """The item's identity and every element of the new version."""

    implementation_code = forms.CharField(
        label=_("实施编码"), max_length=64, widget=forms.TextInput(attrs=CONTROL)
    )
    organisation = forms.CharField(
        label=_("实施主体（统一社会信用代码或全称）"),
        max_length=200,
        widget=forms.TextInput(attrs=CONTROL),
    )
    change_note = forms.CharField(
        label=_("修改说明"), max_length=300, required=False, widget=forms.TextInput(attrs=CONTROL)
    )

    class Meta:
        model = ItemVersion
        fields = [
            "basic_code",
            "name",
            "item_type",
            "level",
            "legal_basis",
            "legal_limit",
            "promised_limit",
            "limit_unit",
            "handling_kind",
            "acceptance_conditions",
            "fee_charged",
            "fee_description",
            "fee_basis",
            "visits_required",
            "result_type",
            "result_name",
            "enquiry_channel",
            "complaint_channel",
            "service_location",
            "service_hours",
            "form_fields",
            "online_required",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 2
        if "form_fields" in self.fields:
            field = self.fields["form_fields"]
            field.widget.attrs.update(rows=6, spellcheck="false")
            field.error_messages["invalid"] = _("申请表单字段不是有效的 JSON。")

    def clean_form_fields(self):
        # An empty box means "no item-specific questions" (the generic 申请内容 is asked).
        from tongzheng.services.formdefs import validate_form_fields

        value = self.cleaned_data.get("form_fields") or []
        validate_form_fields(value)
        return value

    def _post_clean(self):
        # The version is built by the action, not saved from this form.
        pass


class MaterialRowForm(forms.Form):
    name = forms.CharField(
        label=_("材料名称"), max_length=200, widget=forms.TextInput(attrs=CONTROL)
    )
    requirement = forms.ChoiceField(
        label=_("必要性"), choices=MaterialRequirement.choices, widget=forms.Select(attrs=SELECT)
    )
    form = forms.ChoiceField(
        label=_("材料形式"), choices=MaterialForm.choices, widget=forms.Select(attrs=SELECT)
    )
    source = forms.ChoiceField(
        label=_("来源渠道"), choices=MaterialSource.choices, widget=forms.Select(attrs=SELECT)
    )
    blank_form = forms.FileField(label=_("空白表格"), required=False)
    sample = forms.FileField(label=_("示例样表"), required=False)
    # The stored files of the previous version's material, kept unless replaced.
    previous_blank_form = forms.CharField(widget=forms.HiddenInput, required=False)
    previous_sample = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        from tongzheng.services.uploads import check_upload

        data = super().clean()
        for key in ("blank_form", "sample"):
            if data.get(key):
                check_upload(data[key])
        return data

    def as_material(self) -> dict:
        data = self.cleaned_data
        material = {k: data[k] for k in ("name", "requirement", "form", "source")}
        material["blank_form"] = data.get("blank_form") or data.get("previous_blank_form") or ""
        material["sample"] = data.get("sample") or data.get("previous_sample") or ""
        return material


class StageRowForm(forms.Form):
    name = forms.CharField(
        label=_("环节名称"), max_length=100, widget=forms.TextInput(attrs=CONTROL)
    )
    limit_working_days = forms.IntegerField(
        label=_("环节时限（工作日）"), min_value=0, widget=forms.NumberInput(attrs=CONTROL)
    )
    refusal_ends_stage = forms.BooleanField(
        label=_("一个部门不同意即结束本环节"), required=False, initial=True
    )
    departments = forms.CharField(
        label=_("并联部门（每行一个：统一社会信用代码或全称）"),
        widget=forms.Textarea(attrs={**CONTROL, "rows": 2}),
    )

    def __init__(self, *args, actor=None, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)

    def clean_departments(self):
        from tongzheng.services.catalogue import find_organisation

        lines = [line.strip() for line in self.cleaned_data["departments"].splitlines()]
        return [find_organisation(line) for line in lines if line]

    def as_stage(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "limit_working_days": data["limit_working_days"],
            "refusal_ends_stage": data["refusal_ends_stage"],
            "departments": data["departments"],
        }


MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=1, can_delete=True)
StageFormSet = forms.formset_factory(StageRowForm, extra=1, can_delete=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("事项JSON文件"))

    def clean_file(self):
        import json

        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("文件不能超过5MB。"))
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValidationError(_("文件不是有效的UTF-8 JSON。")) from exc
