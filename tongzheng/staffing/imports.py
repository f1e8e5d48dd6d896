"""Excel import and export of units and real-name personnel (单位和实名人员的导入导出).

``validate_file`` checks every row of a template file and collects every problem with
its sheet, row number and reason; ``import_file`` re-validates the same bytes inside one
transaction (after locking the affected units) and writes everything or nothing, with one
audit event for the batch. ``export_workbook`` writes the caller's units and personnel
in the template layout, ID numbers masked. See docs/staffing-import.md.
"""

from __future__ import annotations

import datetime
import hmac
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import DataScope, require_permission, scope_for
from tongzheng.core.crypto import seal, sm3_hex
from tongzheng.core.models import Division, Organisation, OrganisationKind, Rank
from tongzheng.core.validators import resident_id_problem, uscc_problem
from tongzheng.staffing import excel
from tongzheng.staffing.models import (
    EstablishmentType,
    LeadershipPost,
    Person,
    PersonStatus,
    PostLedgerEntry,
    QuotaLedgerEntry,
    QuotaUseNotice,
)

IMPORT_PERMISSION = "staffing.import_personnel"
EXPORT_PERMISSION = "staffing.view_person"
AUDIT_ACTION = "staffing.personnel_imported"
BATCH_SIZE = 2000
CHUNK = 5000  # ids per IN (...) query
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Test hook: after half the batches, sleep this many seconds (and write the marker file),
# so that a test can kill the process in the middle of an import.
PAUSE_ENV = "TONGZHENG_IMPORT_TEST_PAUSE"
MARKER_ENV = "TONGZHENG_IMPORT_TEST_MARKER"


def max_upload_bytes() -> int:
    return int(getattr(settings, "STAFFING_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # the Excel row number; None for a problem of the whole file
    column: str
    message: str


@dataclass
class UnitRow:
    row: int
    name: str
    uscc: str | None
    division: Division
    kind: str
    category: str
    rank: str
    subordination: str
    short_name: str
    parent_id: int | None = None  # an existing organisation
    parent_row: int | None = None  # a unit earlier in the file


@dataclass
class PersonRow:
    row: int
    name: str
    gender: str
    id_number: str
    index: str
    birth_date: datetime.date
    organisation_id: int | None  # an existing organisation ...
    unit_row: int | None  # ... or a unit of this file
    establishment_type_id: int | None
    post: str
    entered_at: datetime.date | None
    entry_method: str


@dataclass
class Validation:
    digest: str
    problems: list[Problem] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # The unit sheet as read: USCC or name → row, and row → its values (for personnel rows).
    unit_refs: dict[str, int] = field(default_factory=dict)
    unit_values: dict[int, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, column, message))

    def sorted_problems(self) -> list[Problem]:
        order = {excel.UNIT_SHEET: 0, excel.PERSON_SHEET: 1}
        return sorted(self.problems, key=lambda p: (order.get(p.sheet, -1), p.row or 0))

    def summary(self) -> dict:
        return {
            "units": len(self.units),
            "personnel": len(self.people),
            "in_establishment": sum(1 for p in self.people if p.establishment_type_id),
            "outside_establishment": sum(1 for p in self.people if not p.establishment_type_id),
        }


class ImportRefused(Exception):
    """The file has problems (``validation.problems``); nothing was written."""

    def __init__(self, validation: Validation):
        super().__init__(
            _("文件有 %(n)d 个问题，未导入任何数据。") % {"n": len(validation.problems)}
        )
        self.validation = validation


# --- Reading and checking --------------------------------------------------------------------


def too_big_message() -> str:
    return _("文件太大：最大 %(mb)d MB。") % {"mb": max_upload_bytes() // (1024 * 1024)}


def file_problem(data: bytes) -> str | None:
    """A reason to refuse the upload before reading it: empty, too big, not an .xlsx."""
    if not data:
        return _("文件为空。")
    if len(data) > max_upload_bytes():
        return too_big_message()
    if not data.startswith(excel.ZIP_MAGIC):
        return _("文件不是 .xlsx 工作簿（请使用下载的导入模板，另存为 Excel 工作簿 .xlsx）。")
    return None


def _chunks(values, size=CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rows(sheet_rows, columns, validation: Validation, sheet: str):
    """(row number, {key: text}) of every non-empty data row; header problems recorded."""
    if not sheet_rows:
        return []
    positions, missing = excel.header_map(sheet_rows[0], columns)
    if missing:
        validation.add(sheet, 1, "", _("缺少列：%(columns)s。") % {"columns": "、".join(missing)})
        return []
    out = []
    text = excel.text
    items = list(positions.items())
    width = max(positions.values()) + 1
    for number, raw in enumerate(sheet_rows[1:], start=2):
        if len(raw) < width:
            raw = [*raw, *([""] * (width - len(raw)))]
        values = {}
        filled = False
        for key, index in items:
            value = raw[index]
            if type(value) is str:
                value = value.strip()
            elif key != "entered_at":
                value = text(value)
            if value != "" and value is not None:
                filled = True
            values[key] = value
        if filled:
            out.append((number, values))
    return out


def _date(value) -> datetime.date | None | str:
    """A cell as a date; "" when empty; the string "bad" when it is not a date."""
    if value in ("", None):
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(excel.text(value).replace("/", "-"))
    except ValueError:
        return "bad"


class Scope:
    """Which organisations and divisions the importer may write to."""

    def __init__(self, user, permission: str):
        self.user = user
        self.permission = permission
        self.level = scope_for(user, permission)

    def allowed_organisation_ids(self, ids) -> set[int]:
        allowed = set()
        for chunk in _chunks(ids):
            allowed.update(
                Organisation.objects.for_user(self.user, self.permission)
                .filter(id__in=chunk)
                .values_list("id", flat=True)
            )
        return allowed

    def allows_division(self, division: Division) -> bool:
        if self.level == DataScope.ALL:
            return True
        organisation = getattr(self.user, "organisation", None)
        if self.level == DataScope.DIVISION_AND_BELOW and organisation is not None:
            return division.path.startswith(organisation.division_path)
        return False


@dataclass
class Parsed:
    """A file read once: its bytes' digest and size, and its data rows by sheet."""

    digest: str
    size: int
    validation: Validation  # problems of the file itself (type, size, headers)
    unit_rows: list = field(default_factory=list)
    person_rows: list = field(default_factory=list)
    read_seconds: float = 0.0


def parse_file(path) -> Parsed:
    started = time.perf_counter()
    data = Path(path).read_bytes()
    digest = sm3_hex(data)
    validation = Validation(digest=digest)
    parsed = Parsed(digest=digest, size=len(data), validation=validation)
    if problem := file_problem(data):
        validation.add("", None, "", problem)
        return parsed
    try:
        sheets = excel.read_sheets(data)
    except excel.UnreadableWorkbook:
        validation.add("", None, "", _("无法读取文件：不是有效的 .xlsx 工作簿。"))
        return parsed
    if excel.UNIT_SHEET not in sheets and excel.PERSON_SHEET not in sheets:
        validation.add("", None, "", _("文件中没有“单位”或“人员”工作表，请使用下载的导入模板。"))
        return parsed
    parsed.unit_rows = _rows(
        sheets.get(excel.UNIT_SHEET, []), excel.UNIT_COLUMNS, validation, excel.UNIT_SHEET
    )
    parsed.person_rows = _rows(
        sheets.get(excel.PERSON_SHEET, []), excel.PERSON_COLUMNS, validation, excel.PERSON_SHEET
    )
    if not validation.problems and not parsed.unit_rows and not parsed.person_rows:
        validation.add("", None, "", _("文件中没有数据行。"))
    parsed.read_seconds = time.perf_counter() - started
    return parsed


def validate_file(*, actor, path, permission: str = IMPORT_PERMISSION) -> Validation:
    """Check every row of the file at ``path``; nothing is written."""
    return validate_parsed(actor=actor, parsed=parse_file(path), permission=permission)


def validate_parsed(*, actor, parsed: Parsed, permission: str = IMPORT_PERMISSION) -> Validation:
    validation = Validation(digest=parsed.digest, problems=list(parsed.validation.problems))
    validation.timings["read"] = parsed.read_seconds
    if validation.problems:
        return validation
    started = time.perf_counter()
    scope = Scope(actor, permission)
    _check_units(parsed.unit_rows, validation, scope)
    validation.timings["units"] = time.perf_counter() - started
    checked = time.perf_counter()
    _check_people(parsed.person_rows, validation, scope)
    validation.timings["personnel"] = time.perf_counter() - checked
    validation.timings["total"] = time.perf_counter() - started + parsed.read_seconds
    return validation


def _find_organisations(*, usccs=(), names=()) -> tuple[dict, dict]:
    """Existing organisations by USCC and by (name, division code): one query per chunk."""
    by_uscc, by_name = {}, defaultdict(list)
    for chunk in _chunks(set(usccs)):
        for oid, code in Organisation.objects.filter(uscc__in=chunk).values_list("id", "uscc"):
            by_uscc[code] = oid
    for chunk in _chunks({name for name, _division in names}):
        rows = Organisation.objects.filter(name__in=chunk).values_list(
            "id", "name", "division__code"
        )
        for oid, name, code in rows:
            by_name[(name, code)].append(oid)
    return by_uscc, by_name


def _check_units(rows, validation: Validation, scope: Scope) -> None:
    if not rows:
        return
    sheet = excel.UNIT_SHEET
    choices = excel.unit_choices()
    divisions = {
        d.code: d
        for d in Division.objects.filter(
            code__in={v["division"] for _n, v in rows if v["division"]}
        )
    }
    usccs = {v["uscc"].upper() for _n, v in rows if v["uscc"]}
    references = {v["parent"] for _n, v in rows if v["parent"]}
    by_uscc, _unused = _find_organisations(usccs=usccs | {r.upper() for r in references})
    parents_by_name = defaultdict(list)
    for oid, name in Organisation.objects.filter(name__in=references).values_list("id", "name"):
        parents_by_name[name].append(oid)
    names = [(v["name"], v["division"]) for _n, v in rows if v["name"]]
    _unused, existing_by_name = _find_organisations(names=names)
    parent_ids = set(by_uscc.values()) | {i for ids in parents_by_name.values() for i in ids}
    allowed = scope.allowed_organisation_ids(parent_ids)

    seen_uscc: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    file_by_ref: dict[str, int] = {}  # USCC or name of a unit earlier in the file → its row
    for number, values in rows:
        before = len(validation.problems)

        def bad(column, message, number=number):
            validation.add(sheet, number, column, message)

        name = values["name"]
        if not name:
            bad("单位名称", _("单位名称必填。"))
        elif len(name) > 200:
            bad("单位名称", _("单位名称不能超过200个字符。"))
        code = values["uscc"].upper() or None
        if code:
            if problem := uscc_problem(code):
                bad("统一社会信用代码", problem)
            elif code in seen_uscc:
                bad(
                    "统一社会信用代码",
                    _("统一社会信用代码与本文件第 %(row)d 行重复。") % {"row": seen_uscc[code]},
                )
            elif code in by_uscc:
                bad("统一社会信用代码", _("统一社会信用代码已被系统中的单位使用。"))
            seen_uscc.setdefault(code, number)
        division = divisions.get(values["division"])
        if not values["division"]:
            bad("区划代码", _("区划代码必填。"))
        elif division is None:
            bad("区划代码", _("区划代码 %(code)s 不存在。") % {"code": values["division"]})
        if name and division is not None:
            key = (name, division.code)
            if key in seen_name:
                bad(
                    "单位名称",
                    _("同一区划下的单位名称与本文件第 %(row)d 行重复。") % {"row": seen_name[key]},
                )
            elif existing_by_name.get(key):
                bad("单位名称", _("该区划下已有同名单位。"))
            seen_name.setdefault(key, number)
        enum = {}
        for key, header in (
            ("kind", "机构类型"),
            ("category", "机构类别"),
            ("subordination", "隶属关系"),
        ):
            label = values[key]
            if not label:
                bad(header, _("%(column)s必填。") % {"column": header})
            elif label not in choices[key]:
                bad(
                    header,
                    _("%(column)s“%(value)s”不在可选范围内。") % {"column": header, "value": label},
                )
            else:
                enum[key] = choices[key][label]
        rank = Rank.UNRANKED
        if values["rank"]:
            if values["rank"] not in choices["rank"]:
                bad(
                    "机构级别", _("机构级别“%(value)s”不在可选范围内。") % {"value": values["rank"]}
                )
            else:
                rank = choices["rank"][values["rank"]]
        parent_id = parent_row = None
        reference = values["parent"]
        if reference:
            if reference in file_by_ref or reference.upper() in file_by_ref:
                parent_row = file_by_ref.get(reference, file_by_ref.get(reference.upper()))
            else:
                candidates = (
                    [by_uscc[reference.upper()]]
                    if reference.upper() in by_uscc
                    else parents_by_name.get(reference, [])
                )
                if not candidates:
                    bad("上级单位", _("找不到上级单位“%(ref)s”。") % {"ref": reference})
                elif len(candidates) > 1:
                    bad(
                        "上级单位",
                        _("有多个名为“%(ref)s”的单位，请填写统一社会信用代码。")
                        % {"ref": reference},
                    )
                elif candidates[0] not in allowed:
                    bad("上级单位", _("上级单位“%(ref)s”不在您的数据范围内。") % {"ref": reference})
                else:
                    parent_id = candidates[0]
        elif enum.get("kind") == OrganisationKind.INTERNAL_DEPARTMENT:
            bad("上级单位", _("内设机构必须填写上级单位。"))
        top_level = parent_id is None and parent_row is None
        if division is not None and top_level and not scope.allows_division(division):
            bad("区划代码", _("区划 %(code)s 不在您的数据范围内。") % {"code": division.code})
        if len(values["short_name"]) > 100:
            bad("简称", _("简称不能超过100个字符。"))
        if len(validation.problems) == before:
            validation.units.append(
                UnitRow(
                    row=number,
                    name=name,
                    uscc=code,
                    division=division,
                    kind=enum["kind"],
                    category=enum["category"],
                    rank=rank,
                    subordination=enum["subordination"],
                    short_name=values["short_name"],
                    parent_id=parent_id,
                    parent_row=parent_row,
                )
            )
        # Later rows may refer to this one even when it has problems (reported once, here).
        if code:
            file_by_ref.setdefault(code, number)
        if name:
            file_by_ref.setdefault(name, number)
    validation.unit_refs = file_by_ref
    validation.unit_values = dict(rows)


def _check_people(rows, validation: Validation, scope: Scope) -> None:
    if not rows:
        return
    sheet = excel.PERSON_SHEET
    choices = excel.person_choices()
    gender_label = {v: k for k, v in choices["gender"].items()}
    types = {t.name: t for t in EstablishmentType.objects.filter(is_active=True)}
    file_units = validation.unit_refs
    file_unit_names = {}
    for number, values in validation.unit_values.items():
        file_unit_names.setdefault((values["name"], values["division"]), number)
    good_unit_rows = {u.row for u in validation.units}

    usccs = {v["unit_uscc"].upper() for _n, v in rows if v["unit_uscc"]}
    names = {
        (v["unit_name"], v["unit_division"])
        for _n, v in rows
        if not v["unit_uscc"] and v["unit_name"]
    }
    by_uscc, by_name = _find_organisations(usccs=usccs, names=names)
    candidate_ids = set(by_uscc.values()) | {i for ids in by_name.values() for i in ids}
    allowed = scope.allowed_organisation_ids(candidate_ids)
    organisation_names = {}
    for chunk in _chunks(candidate_ids):
        organisation_names.update(
            Organisation.objects.filter(id__in=chunk).values_list("id", "name")
        )

    # Blind indexes of every well-formed ID, then one IN query per chunk for those in use.
    indexes = {}
    blind_index = _blind_indexer()
    for _number, values in rows:
        number_text = values["id_number"].upper()
        if number_text and number_text not in indexes:
            indexes[number_text] = blind_index(number_text)
    in_database = _indexes_in_use(indexes.values())

    seen: dict[str, int] = {}
    for number, values in rows:
        before = len(validation.problems)

        def bad(column, message, number=number):
            validation.add(sheet, number, column, message)

        name = values["name"]
        if not name:
            bad("姓名", _("姓名必填。"))
        elif len(name) > 50:
            bad("姓名", _("姓名不能超过50个字符。"))
        id_number = values["id_number"].upper()
        birth = None
        if not id_number:
            bad("身份证号码", _("身份证号码必填。"))
        elif "*" in id_number:
            bad("身份证号码", _("身份证号码已脱敏（导出文件中的号码不能直接导入）。"))
        elif problem := resident_id_problem(id_number):
            bad("身份证号码", problem)
        else:
            birth = datetime.date(
                int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
            )
            if id_number in seen:
                bad(
                    "身份证号码",
                    _("身份证号码与本文件第 %(row)d 行重复。") % {"row": seen[id_number]},
                )
            elif indexes[id_number] in in_database:
                bad("身份证号码", _("系统中已有该身份证号码的在职或离退人员。"))
            seen.setdefault(id_number, number)
        gender = choices["gender"].get(values["gender"])
        if not values["gender"]:
            bad("性别", _("性别必填。"))
        elif gender is None:
            bad("性别", _("性别应为“男”或“女”。"))
        elif birth is not None:
            from_id = "1" if int(id_number[16]) % 2 else "2"
            if from_id != gender:
                bad(
                    "性别",
                    _("性别“%(given)s”与身份证号码（%(expected)s）不一致。")
                    % {"given": values["gender"], "expected": gender_label[from_id]},
                )

        organisation_id = unit_row = None
        code = values["unit_uscc"].upper()
        if code:
            if code in by_uscc:
                organisation_id = by_uscc[code]
            elif code in file_units:
                unit_row = file_units[code]
            else:
                bad(
                    "所在单位统一社会信用代码",
                    _("找不到统一社会信用代码为 %(code)s 的单位。") % {"code": code},
                )
        elif values["unit_name"]:
            key = (values["unit_name"], values["unit_division"])
            if not values["unit_division"]:
                bad("所在单位区划代码", _("按单位名称查找时，所在单位区划代码必填。"))
            elif by_name.get(key):
                if len(by_name[key]) > 1:
                    bad("所在单位名称", _("该区划下有多个同名单位，请填写统一社会信用代码。"))
                else:
                    organisation_id = by_name[key][0]
            elif key in file_unit_names:
                unit_row = file_unit_names[key]
            else:
                bad(
                    "所在单位名称",
                    _("区划 %(division)s 下找不到单位“%(name)s”。")
                    % {"division": values["unit_division"], "name": values["unit_name"]},
                )
        else:
            bad("所在单位", _("请填写所在单位统一社会信用代码，或所在单位名称和区划代码。"))
        if organisation_id is not None and organisation_id not in allowed:
            bad(
                "所在单位",
                _("单位“%(name)s”不在您的数据范围内。")
                % {"name": organisation_names[organisation_id]},
            )
        if unit_row is not None and unit_row not in good_unit_rows:
            bad(
                "所在单位",
                _("所在单位（单位表第 %(row)d 行）有问题，请先改正该行。") % {"row": unit_row},
            )

        establishment_type = None
        if values["establishment_type"]:
            establishment_type = types.get(values["establishment_type"])
            if establishment_type is None:
                bad(
                    "编制类型",
                    _("编制类型“%(value)s”不存在或已停用。")
                    % {"value": values["establishment_type"]},
                )
        post = LeadershipPost.NONE
        if values["post"]:
            post = choices["post"].get(values["post"])
            if post is None:
                bad("职务", _("职务“%(value)s”不在可选范围内。") % {"value": values["post"]})
        entered_at = _date(values["entered_at"])
        if entered_at == "bad":
            bad("入编时间", _("入编时间不是有效日期（格式 YYYY-MM-DD）。"))
        elif entered_at and birth and entered_at < birth:
            bad("入编时间", _("入编时间早于出生日期。"))
        entry_method = values["entry_method"]
        if entry_method and entry_method not in choices["entry_method"]:
            bad("进入方式", _("进入方式“%(value)s”不在可选范围内。") % {"value": entry_method})

        if len(validation.problems) == before:
            validation.people.append(
                PersonRow(
                    row=number,
                    name=name,
                    gender=gender,
                    id_number=id_number,
                    index=indexes[id_number],
                    birth_date=birth,
                    organisation_id=organisation_id,
                    unit_row=unit_row,
                    establishment_type_id=establishment_type.id if establishment_type else None,
                    post=post,
                    entered_at=entered_at or None,
                    entry_method=entry_method,
                )
            )
    _check_quotas(validation, types)


@dataclass
class Usage:
    """Per (organisation id, type id or post): approved, occupied and promised counts."""

    approved: Counter = field(default_factory=Counter)
    occupied: Counter = field(default_factory=Counter)
    promised: Counter = field(default_factory=Counter)  # unused slots of valid 控编通知单


def _indexes_in_use(indexes) -> set[str]:
    """The blind indexes held by serving or retired personnel (not history rows).

    PostgreSQL: one array parameter per chunk (``= ANY(%s)``) instead of thousands of
    bound values; elsewhere the same filter through the ORM's ``IN``.
    """
    found = set()
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Person._meta.db_table)
        sql = (
            f"SELECT id_number_index FROM {table}"  # noqa: S608 - the name comes from _meta
            " WHERE id_number_index = ANY(%s) AND status <> %s"
        )
        with connection.cursor() as cursor:
            for chunk in _chunks(indexes, 20000):
                cursor.execute(sql, [chunk, PersonStatus.HISTORY.value])
                found.update(row[0] for row in cursor.fetchall())
        return found
    for chunk in _chunks(indexes):
        found.update(
            Person.objects.filter(id_number_index__in=chunk)
            .exclude(status=PersonStatus.HISTORY)
            .values_list("id_number_index", flat=True)
        )
    return found


def quota_usage(organisation_ids) -> Usage:
    """Establishment figures of a set of units: one query of each kind per chunk."""
    usage = Usage()
    for chunk in _chunks(organisation_ids):
        for row in QuotaLedgerEntry.objects.filter(organisation_id__in=chunk).approved_totals():
            key = (row["organisation_id"], row["establishment_type_id"])
            usage.approved[key] = row["approved"] or 0
        rows = (
            Person.objects.occupying()
            .filter(organisation_id__in=chunk)
            .order_by()
            .values("organisation_id", "establishment_type_id")
            .annotate(n=Count("id"))
        )
        for row in rows:
            usage.occupied[(row["organisation_id"], row["establishment_type_id"])] = row["n"]
        rows = (
            QuotaUseNotice.objects.valid()
            .filter(organisation_id__in=chunk)
            .order_by()
            .values("organisation_id", "establishment_type_id")
            .annotate(n=Sum(F("slots") - F("slots_used")))
        )
        for row in rows:
            usage.promised[(row["organisation_id"], row["establishment_type_id"])] = row["n"] or 0
    return usage


def post_usage(organisation_ids) -> Usage:
    """Leadership-post figures (领导职数) of a set of units, per (organisation id, post)."""
    usage = Usage()
    for chunk in _chunks(organisation_ids):
        for row in PostLedgerEntry.objects.filter(organisation_id__in=chunk).approved_totals():
            usage.approved[(row["organisation_id"], row["post"])] = row["approved"] or 0
        rows = (
            Person.objects.serving()
            .filter(organisation_id__in=chunk)
            .exclude(post=LeadershipPost.NONE)
            .order_by()
            .values("organisation_id", "post")
            .annotate(n=Count("id"))
        )
        for row in rows:
            usage.occupied[(row["organisation_id"], row["post"])] = row["n"]
    return usage


def _check_quotas(validation: Validation, types) -> None:
    """超编 / 超职数: occupied (+ promised) + this file's rows > approved.

    Per unit and establishment type (the unused slots of valid 控编通知单 count as taken,
    as for a movement), and per unit and leadership post. The rows that do not fit, in
    file order, are reported.
    """
    slot_groups, post_groups = defaultdict(list), defaultdict(list)
    for person in validation.people:
        unit = person.organisation_id or f"row{person.unit_row}"
        if person.establishment_type_id:
            slot_groups[(unit, person.establishment_type_id)].append(person)
        if person.post != LeadershipPost.NONE:
            post_groups[(unit, person.post)].append(person)
    if not slot_groups and not post_groups:
        return
    existing = {unit for unit, _k in (*slot_groups, *post_groups) if isinstance(unit, int)}
    unit_names = {}
    for chunk in _chunks(existing):
        unit_names.update(Organisation.objects.filter(id__in=chunk).values_list("id", "name"))

    def unit_name(unit, people):
        if isinstance(unit, int):
            return unit_names.get(unit, "")
        return validation.unit_values.get(people[0].unit_row, {}).get("name", "")

    over_rows = set()
    slots = quota_usage({u for u, _t in slot_groups if isinstance(u, int)})
    type_names = {t.id: t.name for t in types.values()}
    for (unit, type_id), people in slot_groups.items():
        have = slots.approved.get((unit, type_id), 0)
        used = slots.occupied.get((unit, type_id), 0)
        promised = slots.promised.get((unit, type_id), 0)
        free = max(0, have - used - promised)
        if len(people) <= free:
            continue
        message = _(
            "超编：%(unit)s 的%(type)s核定 %(approved)d 名、实有 %(occupied)d 名、"
            "已核准待用（控编通知单）%(promised)d 名，本文件新增 %(adding)d 名，只能再进 %(free)d 名。"
        ) % {
            "unit": unit_name(unit, people),
            "type": type_names.get(type_id, ""),
            "approved": have,
            "occupied": used,
            "promised": promised,
            "adding": len(people),
            "free": free,
        }
        for person in people[free:]:
            validation.add(excel.PERSON_SHEET, person.row, "编制类型", message)
            over_rows.add(person.row)

    posts = post_usage({u for u, _p in post_groups if isinstance(u, int)})
    post_labels = dict(LeadershipPost.choices)
    for (unit, post), people in post_groups.items():
        have = posts.approved.get((unit, post), 0)
        used = posts.occupied.get((unit, post), 0)
        free = max(0, have - used)
        if len(people) <= free:
            continue
        message = _(
            "超职数：%(unit)s 的%(post)s核定 %(approved)d 名、已配备 %(occupied)d 名，"
            "本文件新增 %(adding)d 名，只能再配 %(free)d 名。"
        ) % {
            "unit": unit_name(unit, people),
            "post": post_labels.get(post, post),
            "approved": have,
            "occupied": used,
            "adding": len(people),
            "free": free,
        }
        for person in people[free:]:
            validation.add(excel.PERSON_SHEET, person.row, "职务", message)
            over_rows.add(person.row)
    validation.people = [p for p in validation.people if p.row not in over_rows]


# --- Importing ------------------------------------------------------------------------------


def _pause_for_tests(done: int, total: int) -> None:
    pause = os.environ.get(PAUSE_ENV)
    if pause and not settings.PRODUCTION and done == total // 2:
        marker = os.environ.get(MARKER_ENV)
        if marker:
            Path(marker).write_text(str(Person.objects.count()))
        time.sleep(float(pause))


def _lock_organisations(ids) -> None:
    """Row locks on the affected units, in id order (the order movements lock in too)."""
    for chunk in _chunks(sorted(ids)):
        list(
            Organisation.objects.select_for_update()
            .filter(id__in=chunk)
            .order_by("id")
            .values_list("id", flat=True)
        )


def _referenced_organisations(rows) -> set[int]:
    """Ids of the existing units a file's personnel rows name (to lock them first)."""
    usccs = {v["unit_uscc"].upper() for _n, v in rows if v["unit_uscc"]}
    names = {
        (v["unit_name"], v["unit_division"])
        for _n, v in rows
        if not v["unit_uscc"] and v["unit_name"]
    }
    by_uscc, by_name = _find_organisations(usccs=usccs, names=names)
    return set(by_uscc.values()) | {i for ids in by_name.values() for i in ids}


def import_file(*, actor, path, expected_digest: str | None = None, request=None) -> Validation:
    """Validate and import the file at ``path`` in one transaction: everything or nothing.

    Raises ``ImportRefused`` (nothing written) when any row has a problem, or when the
    file's SM3 digest is not ``expected_digest`` (the file validated must be the file
    imported).
    """
    with transaction.atomic():
        require_permission(actor, IMPORT_PERMISSION)
        parsed = parse_file(path)
        digest = parsed.digest
        if expected_digest is not None and digest != expected_digest:
            refused = Validation(digest=digest)
            refused.add("", None, "", _("文件在校验后被修改，请重新上传。"))
            raise ImportRefused(refused)
        _lock_organisations(_referenced_organisations(parsed.person_rows))
        validation = validate_parsed(actor=actor, parsed=parsed)
        if not validation.ok:
            raise ImportRefused(validation)
        started = time.perf_counter()
        created_units = _create_units(validation)
        try:
            with transaction.atomic():
                _create_people(validation, created_units)
        except IntegrityError as exc:
            # Only a writer that bypassed the locks could get here (e.g. a duplicate ID).
            refused = Validation(digest=digest)
            refused.add("", None, "", _("导入时发现数据冲突，请重新校验后再试：%(e)s") % {"e": exc})
            raise ImportRefused(refused) from exc
        validation.timings["write"] = time.perf_counter() - started
        entry_methods = Counter(p.entry_method for p in validation.people if p.entry_method)
        per_unit = Counter(
            p.organisation_id or created_units[p.unit_row] for p in validation.people
        )
        record_event(
            actor=actor,
            action=AUDIT_ACTION,
            request=request,
            detail={
                **validation.summary(),
                "file_sm3": digest,
                "file_bytes": parsed.size,
                "unit_ids": sorted(created_units.values())[:1000],
                "personnel_per_unit": {str(k): v for k, v in sorted(per_unit.items())[:1000]},
                "entry_methods": dict(entry_methods),
            },
        )
        return validation


def _create_units(validation: Validation) -> dict[int, int]:
    """Create the file's units in file order (a parent before its children); row → id."""
    created = {}
    for unit in validation.units:
        parent_id = unit.parent_id if unit.parent_id else created.get(unit.parent_row)
        organisation = Organisation(
            name=unit.name,
            short_name=unit.short_name,
            kind=unit.kind,
            category=unit.category,
            rank=unit.rank,
            subordination=unit.subordination,
            uscc=unit.uscc,
            division=unit.division,
            parent_id=parent_id,
        )
        organisation.full_clean(validate_unique=False)
        organisation.save()
        created[unit.row] = organisation.pk
    return created


def _create_people(validation: Validation, created_units: dict[int, int]) -> None:
    division_paths = {}
    ids = {p.organisation_id for p in validation.people if p.organisation_id} | set(
        created_units.values()
    )
    for chunk in _chunks(ids):
        division_paths.update(
            Organisation.objects.filter(id__in=chunk).values_list("id", "division_path")
        )
    people = validation.people
    insert = _person_inserter()
    batches = [people[i : i + BATCH_SIZE] for i in range(0, len(people), BATCH_SIZE)]
    adapt_date = connection.ops.adapt_datefield_value
    for done, batch in enumerate(batches):
        values = []
        for row in batch:
            organisation_id = row.organisation_id or created_units[row.unit_row]
            values.append(
                insert.row(
                    organisation_id=organisation_id,
                    division_path=division_paths[organisation_id],
                    name=row.name,
                    gender=row.gender,
                    birth_date=adapt_date(row.birth_date),
                    # Sealed here; the blind index was computed once, during validation.
                    id_number_sealed=seal(row.id_number),
                    id_number_index=row.index,
                    establishment_type_id=row.establishment_type_id,
                    post=row.post,
                    status=PersonStatus.SERVING,
                    entered_at=adapt_date(row.entered_at),
                )
            )
        insert(values)
        _pause_for_tests(done + 1, len(batches))


class _person_inserter:  # noqa: N801 - used like a function
    """Plain multi-row inserts of Person rows: COPY on PostgreSQL, executemany elsewhere.

    Measured: building a Person instance and bulk_create's per-field preparation cost
    about 0.5 ms a row under load, more than everything else of the import together. The
    columns are every concrete field; those the import does not set get the value Django
    would give a new Person (its defaults, auto_now(_add) timestamps), computed once.
    """

    def __init__(self):
        fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
        prototype = Person()
        self.template = [
            f.get_db_prep_save(f.pre_save(prototype, add=True), connection) for f in fields
        ]
        self.position = {f.attname: i for i, f in enumerate(fields)}
        quote = connection.ops.quote_name
        self.table = quote(Person._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        self.placeholders = ", ".join(["%s"] * len(fields))

    def row(self, **values) -> tuple:
        row = list(self.template)
        for name, value in values.items():
            row[self.position[name]] = value
        return tuple(row)

    def __call__(self, rows) -> None:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.columns}) VALUES ({self.placeholders})",  # noqa: S608
                rows,
            )


def _blind_indexer():
    """``core.crypto.blind_index`` with the HMAC key schedule done once (a copy per value).

    Must equal ``blind_index`` for every value (tested): same key, normalisation, digest.
    """
    prototype = hmac.new(bytes.fromhex(settings.INDEX_KEY), digestmod="sm3")

    def index(value: str) -> str:
        digest = prototype.copy()
        digest.update(value.strip().upper().encode())
        return digest.hexdigest()

    return index


# --- Export ---------------------------------------------------------------------------------


EXPORT_AUDIT_ACTION = "staffing.personnel_exported"


def export_workbook(*, actor, request=None) -> bytes:
    """The caller's units and personnel in the template layout; ID numbers masked.

    A list of personal data leaving the system: one audit event with the counts.
    """
    require_permission(actor, EXPORT_PERMISSION)
    labels = excel.unit_choices()
    reverse = {key: {v: k for k, v in mapping.items()} for key, mapping in labels.items()}
    organisations = (
        Organisation.objects.for_user(actor, EXPORT_PERMISSION)
        .select_related("division", "parent")
        .order_by("path")
    )
    unit_rows = [
        (
            o.name,
            o.uscc or "",
            (o.parent.uscc or o.parent.name) if o.parent else "",
            o.division.code,
            reverse["kind"].get(o.kind, ""),
            reverse["category"].get(o.category, ""),
            reverse["rank"].get(o.rank, ""),
            reverse["subordination"].get(o.subordination, ""),
            o.short_name,
        )
        for o in organisations.iterator(chunk_size=2000)
    ]
    person_labels = excel.person_choices()
    gender = {v: k for k, v in person_labels["gender"].items()}
    post = {v: k for k, v in person_labels["post"].items()}

    exported = Counter()

    def person_rows():
        people = (
            Person.objects.for_user(actor, EXPORT_PERMISSION)
            .exclude(status=PersonStatus.HISTORY)
            .select_related("organisation__division", "establishment_type")
            .order_by("organisation_id", "id")
        )
        for p in people.iterator(chunk_size=2000):
            exported["personnel"] += 1
            yield (
                p.name,
                gender.get(p.gender, ""),
                p.masked_id_number,
                p.organisation.uscc or "",
                p.organisation.name,
                p.organisation.division.code,
                p.establishment_type.name if p.establishment_type else "",
                post.get(p.post, ""),
                p.entered_at.isoformat() if p.entered_at else "",
                "",
            )

    data = excel.data_workbook(unit_rows=unit_rows, person_rows=person_rows())
    with transaction.atomic():
        record_event(
            actor=actor,
            action=EXPORT_AUDIT_ACTION,
            request=request,
            detail={
                "units": len(unit_rows),
                "personnel": exported["personnel"],
                "id_numbers": "masked",
                "file_sm3": sm3_hex(data),
            },
        )
    return data


# --- Stored uploads ---------------------------------------------------------------------------


def upload_dir(user) -> Path:
    return Path(settings.MEDIA_ROOT) / "staffing-imports" / str(user.pk)


def store_upload(user, data: bytes) -> str:
    """Keep the upload under MEDIA_ROOT, named by its SM3 digest; returns the digest."""
    digest = sm3_hex(data)
    directory = upload_dir(user)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{digest}.xlsx"
    if not target.exists():
        partial = directory / f"{digest}.partial"
        partial.write_bytes(data)
        partial.replace(target)
    return digest


def stored_upload(user, digest: str) -> Path | None:
    """The stored file for ``digest`` (a 64-hex SM3 digest) of this user, or None."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    path = upload_dir(user) / f"{digest}.xlsx"
    return path if path.is_file() else None
