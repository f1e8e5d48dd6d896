"""Forms of the staffing pages: ledgers, 三定, movements, 用编申请 and review."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.core.validators import validate_resident_id
from tongzheng.staffing.models import (
    QUOTA_POSTS,
    EntryMethod,
    EstablishmentType,
    FundingForm,
    Gender,
    InstitutionCategory,
    LeadershipPost,
    LeaveMethod,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin:
    """Bootstrap classes on every widget, so the shared form template stays simple."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)


def _types():
    return EstablishmentType.objects.filter(is_active=True)


class QuotaChangeForm(BootstrapMixin, forms.Form):
    establishment_type = forms.ModelChoiceField(
        label=_("编制类型"), queryset=EstablishmentType.objects.none()
    )
    increase = forms.IntegerField(label=_("增编数"), min_value=0, initial=0)
    decrease = forms.IntegerField(label=_("减编数"), min_value=0, initial=0)
    control = forms.IntegerField(
        label=_("控编数"),
        initial=0,
        help_text=_("正数为控制使用的空编数，负数为解除控制。"),
    )
    reason = forms.CharField(label=_("事由"), max_length=200)
    approval_document = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    date = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment_type"].queryset = _types()


class PostChangeForm(BootstrapMixin, forms.Form):
    post = forms.ChoiceField(label=_("职数类别"), choices=QUOTA_POSTS)
    increase = forms.IntegerField(label=_("增加职数"), min_value=0, initial=0)
    decrease = forms.IntegerField(label=_("核减职数"), min_value=0, initial=0)
    reason = forms.CharField(label=_("事由"), max_length=200)
    approval_document = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    date = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)


class UnitProfileForm(BootstrapMixin, forms.Form):
    main_duties = forms.CharField(
        label=_("主要职责"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    funding_form = forms.ChoiceField(
        label=_("经费形式（事业单位）"),
        choices=[("", "—"), *FundingForm.choices],
        required=False,
    )
    institution_category = forms.ChoiceField(
        label=_("事业单位类别"),
        choices=[("", "—"), *InstitutionCategory.choices],
        required=False,
    )
    approval_document = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    approval_date = forms.DateField(label=_("批准日期"), widget=DATE, required=False)


class UnitHistoryForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    event = forms.CharField(label=_("沿革事项"), max_length=300)
    approval_document = forms.CharField(label=_("批准文号"), max_length=100, required=False)


class EnterPersonForm(BootstrapMixin, forms.Form):
    """入编."""

    entry_method = forms.ChoiceField(label=_("入编方式"), choices=EntryMethod.choices)
    establishment_type = forms.ModelChoiceField(
        label=_("编制类型"), queryset=EstablishmentType.objects.none()
    )
    notice = forms.ModelChoiceField(
        label=_("控编通知单（招录招聘必填）"),
        queryset=EstablishmentType.objects.none(),
        required=False,
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE)
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, validators=[validate_resident_id]
    )
    work_start_date = forms.DateField(label=_("参加工作时间"), widget=DATE, required=False)
    job_title = forms.CharField(label=_("职务（岗位）名称"), max_length=100, required=False)
    date = forms.DateField(label=_("入编日期"), widget=DATE, initial=timezone.localdate)
    document = forms.CharField(label=_("依据文号"), max_length=100, required=False)

    def __init__(self, *args, notices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment_type"].queryset = _types()
        self.fields["notice"].queryset = notices
        self.fields["notice"].label_from_instance = lambda n: str(
            _("%(number)s（%(type)s，剩余 %(left)d 名，有效期至 %(date)s）")
            % {
                "number": n.number,
                "type": n.establishment_type.name,
                "left": n.slots_left,
                "date": n.valid_until.isoformat(),
            }
        )


class LeavePersonForm(BootstrapMixin, forms.Form):
    leave_method = forms.ChoiceField(label=_("出编方式"), choices=LeaveMethod.choices)
    date = forms.DateField(label=_("出编日期"), widget=DATE, initial=timezone.localdate)
    document = forms.CharField(label=_("依据文号"), max_length=100, required=False)


class TransferForm(BootstrapMixin, forms.Form):
    """调动. The target is named by its 统一社会信用代码 or its exact name, among the units
    in the clerk's scope — a province's units are too many for one drop-down."""

    to_organisation = forms.CharField(
        label=_("调入单位（统一社会信用代码或完整名称）"), max_length=200
    )
    establishment_type = forms.ModelChoiceField(
        label=_("调入后编制类型（不选则不变）"),
        queryset=EstablishmentType.objects.none(),
        required=False,
    )
    date = forms.DateField(label=_("调动日期"), widget=DATE, initial=timezone.localdate)
    document = forms.CharField(label=_("依据文号"), max_length=100, required=False)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["establishment_type"].queryset = _types()

    def clean_to_organisation(self):
        value = self.cleaned_data["to_organisation"].strip()
        found = list(self.targets.filter(uscc=value.upper())[:2]) or list(
            self.targets.filter(name=value)[:2]
        )
        if not found:
            raise forms.ValidationError(_("在您的管理范围内没有找到该单位。"))
        if len(found) > 1:
            raise forms.ValidationError(_("有多个同名单位，请改用统一社会信用代码。"))
        return found[0]


class PromoteForm(BootstrapMixin, forms.Form):
    post = forms.ChoiceField(label=_("领导职务"), choices=LeadershipPost.choices)
    date = forms.DateField(label=_("任职日期"), widget=DATE, initial=timezone.localdate)
    document = forms.CharField(label=_("依据文号"), max_length=100, required=False)


class PersonEditForm(BootstrapMixin, forms.Form):
    """Locked fields appear only for the staffing office (``locked=True``)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        required=False,
        validators=[validate_resident_id],
        help_text=_("留空表示不修改。"),
    )
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE)
    work_start_date = forms.DateField(label=_("参加工作时间"), widget=DATE, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    job_title = forms.CharField(label=_("职务（岗位）名称"), max_length=100, required=False)
    education = forms.CharField(label=_("学历"), max_length=50, required=False)
    phone = forms.CharField(label=_("办公电话"), max_length=30, required=False)

    LOCKED = ("name", "id_number", "birth_date", "work_start_date")

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not locked:
            for name in self.LOCKED:
                del self.fields[name]


class RevealForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("查看理由"), max_length=200)


class ApplicationForm(BootstrapMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("申请单位"), queryset=EstablishmentType.objects.none()
    )
    establishment_type = forms.ModelChoiceField(
        label=_("编制类型"), queryset=EstablishmentType.objects.none()
    )
    slots = forms.IntegerField(label=_("申请用编数"), min_value=1)
    reason = forms.CharField(
        label=_("用编事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = units
        self.fields["establishment_type"].queryset = _types()


class ApproveForm(BootstrapMixin, forms.Form):
    valid_until = forms.DateField(label=_("通知单有效期至"), widget=DATE)


class RefuseForm(BootstrapMixin, forms.Form):
    reasons = forms.CharField(
        label=_("不予核准理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def add_errors(form, exc) -> None:
    """Put an action's ValidationError on the form (field errors where the field exists)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = name if name in form.fields else None
            for error in errors:
                form.add_error(field, error)
    else:
        form.add_error(None, exc)
