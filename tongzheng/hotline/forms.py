import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongzheng.core.models import Division
from tongzheng.hotline.models import Category12310, Channel, TicketType

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")

NOT_ACCEPTED_12310 = _(
    "12310 不受理：应通过诉讼、仲裁、行政复议解决的事项；个人安置、待遇问题；"
    "无新情况、新证据的重复举报；政府信息公开申请和一般咨询。"
)

PUBLIC_CHANNELS = [
    (Channel.WEB.value, Channel.WEB.label),
    (Channel.R12310.value, Channel.R12310.label),
]


class IntakeForm(forms.Form):
    """公众网上提交工单 (12345 网上 / 12310 举报)."""

    channel = forms.ChoiceField(label=_("提交渠道"), choices=PUBLIC_CHANNELS, initial=Channel.WEB)
    type = forms.ChoiceField(label=_("类型"), choices=TicketType.choices)
    category = forms.ChoiceField(
        label=_("举报类别（12310 必填）"),
        choices=[("", "---------"), *Category12310.choices],
        required=False,
        help_text=NOT_ACCEPTED_12310,
    )
    content = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("请填写内容。")},
    )
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    division = forms.ModelChoiceField(
        label=_("行政区划"), queryset=Division.objects.all(), required=False
    )
    anonymous = forms.BooleanField(label=_("匿名反映"), required=False)
    reporter_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    confidential = forms.BooleanField(label=_("要求对我的身份保密"), required=False)

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not content:
            raise ValidationError(_("请填写内容。"))
        return content

    def clean_reporter_phone(self):
        phone = self.cleaned_data["reporter_phone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError(_("请输入正确的手机号码或固定电话号码。"))
        return phone

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.R12310 and not data.get("category"):
            self.add_error("category", _("12310 举报必须选择举报类别。"))
        if data.get("channel") != Channel.R12310:
            data["category"] = ""
        if data.get("anonymous"):
            data["reporter_name"] = ""
            data["reporter_phone"] = ""
        elif "reporter_name" in data and not data.get("reporter_name", "").strip():
            self.add_error("reporter_name", _("实名反映请填写姓名，或选择匿名反映。"))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("经度和纬度须同时填写。"))
        return data


class TrackForm(forms.Form):
    number = forms.CharField(label=_("工单编号"), max_length=32)
    code = forms.CharField(label=_("提取码"), max_length=32)


class AppendForm(TrackForm):
    number = forms.CharField(max_length=32, widget=forms.HiddenInput)
    code = forms.CharField(max_length=32, widget=forms.HiddenInput)
    content = forms.CharField(
        label=_("追加信息"),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("请填写追加的信息。")},
    )

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not content:
            raise ValidationError(_("请填写追加的信息。"))
        return content
