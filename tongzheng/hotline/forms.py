"""Intake and follow-up forms: public web / 12310, leader's mailbox, phone intake, tracking."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.translation import gettext_lazy as _

from tongzheng.core.models import Division
from tongzheng.core.prepared import PreparedQuery
from tongzheng.core.uploads import check_upload
from tongzheng.core.validators import clean_phone
from tongzheng.hotline.actions.intake import (
    ATTACHMENT_KINDS,
    ATTACHMENT_MAX_BYTES,
    MATTER_CHOICES,
    MATTER_VIOLATION,
    MAX_ATTACHMENTS,
    not_accepted_message,
)
from tongzheng.hotline.models import Category12310, Channel, Subject, TicketType, Urgency

DEFAULT_REQUIRED = forms.Field.default_error_messages["required"]

NOT_ACCEPTED_12310 = _(
    "12310 不受理：应通过诉讼、仲裁、行政复议解决的事项；个人安置、待遇问题；"
    "无新情况、新证据的重复举报；政府信息公开申请和一般咨询。"
)


class FixedChoices(BaseChoiceIterator):
    """A choice field's choices that never change (pairs of value and lazy label), shared
    by every form instead of copied into each.

    Django deep-copies a ``ChoiceField``'s list of choices, pair by pair, for every form
    built (and its widget copies it again): for the intake form's four choice fields
    about half the work of building the form, on every intake POST. The pairs are held in
    a tuple, so no form can change them and one object can serve all; Django keeps a
    ``BaseChoiceIterator`` as it is (``normalize_choices``) and iterates it where it would
    iterate the list (validation, the select's options)."""

    def __init__(self, choices):
        self._choices = tuple(normalize_choices(choices))

    def __iter__(self):
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


PUBLIC_CHANNELS = [
    (Channel.WEB.value, Channel.WEB.label),
    (Channel.R12310.value, Channel.R12310.label),
]
LETTER_TYPES = [(value, label) for value, label in TicketType.choices if value != TicketType.REPORT]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to three files, each checked by ``core.uploads.check_upload``."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("最多 3 个文件，每个不超过 10 MB，只接受 JPG、PNG、PDF。"),
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ".jpg,.jpeg,.png,.pdf")

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("最多上传 %(count)d 个附件。") % {"count": MAX_ATTACHMENTS}, code="count"
            )
        errors = []
        for file in files:
            try:
                check_upload(file, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return files


def _instances(model, query: PreparedQuery, value):
    """The model instances of a ``PreparedQuery`` over all of ``model``'s columns."""
    names = [field.attname for field in model._meta.concrete_fields]
    return [model.from_db("default", names, row) for row in query.rows(value)]


# Every intake validates a division code and a subject: compiled once per connection and
# prepared on PostgreSQL (the queryset cost more CPU to build than to run; ``core.prepared``).
_DIVISION_BY_CODE = PreparedQuery(
    lambda code: (
        Division.objects.filter(code=code)
        .order_by()
        .values_list(*(field.attname for field in Division._meta.concrete_fields))[:1]
    ),
    "tzDivisionCodePlaceholder",
    prepare=True,
)
_ACTIVE_SUBJECT = PreparedQuery(
    lambda pk: (
        Subject.objects.filter(active=True, pk=pk)
        .order_by()
        .values_list(*(field.attname for field in Subject._meta.concrete_fields))[:1]
    ),
    -1,
    prepare=True,
)
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1


class DivisionCodeField(forms.CharField):
    """行政区划 by its GB/T 2260 code (a province's township list is too long for a select)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("行政区划代码"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("选填，例如 510104（成都市锦江区）。"))
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        if not code:
            return None
        found = _instances(Division, _DIVISION_BY_CODE, code)
        if not found:
            raise ValidationError(_("没有这个行政区划代码。"), code="division")
        return found[0]


class SubjectField(forms.ModelChoiceField):
    """诉求分类: the active subjects (the form's queryset, for the choices shown); a
    submitted one is looked up by ``_ACTIVE_SUBJECT``, the same rows by primary key."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        if isinstance(value, Subject):
            value = value.pk
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = None
        # Out of the column's range no row can match (the ORM's lookup finds none either).
        in_range = pk is not None and _BIGINT_MIN <= pk <= _BIGINT_MAX
        found = _instances(Subject, _ACTIVE_SUBJECT, pk) if in_range else []
        if not found:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found[0]


def add_errors(form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form (field errors where the field exists)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


def _subjects():
    return Subject.objects.filter(active=True)


class StyledForm(forms.Form):
    """Bootstrap classes on every widget: the public pages render fields one by one through
    ``hotline/_fields.html``, and unstyled inputs look broken next to the rest of the portal
    (the textarea a narrow box, the selects browser-default)."""

    name_required_fields = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, css, required in self._styles():
            field = self.fields[name]
            field.widget.attrs.setdefault("class", css)
            if required is not None:
                field.error_messages["required"] = required

    @classmethod
    def _styles(cls) -> list[tuple[str, str, object]]:
        """(field name, Bootstrap class, required message or None) of the class's fields:
        worked out from its declared fields once, not on every form built (the intake POST
        builds one per request; asking each lazy label whether it is empty translated it)."""
        styles = cls.__dict__.get("_styles_of_class")
        if styles is None:
            styles = []
            for name, field in cls.base_fields.items():
                widget = field.widget
                if isinstance(widget, forms.HiddenInput):
                    continue
                if isinstance(widget, forms.CheckboxInput):
                    css = "form-check-input"
                elif isinstance(widget, forms.Select):
                    css = "form-select"
                else:
                    css = "form-control"
                # ``is``, not ``==``: Django's own message is this very lazy object (Field's
                # default_error_messages), and comparing lazy strings translates both.
                required = None
                if (
                    cls.name_required_fields
                    and field.error_messages.get("required") is DEFAULT_REQUIRED
                    and field.label
                ):
                    # Django's "这个字段是必填项。" reads oddly beside a Chinese label; the
                    # summary above the form says which field ("内容：请填写此项。").
                    required = _("请选择此项。") if css == "form-select" else _("请填写此项。")
                styles.append((name, css, required))
            cls._styles_of_class = styles
        return styles

    def add_error(self, field, error):
        # A field with an error is outlined in red (Bootstrap's is-invalid), so the user
        # finds it on a long form; the summary at the top of _fields.html names it too.
        super().add_error(field, error)
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()


class TicketFieldsForm(StyledForm):
    """The fields every channel shares: what, where, who."""

    type = forms.ChoiceField(label=_("类型"), choices=FixedChoices(TicketType.choices))
    # The active subjects, lazily: each form's copy of the field clones the queryset (Django's
    # ModelChoiceField.__deepcopy__) and runs it only when the choices are shown.
    subject = SubjectField(label=_("诉求分类"), queryset=_subjects(), required=False)
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    content = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 6}),
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
    division = DivisionCodeField()
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
        return clean_phone(self.cleaned_data["reporter_phone"])

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            data["reporter_name"] = ""
            data["reporter_phone"] = ""
        elif "reporter_name" in data and not data.get("reporter_name", "").strip():
            self.add_error("reporter_name", _("实名反映请填写姓名，或选择匿名反映。"))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("经度和纬度须同时填写。"))
        return data

    def named_phone(self) -> str:
        """The reporter's phone when they file under their name (the rate-limit bucket)."""
        data = self.cleaned_data
        if data.get("anonymous") or not data.get("reporter_name"):
            return ""
        return data.get("reporter_phone", "")


class IntakeForm(TicketFieldsForm):
    """公众网上提交工单 (12345 网上 / 12310 举报)."""

    channel = forms.ChoiceField(
        label=_("提交渠道"), choices=FixedChoices(PUBLIC_CHANNELS), initial=Channel.WEB
    )
    matter = forms.ChoiceField(
        label=_("所反映事项属于（12310 必填）"),
        choices=FixedChoices([("", "---------"), *MATTER_CHOICES]),
        required=False,
        help_text=NOT_ACCEPTED_12310,
    )
    category = forms.ChoiceField(
        label=_("举报类别（12310 必填）"),
        choices=FixedChoices([("", "---------"), *Category12310.choices]),
        required=False,
    )
    attachments = AttachmentsField(label=_("附件"))

    field_order = [
        "channel",
        "type",
        "matter",
        "category",
        "subject",
        "title",
        "content",
        "address",
        "division",
        "latitude",
        "longitude",
        "attachments",
        "anonymous",
        "reporter_name",
        "reporter_phone",
        "confidential",
    ]

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.R12310:
            matter = data.get("matter")
            refusal = not_accepted_message(matter) if matter else None
            if not matter:
                self.add_error("matter", _("请说明所反映事项的性质。"))
            elif refusal:
                # 不予受理: the whole submission is refused, with where to go instead.
                raise ValidationError(refusal, code="not_accepted")
            if not data.get("category"):
                self.add_error("category", _("12310 举报必须选择举报类别。"))
            data["type"] = TicketType.REPORT
        else:
            data["category"] = ""
            data["matter"] = ""
        return data

    def is_not_accepted(self) -> bool:
        return any(error.code == "not_accepted" for error in self.non_field_errors().as_data())


class LetterForm(TicketFieldsForm):
    """领导信箱来信: 咨询 / 投诉 / 建议 / 求助, with a title."""

    type = forms.ChoiceField(label=_("类型"), choices=FixedChoices(LETTER_TYPES))
    title = forms.CharField(
        label=_("标题"), max_length=100, error_messages={"required": _("请填写标题。")}
    )
    attachments = AttachmentsField(label=_("附件"))


class PhoneIntakeForm(TicketFieldsForm):
    """电话受理: the operator records the call (caller number, recording, urgency)."""

    reporter_phone = forms.CharField(
        label=_("来电号码"), max_length=20, error_messages={"required": _("请填写来电号码。")}
    )
    recording_ref = forms.CharField(label=_("录音编号"), max_length=64, required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=FixedChoices(Urgency.choices), initial=Urgency.NORMAL
    )

    field_order = [
        "reporter_phone",
        "recording_ref",
        "urgency",
        "type",
        "subject",
        "title",
        "content",
        "address",
        "division",
        "latitude",
        "longitude",
        "reporter_name",
        "anonymous",
        "confidential",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anonymous"].label = _("来电人不愿留名")
        self.fields["confidential"].label = _("来电人要求身份保密")

    def clean(self):
        # A caller who gives no name is recorded without one, but the number stays: it is
        # how the centre calls back and finds the same caller's earlier tickets.
        data = forms.Form.clean(self)
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("经度和纬度须同时填写。"))
        data["anonymous"] = bool(data.get("anonymous"))
        if data["anonymous"]:
            data["reporter_name"] = ""
        return data


class TrackForm(StyledForm):
    number = forms.CharField(label=_("工单编号"), max_length=32)
    code = forms.CharField(label=_("提取码"), max_length=32)


class AppendForm(TrackForm):
    number = forms.CharField(max_length=32, widget=forms.HiddenInput)
    code = forms.CharField(max_length=32, widget=forms.HiddenInput)
    content = forms.CharField(
        label=_("追加信息"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("请填写追加的信息。")},
    )
    attachments = AttachmentsField(label=_("追加附件"))

    def clean_content(self):
        content = self.cleaned_data["content"].strip()
        if not content:
            raise ValidationError(_("请填写追加的信息。"))
        return content


__all__ = [
    "MATTER_VIOLATION",
    "NOT_ACCEPTED_12310",
    "AppendForm",
    "add_errors",
    "IntakeForm",
    "LetterForm",
    "PhoneIntakeForm",
    "TrackForm",
]
