"""Forms of the public 政务服务 pages: the application form, uploads, status lookup, rating.

Every online application asks the applicant's questions (申请人、联系人、电话、地址). The
申请内容 page asks the questions the item version defines (``ItemVersion.form_fields``,
see ``formdefs``) or, when it defines none, the generic 申请内容 text. The answers are
stored in ``Application.form_data`` under their Chinese names (``FIELD_KEYS``, or each
defined question's label), which is what the staff's application page shows. The form is
always built from the application's own version, so an application keeps the questions it
was filed under.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongzheng.core.validators import clean_phone
from tongzheng.services.formdefs import answer_value, build_field
from tongzheng.services.uploads import MAX_UPLOAD_BYTES, check_upload

#: form field → the key in ``Application.form_data`` (data, not interface text).
FIELD_KEYS = {
    "applicant_name": "申请人名称",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "address": "通讯地址",
    "description": "申请内容",
}
#: The pages of the application form (one thing per page): part → (title, fields).
PARTS = {
    "applicant": (_("申请人信息"), ("applicant_name", "contact_name", "contact_phone", "address")),
    "content": (_("申请内容"), ("description",)),
}
#: The prefix of an item-defined question's form field (``item_<name>``).
ITEM_PREFIX = "item_"
ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd"


class ApplicationForm(forms.Form):
    """填写申请信息."""

    applicant_name = forms.CharField(
        label=_("申请人（单位）名称"),
        max_length=200,
        error_messages={"required": _("请填写申请人（单位）名称。")},
    )
    contact_name = forms.CharField(
        label=_("联系人"), max_length=50, error_messages={"required": _("请填写联系人。")}
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        help_text=_("手机号码或带区号的固定电话，例如 13800000000 或 028-12345678。"),
        error_messages={"required": _("请填写联系电话。")},
    )
    address = forms.CharField(
        label=_("通讯地址"), max_length=200, error_messages={"required": _("请填写通讯地址。")}
    )
    description = forms.CharField(
        label=_("申请内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("简要说明申请办理的内容，例如项目名称、地点和规模。"),
        error_messages={"required": _("请填写申请内容。")},
    )

    def __init__(self, *args, part=None, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = dict(FIELD_KEYS)
        definitions = _definitions(version)
        if definitions:  # the item's own questions replace the generic 申请内容
            del self.fields["description"]
            del self.keys["description"]
            for definition in definitions:
                name = ITEM_PREFIX + definition["name"]
                self.fields[name] = build_field(definition)
                self.keys[name] = definition["label"].strip()
        if part is not None:  # one page of the form: only that part's questions
            keep = self.part_fields(part)
            for name in [n for n in self.fields if n not in keep]:
                del self.fields[name]
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")
            field.error_messages["max_length"] = _("内容过长，请精简到 %(limit_value)d 个字以内。")

    def part_fields(self, part) -> list[str]:
        if part == "applicant":
            return list(PARTS["applicant"][1])
        return [n for n in self.keys if n not in PARTS["applicant"][1]]

    def clean_contact_phone(self):
        return clean_phone(self.cleaned_data["contact_phone"])

    def form_data(self) -> dict:
        return {self.keys[name]: answer_value(self.cleaned_data[name]) for name in self.fields}

    @classmethod
    def initial_from(cls, form_data: dict, version=None) -> dict:
        keys = cls(version=version).keys
        return {name: (form_data or {}).get(key, "") for name, key in keys.items()}

    @classmethod
    def is_complete(cls, form_data: dict, part=None, version=None) -> bool:
        data = cls.initial_from(form_data or {}, version)
        return cls(data=data, part=part, version=version).is_valid()

    @classmethod
    def part_of(cls, field_name: str) -> str:
        return "applicant" if field_name in PARTS["applicant"][1] else "content"


def _definitions(version) -> list:
    return list(getattr(version, "form_fields", None) or [])


def checked_file(upload):
    """The upload if size and magic number are right (``uploads.check_upload``)."""
    check_upload(upload)
    return upload


class MaterialsForm(forms.Form):
    """上传申请材料: one optional file field per electronic material of the version."""

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = {}
        for material in materials:
            name = f"material_{material.pk}"
            self.materials[name] = material
            self.fields[name] = forms.FileField(
                label=material.name,
                required=False,
                help_text=_("PDF、JPG、PNG 或 OFD，不超过 %(mb)d MB。")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
                widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
            )

    def clean(self):
        cleaned = super().clean()
        for name in self.materials:
            upload = cleaned.get(name)
            if upload:
                try:
                    checked_file(upload)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def uploads(self) -> list:
        """(material, upload) for every file given."""
        return [
            (material, self.cleaned_data[name])
            for name, material in self.materials.items()
            if self.cleaned_data.get(name)
        ]


class StatusForm(forms.Form):
    """办件查询: number + query code (POST only; never in the URL)."""

    number = forms.CharField(
        label=_("申请编号"),
        max_length=32,
        error_messages={"required": _("请填写申请编号。")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("查询码"),
        max_length=16,
        error_messages={"required": _("请填写查询码。")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


def _level_choices():
    from tongzheng.supervision.public import rating_levels

    return [(str(value), label) for value, label in rating_levels()]


class RatingForm(forms.Form):
    """好差评: five levels, each online indicator 1–5, an optional comment."""

    level = forms.TypedChoiceField(
        label=_("总体评价"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择总体评价。"), "invalid_choice": _("请选择总体评价。")},
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        from tongzheng.supervision.public import rating_indicators

        super().__init__(*args, **kwargs)
        levels = _level_choices()
        self.fields["level"].choices = levels
        self.indicator_names = []
        for key, label in rating_indicators():
            name = f"indicator_{key}"
            self.indicator_names.append((name, key))
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                coerce=int,
                choices=[("", _("请选择"))] + levels,
                widget=forms.Select(attrs={"class": "form-select"}),
                error_messages={
                    "required": _("请为“%(label)s”打分。") % {"label": label},
                    "invalid_choice": _("请为“%(label)s”打分。") % {"label": label},
                },
            )
        # The comment after the indicators, as on the paper form.
        self.order_fields(["level", *[n for n, _k in self.indicator_names], "comment"])

    def indicators(self) -> dict:
        return {key: self.cleaned_data[name] for name, key in self.indicator_names}
