"""Item-specific application questions (申请表单字段定义) of an item version.

``ItemVersion.form_fields`` is a JSON list; each entry is::

    {"name": "project_name", "label": "项目名称", "type": "text",
     "required": true, "choices": [], "help": "……"}

``type`` is one of ``FIELD_TYPES``; ``choices`` (a list of strings) is required for
``choice`` and not allowed for the others. ``name`` is the form's key (lowercase letters,
digits, underscores); ``label`` is what the applicant sees and also the key of the answer
in ``Application.form_data`` (the staff's application page shows those keys), so labels are
unique and may not reuse the generic applicant questions' keys.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongzheng.core.validators import clean_phone

FIELD_TYPES = ("text", "textarea", "number", "date", "choice", "id_number", "phone")
ALLOWED_KEYS = {"name", "label", "type", "required", "choices", "help"}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 30
#: The generic applicant questions' keys in ``form_data`` (kept on every form).
RESERVED_LABELS = frozenset({"申请人名称", "联系人", "联系电话", "通讯地址"})
#: A mobile number or a fixed line with area code (as the hotline checks a caller's number).


def validate_form_fields(value) -> None:
    """Raise a ValidationError (Chinese, naming the entry) unless ``value`` is a valid list."""
    if value in (None, ""):
        return
    if not isinstance(value, list):
        raise ValidationError(_("申请表单字段定义必须是一个列表（JSON 数组）。"))
    if len(value) > MAX_FIELDS:
        raise ValidationError(
            _("申请表单字段不能超过 %(n)d 个。") % {"n": MAX_FIELDS}, code="too_many"
        )
    names, labels = set(), set()
    for index, entry in enumerate(value, start=1):
        where = _("第 %(n)d 个字段") % {"n": index}
        if not isinstance(entry, dict):
            raise ValidationError(_("%(where)s必须是一个对象。") % {"where": where})
        unknown = set(entry) - ALLOWED_KEYS
        if unknown:
            raise ValidationError(
                _("%(where)s含有未知属性：%(keys)s。")
                % {"where": where, "keys": "、".join(sorted(unknown))}
            )
        name = entry.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise ValidationError(
                _("%(where)s的 name 必须以小写字母开头，只含小写字母、数字和下划线，最多40个字符。")
                % {"where": where}
            )
        if name in names:
            raise ValidationError(_("字段名 %(name)s 重复。") % {"name": name})
        names.add(name)
        where = _("字段 %(name)s") % {"name": name}
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            raise ValidationError(_("%(where)s缺少 label（1至100个字）。") % {"where": where})
        if label.strip() in labels or label.strip() in RESERVED_LABELS:
            raise ValidationError(
                _("%(where)s的 label“%(label)s”重复或与申请人信息重名。")
                % {"where": where, "label": label}
            )
        labels.add(label.strip())
        kind = entry.get("type")
        if kind not in FIELD_TYPES:
            raise ValidationError(
                _("%(where)s的 type 必须是以下之一：%(types)s。")
                % {"where": where, "types": "、".join(FIELD_TYPES)}
            )
        if "required" in entry and not isinstance(entry["required"], bool):
            raise ValidationError(
                _("%(where)s的 required 必须是 true 或 false。") % {"where": where}
            )
        if "help" in entry and not isinstance(entry["help"], str):
            raise ValidationError(_("%(where)s的 help 必须是文字。") % {"where": where})
        choices = entry.get("choices") or []
        if kind == "choice":
            if (
                not isinstance(choices, list)
                or not choices
                or not all(isinstance(c, str) and c.strip() for c in choices)
                or len(set(choices)) != len(choices)
            ):
                raise ValidationError(
                    _("%(where)s是选择题，choices 必须是不重复的非空文字列表。") % {"where": where}
                )
        elif choices:
            raise ValidationError(_("%(where)s不是选择题，不能有 choices。") % {"where": where})


def _clean_id_number(value: str) -> str:
    from tongzheng.core.validators import validate_resident_id

    value = (value or "").strip().upper()
    if value:
        validate_resident_id(value)
    return value


class _CheckedCharField(forms.CharField):
    def __init__(self, *args, check, **kwargs):
        self.check = check
        super().__init__(*args, **kwargs)

    def clean(self, value):
        return self.check(super().clean(value))


def build_field(definition: dict) -> forms.Field:
    """The Django form field of one (validated) definition, with Chinese messages."""
    label = definition["label"].strip()
    required = bool(definition.get("required", False))
    common = {
        "label": label,
        "required": required,
        "help_text": definition.get("help", ""),
        "error_messages": {"required": _("请填写%(label)s。") % {"label": label}},
    }
    kind = definition["type"]
    if kind == "textarea":
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == "number":
        common["error_messages"]["invalid"] = _("%(label)s请填写数字。") % {"label": label}
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if kind == "date":
        common["error_messages"]["invalid"] = _("%(label)s请按 2026-01-31 的格式填写日期。") % {
            "label": label
        }
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "choice":
        common["error_messages"]["required"] = _("请选择%(label)s。") % {"label": label}
        common["error_messages"]["invalid_choice"] = _("请从列表中选择%(label)s。") % {
            "label": label
        }
        choices = [("", _("请选择"))] + [(c, c) for c in definition["choices"]]
        return forms.ChoiceField(choices=choices, widget=forms.Select, **common)
    if kind == "id_number":
        return _CheckedCharField(max_length=18, check=_clean_id_number, **common)
    if kind == "phone":
        return _CheckedCharField(max_length=20, check=clean_phone, **common)
    return forms.CharField(max_length=200, **common)


def answer_value(value) -> str:
    """An answer as stored in ``form_data`` (JSON): text; dates ISO, numbers without noise."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "normalize"):  # Decimal
        text = format(value.normalize(), "f")
        return text
    return str(value)
