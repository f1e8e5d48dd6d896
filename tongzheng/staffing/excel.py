"""The staffing import template (导入模板): its columns, the workbook generator and the reader.

One .xlsx with three sheets: 单位 (units), 人员 (personnel) and 说明 (a description of
every column). A hidden sheet 选项 holds the lists behind the drop-downs. Headers are in
row 1, data from row 2; rows are reported by their Excel row number. Columns are found
by their header, so their order may change; a missing required column is a file problem.

The same layout is used for the export, so an exported file goes back through the
import's validation (its rows are then reported as duplicates or masked ID numbers).

Reading uses python-calamine (Rust; measured about 10x faster than openpyxl's read_only
mode on 100,000 rows, see docs/benchmarks.md); openpyxl writes.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongzheng.core.models import OrganisationCategory, OrganisationKind, Rank, Subordination
from tongzheng.staffing.models import EstablishmentType, Gender, LeadershipPost

UNIT_SHEET = "单位"
PERSON_SHEET = "人员"
NOTES_SHEET = "说明"
OPTIONS_SHEET = "选项"
ERRORS_SHEET = "错误"
ZIP_MAGIC = b"PK\x03\x04"

# 进入方式 (DOMAIN.md §1). The Person model has no field for it yet: validated and counted
# in the audit record, not stored (see docs/staffing-import.md).
ENTRY_METHODS = ("公务员考录", "军转安置", "调入", "事业单位招聘", "其他")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header, also the lookup key when reading
    required: bool
    description: object  # lazy text for the 说明 sheet
    width: int = 16


UNIT_COLUMNS = (
    Column("name", "单位名称", True, gettext_lazy("单位全称，必填。"), 30),
    Column(
        "uscc",
        "统一社会信用代码",
        False,
        gettext_lazy("18位，按 GB 32100 校验；填写后不得与系统中或本文件中的其他单位重复。"),
        22,
    ),
    Column(
        "parent",
        "上级单位",
        False,
        gettext_lazy(
            "上级单位的统一社会信用代码或单位名称（系统中已有的单位，或本文件中位于上方的单位）；"
            "内设机构必填。上级单位须在您的数据范围内。"
        ),
        30,
    ),
    Column(
        "division",
        "区划代码",
        True,
        gettext_lazy(
            "单位所在行政区划的 GB/T 2260 代码（6位，乡级9位或12位），须在您的数据范围内。"
        ),
        12,
    ),
    Column(
        "kind",
        "机构类型",
        True,
        gettext_lazy("从下拉列表选择：党政机关、事业单位、群团机关、内设机构。"),
    ),
    Column(
        "category", "机构类别", True, gettext_lazy("从下拉列表选择，如：政府、党委、事业单位。")
    ),
    Column("rank", "机构级别", False, gettext_lazy("从下拉列表选择；不填为“未定级”。")),
    Column("subordination", "隶属关系", True, gettext_lazy("从下拉列表选择（GB/T 12404）。")),
    Column("short_name", "简称", False, gettext_lazy("单位简称，可不填。")),
)

PERSON_COLUMNS = (
    Column("name", "姓名", True, gettext_lazy("必填。"), 12),
    Column(
        "gender", "性别", True, gettext_lazy("男或女，须与身份证号码第17位一致（奇数为男）。"), 8
    ),
    Column(
        "id_number",
        "身份证号码",
        True,
        gettext_lazy(
            "18位居民身份证号码（GB 11643），请以文本格式填写；检查校验码、出生日期和地址码；"
            "不得在本文件中重复，也不得与系统中在职或离退人员重复。"
        ),
        22,
    ),
    Column(
        "unit_uscc",
        "所在单位统一社会信用代码",
        False,
        gettext_lazy("所在单位的统一社会信用代码。与下两列二选一：填写此列时按此列查找单位。"),
        22,
    ),
    Column(
        "unit_name",
        "所在单位名称",
        False,
        gettext_lazy("未填统一社会信用代码时，按“所在单位名称 + 所在单位区划代码”查找单位。"),
        30,
    ),
    Column(
        "unit_division", "所在单位区划代码", False, gettext_lazy("与“所在单位名称”一起使用。"), 12
    ),
    Column(
        "establishment_type",
        "编制类型",
        False,
        gettext_lazy(
            "从下拉列表选择；不填表示编外人员。填写时，所在单位该类型的实有数加本文件新增人数"
            "不得超过核定数（按编制台账计算）。"
        ),
        16,
    ),
    Column("post", "职务", False, gettext_lazy("从下拉列表选择；不填为“非领导职务”。"), 14),
    Column(
        "entered_at",
        "入编时间",
        False,
        gettext_lazy("日期，格式 YYYY-MM-DD（或 Excel 日期）。"),
        12,
    ),
    Column(
        "entry_method",
        "进入方式",
        False,
        gettext_lazy("从下拉列表选择：") + "、".join(ENTRY_METHODS) + "。",
        14,
    ),
)


def unit_choices() -> dict[str, dict[str, str]]:
    """Column key → {Chinese label: stored value} for the unit enumerations."""
    return {
        "kind": {str(label): value for value, label in OrganisationKind.choices},
        "category": {str(label): value for value, label in OrganisationCategory.choices},
        "rank": {str(label): value for value, label in Rank.choices},
        "subordination": {str(label): value for value, label in Subordination.choices},
    }


def person_choices() -> dict[str, dict[str, str]]:
    return {
        "gender": {str(label): value for value, label in Gender.choices},
        "post": {str(label): value for value, label in LeadershipPost.choices},
        "entry_method": {m: m for m in ENTRY_METHODS},
    }


def establishment_type_names() -> list[str]:
    return list(EstablishmentType.objects.filter(is_active=True).values_list("name", flat=True))


# --- Writing ------------------------------------------------------------------------------


def _workbook_with_headers(*, write_only: bool):
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


def _header_cells(sheet, columns, *, write_only: bool):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    cells = []
    for column in columns:
        label = column.header + ("*" if column.required else "")
        if write_only:
            cell = WriteOnlyCell(sheet, value=label)
        else:
            cell = sheet.cell(row=1, column=len(cells) + 1, value=label)
        cell.font = bold
        if column.required:
            cell.fill = fill
        cells.append(cell)
    return cells


def _set_widths(sheet, columns):
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def template_workbook(*, unit_rows=(), person_rows=()) -> bytes:
    """The documented template (with drop-downs and the 说明 sheet), optionally with data rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    units = workbook.active
    units.title = UNIT_SHEET
    people = workbook.create_sheet(PERSON_SHEET)
    notes = workbook.create_sheet(NOTES_SHEET)
    options = workbook.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"

    lists = {(UNIT_SHEET, key): list(values) for key, values in unit_choices().items()} | {
        (PERSON_SHEET, key): list(values) for key, values in person_choices().items()
    }
    lists[(PERSON_SHEET, "establishment_type")] = establishment_type_names()
    option_index = 0

    for sheet, columns, rows in (
        (units, UNIT_COLUMNS, unit_rows),
        (people, PERSON_COLUMNS, person_rows),
    ):
        _header_cells(sheet, columns, write_only=False)
        _set_widths(sheet, columns)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(list(row))
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            if column.key in ("id_number", "uscc", "unit_uscc", "division", "unit_division"):
                for cells in sheet.iter_cols(min_col=index, max_col=index, min_row=2):
                    for cell in cells:
                        cell.number_format = "@"
                sheet.column_dimensions[letter].number_format = "@"
            values = lists.get((sheet.title, column.key))
            if values is None:
                continue
            option_index += 1
            option_column = get_column_letter(option_index)
            options.cell(row=1, column=option_index, value=f"{sheet.title}.{column.header}")
            for offset, value in enumerate(values, start=2):
                options.cell(row=offset, column=option_index, value=value)
            last = max(2, len(values) + 1)
            reference = (
                f"{quote_sheetname(OPTIONS_SHEET)}!${option_column}$2:${option_column}${last}"
            )
            validation = DataValidation(
                type="list",
                formula1=reference,
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=_("无效的值"),
                error=_("请从下拉列表中选择。"),
            )
            validation.add(f"{letter}2:{letter}200000")
            sheet.add_data_validation(validation)

    notes.append([_("工作表"), _("列"), _("必填"), _("说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.append(["", "", "", _("第1行为列名，数据从第2行开始；列的顺序可以调整，列名不可修改。")])
    notes.append(
        [
            "",
            "",
            "",
            _("整个文件先全部校验：有任何问题时一条也不导入，并列出每个问题的工作表和行号。"),
        ]
    )
    for sheet_name, columns in ((UNIT_SHEET, UNIT_COLUMNS), (PERSON_SHEET, PERSON_COLUMNS)):
        for column in columns:
            notes.append(
                [
                    sheet_name,
                    column.header,
                    _("是") if column.required else _("否"),
                    str(column.description),
                ]
            )
    notes.column_dimensions["A"].width = 10
    notes.column_dimensions["B"].width = 26
    notes.column_dimensions["C"].width = 8
    notes.column_dimensions["D"].width = 100

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def data_workbook(*, unit_rows, person_rows) -> bytes:
    """A large export in the template's layout, streamed with openpyxl's write-only mode."""
    workbook = _workbook_with_headers(write_only=True)
    for title, columns, rows in (
        (UNIT_SHEET, UNIT_COLUMNS, unit_rows),
        (PERSON_SHEET, PERSON_COLUMNS, person_rows),
    ):
        sheet = workbook.create_sheet(title)
        _set_widths(sheet, columns)
        sheet.append(_header_cells(sheet, columns, write_only=True))
        for row in rows:
            sheet.append(list(row))
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append([_("本文件由系统导出，格式与导入模板相同；身份证号码已脱敏，不能直接再导入。")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_workbook(problems) -> bytes:
    """The problem list as an .xlsx (工作表 / 行号 / 列 / 问题)."""
    workbook = _workbook_with_headers(write_only=True)
    sheet = workbook.create_sheet(ERRORS_SHEET)
    sheet.append([_("工作表"), _("行号"), _("列"), _("问题")])
    for problem in problems:
        sheet.append([problem.sheet, problem.row, problem.column, problem.message])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------------------


class UnreadableWorkbook(Exception):
    """The bytes are not a readable .xlsx workbook."""


def read_sheets(data: bytes, reader: str = "calamine") -> dict[str, list[list]]:
    """Every sheet's rows (lists of cell values), by sheet name; "" for empty cells.

    Reads the given bytes (not the path again), so the rows are those of the digest.
    """
    if reader == "openpyxl":
        return _read_openpyxl(data)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }
    except Exception as exc:  # calamine raises its own error types for broken files
        raise UnreadableWorkbook(str(exc)) from exc


def _read_openpyxl(data: bytes) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableWorkbook(str(exc)) from exc
    try:
        return {
            sheet.title: [
                ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
            ]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def text(value) -> str:
    """A cell as text: integral numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def header_map(header_row, columns) -> tuple[dict[str, int], list[str]]:
    """(column key → index, missing required headers) for a sheet's first row."""
    positions = {}
    by_header = {column.header: column for column in columns}
    for index, value in enumerate(header_row):
        label = text(value).rstrip("*").strip()
        if label in by_header and by_header[label].key not in positions:
            positions[by_header[label].key] = index
    missing = [c.header for c in columns if c.required and c.key not in positions]
    return positions, missing
