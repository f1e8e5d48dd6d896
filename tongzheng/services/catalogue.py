"""The JSON form of service items (事项导入导出).

One item is a dict::

    {"implementation_code": "...", "organisation": "<USCC or exact name>",
     "elements": {<ItemVersion fields>},
     "materials": [{"name", "requirement", "form", "source"}],
     "stages": [{"name", "limit_working_days", "refusal_ends_stage",
                 "departments": [{"organisation": "<USCC or name>", "duty": ""}]}]}

An export file is ``{"format": "tongzheng.services.items/1", "items": [...]}``. Blank
forms and samples are files and are not carried in JSON: an imported material keeps the
files of the item's previous version of the same name.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tongzheng.core.models import Organisation

FORMAT = "tongzheng.services.items/1"

ELEMENT_FIELDS = (
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
)
MATERIAL_FIELDS = ("name", "requirement", "form", "source")


def _organisation_key(organisation) -> str:
    return organisation.uscc or organisation.name


def version_to_dict(version) -> dict:
    item = version.item
    return {
        "implementation_code": item.implementation_code,
        "organisation": _organisation_key(item.organisation),
        "version": version.number,
        "elements": {name: getattr(version, name) for name in ELEMENT_FIELDS},
        "materials": [
            {name: getattr(m, name) for name in MATERIAL_FIELDS} for m in version.materials.all()
        ],
        "stages": [
            {
                "name": stage.name,
                "limit_working_days": stage.limit_working_days,
                "refusal_ends_stage": stage.refusal_ends_stage,
                "departments": [
                    {"organisation": _organisation_key(t.organisation), "duty": t.duty}
                    for t in stage.tasks.select_related("organisation")
                ],
            }
            for stage in version.stages.all()
        ],
    }


def export_items(items) -> dict:
    return {
        "format": FORMAT,
        "items": [version_to_dict(i.current_version) for i in items if i.current_version],
    }


def find_organisation(key) -> Organisation:
    """An organisation by its USCC or exact name (no province-sized drop-down)."""
    if not isinstance(key, str) or not key.strip():
        raise ValidationError(_("缺少机构（统一社会信用代码或全称）。"))
    key = key.strip()
    found = Organisation.objects.filter(uscc=key).first() or (
        Organisation.objects.filter(name=key).first()
    )
    if found is None:
        raise ValidationError(_("找不到机构：%(key)s。") % {"key": key})
    return found


def _previous_files(item_code: str) -> dict:
    from tongzheng.services.models import ServiceItem

    item = ServiceItem.objects.filter(implementation_code=item_code).first()
    if item is None or item.current_version is None:
        return {}
    return {
        m.name: {"blank_form": m.blank_form.name, "sample": m.sample.name}
        for m in item.current_version.materials.all()
    }


def parse_item(data: dict) -> dict:
    """Turn one JSON item into the keyword arguments of ``actions.publish_item_version``."""
    if not isinstance(data, dict):
        raise ValidationError(_("每个事项必须是一个对象。"))
    code = data.get("implementation_code")
    if not isinstance(code, str) or not code.strip():
        raise ValidationError(_("缺少实施编码。"))
    elements = data.get("elements")
    if not isinstance(elements, dict):
        raise ValidationError(_("事项 %(code)s 缺少要素。") % {"code": code})
    unknown = set(elements) - set(ELEMENT_FIELDS)
    if unknown:
        raise ValidationError(
            _("事项 %(code)s 含有未知要素：%(names)s。")
            % {"code": code, "names": "、".join(sorted(unknown))}
        )
    files = _previous_files(code.strip())
    materials = []
    for entry in data.get("materials") or []:
        if not isinstance(entry, dict) or any(k not in entry for k in MATERIAL_FIELDS):
            raise ValidationError(_("事项 %(code)s 的材料格式不正确。") % {"code": code})
        material = {k: entry[k] for k in MATERIAL_FIELDS}
        material.update(files.get(entry["name"], {}))
        materials.append(material)
    stages = []
    for entry in data.get("stages") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("departments"), list):
            raise ValidationError(_("事项 %(code)s 的环节格式不正确。") % {"code": code})
        departments, duties = [], {}
        for department in entry["departments"]:
            if not isinstance(department, dict):
                raise ValidationError(_("事项 %(code)s 的环节格式不正确。") % {"code": code})
            organisation = find_organisation(department.get("organisation"))
            departments.append(organisation)
            duties[organisation.pk] = str(department.get("duty") or "")
        stages.append(
            {
                "name": entry.get("name", ""),
                "limit_working_days": entry.get("limit_working_days", 0),
                "refusal_ends_stage": bool(entry.get("refusal_ends_stage", True)),
                "departments": departments,
                "duties": duties,
            }
        )
    return {
        "organisation": find_organisation(data.get("organisation")),
        "implementation_code": code.strip(),
        "elements": dict(elements),
        "materials": materials,
        "stages": stages,
    }
