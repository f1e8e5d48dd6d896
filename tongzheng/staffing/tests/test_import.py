"""Excel import and export (导入导出): clean files import everything, bad files nothing."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn import uscc as uscc_module

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel, Organisation
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import excel, imports
from tongzheng.staffing.models import Person
from tongzheng.staffing.tests.factories import (
    PersonFactory,
    QuotaLedgerEntryFactory,
    establishment_type,
    resident_id,
)

PERMISSIONS = ["staffing.import_personnel", "staffing.view_person"]


def make_uscc(n: int, area: str = "510100") -> str:
    body = f"11{area}MB{n:07d}"
    return body + uscc_module.calc_check_digit(body)


def person_row(n, unit_uscc="", *, name=None, gender="男", id_number=None, type_name="行政编制"):
    return [
        name or f"测试{n}",
        gender,
        id_number or resident_id(n, male=gender == "男"),
        unit_uscc,
        "",
        "",
        type_name,
        "非领导职务",
        "2020-09-01",
        "调入",
    ]


def write(tmp_path, *, units=(), people=(), name="import.xlsx"):
    path = tmp_path / name
    path.write_bytes(excel.template_workbook(unit_rows=units, person_rows=people))
    return path


@pytest.fixture
def world(db):
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", parent=province)
    other_city = DivisionFactory(code="511300", name="南充市", parent=province)
    unit = OrganisationFactory(name="成都市某局", division=city, uscc=make_uscc(1))
    outside = OrganisationFactory(
        name="南充市某局", division=other_city, uscc=make_uscc(2, "511300")
    )
    QuotaLedgerEntryFactory(organisation=unit, increase=5)
    QuotaLedgerEntryFactory(organisation=outside, increase=5)
    role = RoleFactory(permissions=PERMISSIONS, scope=DataScope.DIVISION_AND_BELOW)
    user = UserFactory(organisation=unit, roles=[role])
    return {"unit": unit, "outside": outside, "user": user, "city": city}


def validate(world, path):
    return imports.validate_file(actor=world["user"], path=path)


def refused_without_writing(world, path):
    """import_file refuses the file and leaves personnel, units and the audit trail as they were."""
    before = (Person.objects.count(), Organisation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(imports.ImportRefused):
        imports.import_file(actor=world["user"], path=path)
    after = (Person.objects.count(), Organisation.objects.count(), AuditEvent.objects.count())
    assert after == before


def rows_of(validation):
    return sorted({(p.sheet, p.row) for p in validation.problems})


def test_template_has_sheets_dropdowns_and_notes(db):
    data = excel.template_workbook()
    assert data.startswith(excel.ZIP_MAGIC)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:3] == [excel.UNIT_SHEET, excel.PERSON_SHEET, excel.NOTES_SHEET]
    headers = [c.value for c in workbook[excel.PERSON_SHEET][1]]
    assert headers[:3] == ["姓名*", "性别*", "身份证号码*"]
    validations = workbook[excel.PERSON_SHEET].data_validations.dataValidation
    assert len(validations) == 4  # 性别, 编制类型, 职务, 进入方式
    described = {row[1] for row in workbook[excel.NOTES_SHEET].iter_rows(values_only=True)}
    for column in excel.UNIT_COLUMNS + excel.PERSON_COLUMNS:
        assert column.header in described


def test_clean_file_imports_everything_with_one_audit_event(world, tmp_path):
    new_unit = make_uscc(3)
    units = [
        [
            "成都市某局信息中心",
            new_unit,
            world["unit"].uscc,
            "510100",
            "事业单位",
            "事业单位",
            "正科级",
            "市、地区",
            "信息中心",
        ]
    ]
    people = [person_row(i, world["unit"].uscc) for i in range(1, 6)]
    people.append(person_row(6, new_unit, type_name=""))  # 编外 in the new unit
    path = write(tmp_path, units=units, people=people)
    validation = validate(world, path)
    assert validation.ok, validation.problems
    events = AuditEvent.objects.count()

    imports.import_file(actor=world["user"], path=path, expected_digest=validation.digest)

    created = Organisation.objects.get(uscc=new_unit)
    assert created.parent_id == world["unit"].pk
    assert Person.objects.filter(organisation=world["unit"]).count() == 5
    person = Person.objects.get(organisation=created)
    assert person.establishment_type_id is None
    assert Person.objects.filter(Person.id_number.matches(resident_id(3))).count() == 1
    assert Person.id_number.unseal(Person.objects.get(name="测试3")) == resident_id(3)
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == imports.AUDIT_ACTION
    assert event.detail["personnel"] == 6 and event.detail["units"] == 1
    assert event.detail["file_sm3"] == validation.digest


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (person_row(1, id_number=resident_id(1)[:-1] + "0"), "身份证号码", "校验码"),
        # 1985-02-30 does not exist.
        (person_row(1, id_number=resident_id(1, birth="19850230")), "身份证号码", "出生日期"),
        (person_row(1, gender="女", id_number=resident_id(1)), "性别", "不一致"),
        (person_row(1, type_name="神秘编制"), "编制类型", "不存在"),
        (person_row(1, unit_uscc=make_uscc(99)), "所在单位统一社会信用代码", "找不到"),
    ],
    ids=["checksum", "date", "gender", "type", "unknown-unit"],
)
def test_bad_row_reports_its_row_and_imports_nothing(world, tmp_path, row, column, reason):
    if not row[3]:
        row[3] = world["unit"].uscc
    good = person_row(2, world["unit"].uscc)
    path = write(tmp_path, people=[good, row])
    validation = validate(world, path)
    assert [(p.sheet, p.row, p.column) for p in validation.problems] == [("人员", 3, column)]
    assert reason in validation.problems[0].message
    refused_without_writing(world, path)


def test_duplicates_in_file_and_in_database(world, tmp_path):
    PersonFactory(organisation=world["unit"], id_number=resident_id(7))
    u = world["unit"].uscc
    path = write(tmp_path, people=[person_row(1, u), person_row(1, u), person_row(7, u)])
    validation = validate(world, path)
    assert rows_of(validation) == [("人员", 3), ("人员", 4)]
    messages = {p.row: p.message for p in validation.problems}
    assert "第 2 行重复" in messages[3]
    assert "系统中已有" in messages[4]
    refused_without_writing(world, path)


def test_out_of_scope_unit_is_refused(world, tmp_path):
    path = write(tmp_path, people=[person_row(1, world["outside"].uscc)])
    validation = validate(world, path)
    assert rows_of(validation) == [("人员", 2)]
    assert "不在您的数据范围内" in validation.problems[0].message
    refused_without_writing(world, path)


def test_over_quota_reports_the_rows_beyond_the_approved_number(world, tmp_path):
    PersonFactory(organisation=world["unit"], id_number=resident_id(400))
    u = world["unit"].uscc
    path = write(tmp_path, people=[person_row(i, u) for i in range(1, 7)])  # 1 + 6 > 5
    validation = validate(world, path)
    assert rows_of(validation) == [("人员", 6), ("人员", 7)]
    assert "核定 5 名、实有 1 名" in validation.problems[0].message
    refused_without_writing(world, path)


def test_unit_sheet_problems(world, tmp_path):
    units = [
        ["", "", "", "510100", "事业单位", "事业单位", "", "市、地区", ""],
        ["某中心", world["unit"].uscc, "", "510100", "事业单位", "事业单位", "", "市、地区", ""],
        ["某中心2", "", "", "511300", "事业单位", "事业单位", "", "市、地区", ""],
        ["某中心3", "", "", "510100", "奇怪类型", "事业单位", "", "市、地区", ""],
    ]
    path = write(tmp_path, units=units)
    validation = validate(world, path)
    assert rows_of(validation) == [("单位", 2), ("单位", 3), ("单位", 4), ("单位", 5)]
    refused_without_writing(world, path)


def test_missing_columns(world, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = excel.PERSON_SHEET
    workbook.active.append(["姓名", "性别"])
    workbook.active.append(["张三", "男"])
    path = tmp_path / "cols.xlsx"
    workbook.save(path)
    validation = validate(world, path)
    assert [(p.sheet, p.row) for p in validation.problems] == [("人员", 1)]
    assert "身份证号码" in validation.problems[0].message
    refused_without_writing(world, path)


def test_empty_workbook_and_non_xlsx_files(world, tmp_path):
    path = write(tmp_path)
    assert "没有数据行" in validate(world, path).problems[0].message
    for content, reason in (
        (b"", "为空"),
        (b"%PDF-1.4 nope", "不是 .xlsx"),
        (b"PK\x03\x04junk", "无法读取"),
    ):
        path.write_bytes(content)
        assert reason in validate(world, path).problems[0].message
        refused_without_writing(world, path)


def test_changed_file_is_not_imported(world, tmp_path):
    path = write(tmp_path, people=[person_row(1, world["unit"].uscc)])
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_file(actor=world["user"], path=path, expected_digest="0" * 64)
    assert "被修改" in refused.value.validation.problems[0].message
    assert Person.objects.count() == 0


def test_export_round_trips_as_duplicates(world, tmp_path):
    PersonFactory(organisation=world["unit"], id_number=resident_id(8))
    path = tmp_path / "export.xlsx"
    path.write_bytes(imports.export_workbook(actor=world["user"]))
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == imports.EXPORT_AUDIT_ACTION
    assert event.detail["personnel"] == 1 and event.detail["units"] == 1  # not 南充: scope
    validation = validate(world, path)
    units = {p.row: p.message for p in validation.problems if p.sheet == "单位"}
    people = [p for p in validation.problems if p.sheet == "人员"]
    assert units and all("已被系统中的单位使用" in m or "同名" in m for m in units.values())
    assert len(people) == 1 and "脱敏" in people[0].message
    assert "*" in Person.objects.get().masked_id_number


# --- Pages -------------------------------------------------------------------------------


def test_upload_validate_confirm_flow(world, client, tmp_path):
    verified_login(client, world["user"])
    url = reverse("staffing_import:upload")
    assert client.get(url).status_code == 200
    assert client.get(reverse("staffing_import:template")).content.startswith(excel.ZIP_MAGIC)
    data = excel.template_workbook(person_rows=[person_row(1, world["unit"].uscc)])
    upload = io.BytesIO(data)
    upload.name = "people.xlsx"
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    digest = response.context["validation"].digest
    assert Person.objects.count() == 0
    response = client.post(reverse("staffing_import:confirm"), {"digest": digest})
    assert response.status_code == 302
    assert Person.objects.count() == 1


def test_upload_refusals_are_4xx_in_chinese(world, client, settings):
    verified_login(client, world["user"])
    url = reverse("staffing_import:upload")
    fake = io.BytesIO(b"name,gender\n")
    fake.name = "people.xlsx"
    response = client.post(url, {"file": fake})
    assert response.status_code == 400
    assert "不是 .xlsx" in response.content.decode()
    settings.STAFFING_IMPORT_MAX_BYTES = 1024
    big = io.BytesIO(excel.ZIP_MAGIC + b"\0" * 4096)
    big.name = "big.xlsx"
    response = client.post(url, {"file": big})
    assert response.status_code == 413
    assert "文件太大" in response.content.decode()
    settings.STAFFING_IMPORT_MAX_BYTES = imports.DEFAULT_MAX_BYTES
    bad = io.BytesIO(excel.template_workbook(person_rows=[person_row(1, make_uscc(77))]))
    bad.name = "bad.xlsx"
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    digest = response.context["validation"].digest
    errors = client.get(reverse("staffing_import:errors", args=[digest]))
    assert errors.status_code == 200
    rows = list(load_workbook(io.BytesIO(errors.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("人员", 2)
    response = client.post(reverse("staffing_import:confirm"), {"digest": digest})
    assert response.status_code == 409
    assert Person.objects.count() == 0


def test_export_page_needs_permission(world, client):
    verified_login(client, UserFactory(organisation=world["unit"]))
    assert client.get(reverse("staffing_import:export")).status_code == 403
    assert client.get(reverse("staffing_import:upload")).status_code == 403


@pytest.mark.django_db
def test_seeded_type_name_is_used_in_rows():
    assert establishment_type().name == "行政编制"


def test_fast_blind_index_and_insert_match_the_field(world):
    from tongzheng.core.crypto import blind_index

    index = imports._blind_indexer()
    assert index(" 51012119850612001x ") == blind_index("51012119850612001X")
    insert = imports._person_inserter()
    insert(
        [
            insert.row(
                organisation_id=world["unit"].pk,
                division_path=world["unit"].division_path,
                name="李四",
                gender="1",
                birth_date=imports.connection.ops.adapt_datefield_value(datetime.date(1985, 6, 12)),
                id_number_sealed=imports.seal(resident_id(5)),
                id_number_index=index(resident_id(5)),
                status="serving",
            )
        ]
    )
    person = Person.objects.get(Person.id_number.matches(resident_id(5)))
    assert Person.id_number.unseal(person) == resident_id(5)
    assert person.created_at is not None and person.post == "none"


def test_promised_slots_of_valid_notices_count_as_taken(world, tmp_path):
    from tongzheng.staffing.tests.factories import notice_for

    notice_for(world["unit"], establishment_type(), slots=2)
    u = world["unit"].uscc
    path = write(tmp_path, people=[person_row(i, u) for i in range(1, 5)])  # 4 > 5 - 2
    validation = validate(world, path)
    assert rows_of(validation) == [("人员", 5)]
    assert "已核准待用（控编通知单）2 名" in validation.problems[0].message


def test_leadership_posts_over_the_post_ledger_are_refused(world, tmp_path):
    from tongzheng.staffing.models import PostLedgerEntry

    PostLedgerEntry.objects.create(
        organisation=world["unit"],
        post="unit_deputy",
        date=datetime.date(2020, 3, 1),
        reason="三定",
        increase=1,
    )
    u = world["unit"].uscc
    rows = [person_row(i, u) for i in range(1, 4)]
    rows[0][7] = rows[1][7] = "单位副职"
    rows[2][7] = "单位正职"
    validation = validate(world, write(tmp_path, people=rows))
    assert [(p.row, p.column) for p in validation.problems] == [(3, "职务"), (4, "职务")]
    assert "超职数" in validation.problems[0].message
