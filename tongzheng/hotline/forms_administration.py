"""Forms of the hotline configuration pages (热线配置). Rules live in actions.administration;
these only turn text into objects (an organisation by USCC or full name, a division by code)
with Chinese messages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongzheng.core.models import Division, Organisation
from tongzheng.hotline.forms import StyledForm as BaseStyledForm
from tongzheng.hotline.models import Subject


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show an action's ValidationError on the form (as non-field errors)."""
    for message in exc.messages:
        form.add_error(None, message)


class StyledForm(BaseStyledForm):
    """Bootstrap classes on every widget and fields in error marked (see
    ``hotline.forms.StyledForm``); Django's own required message is kept here."""

    name_required_fields = False


class OrganisationField(forms.CharField):
    """An organisation named by its USCC (统一社会信用代码) or its exact full name."""

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        found = list(
            Organisation.objects.filter(is_active=True).filter(uscc=value)[:2]
            or Organisation.objects.filter(is_active=True, name=value)[:2]
        )
        if not found:
            raise ValidationError(_("找不到该单位，请填写统一社会信用代码或单位全称。"))
        if len(found) > 1:
            raise ValidationError(_("有多个同名单位，请改填统一社会信用代码。"))
        return found[0]


class DivisionField(forms.CharField):
    """A division named by its GB/T 2260 code (6, 9 or 12 digits)."""

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        division = Division.objects.filter(code=value).first()
        if division is None:
            raise ValidationError(_("行政区划代码 %(code)s 不存在。") % {"code": value[:12]})
        return division


class SubjectCreateForm(StyledForm):
    code = forms.CharField(
        label=_("分类代码"),
        max_length=16,
        help_text=_("也是 Open311 的 service_code，创建后不能修改。"),
    )
    name = forms.CharField(label=_("分类名称"), max_length=50)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=100000, initial=100)


class SubjectForm(StyledForm):
    name = forms.CharField(label=_("分类名称"), max_length=50)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=100000)
    active = forms.BooleanField(label=_("启用"), required=False)


class RuleForm(StyledForm):
    subject = forms.ModelChoiceField(
        label=_("诉求分类"), queryset=Subject.objects.all(), empty_label=None
    )
    division = DivisionField(
        label=_("行政区划代码"),
        max_length=12,
        required=False,
        help_text=_("不填则适用于所有区划；区划越具体，规则越优先。"),
    )
    organisation = OrganisationField(
        label=_("承办单位"), max_length=200, help_text=_("统一社会信用代码或单位全称。")
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class MailBoxForm(StyledForm):
    slug = forms.CharField(
        label=_("信箱标识"),
        max_length=40,
        help_text=_("小写字母、数字或连字符，例如 mayor；创建后不能修改。"),
    )
    title = forms.CharField(label=_("信箱名称"), max_length=100)
    leader_name = forms.CharField(label=_("领导姓名"), max_length=50, required=False)
    organisation = OrganisationField(
        label=_("所属机关"), max_length=200, help_text=_("统一社会信用代码或单位全称。")
    )
    division = DivisionField(label=_("行政区划代码"), max_length=12)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=100000, initial=100)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]


class Open311KeyForm(StyledForm):
    name = forms.CharField(
        label=_("客户端名称"), max_length=100, help_text=_("例如调用方的应用或系统名称。")
    )
