"""Staffing workbench pages: units, personnel (masked, search, reveal), movements, 用编审批."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import confirmed_totp_device
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing.models import ApplicationStatus, Person, QuotaUseApplication
from tongzheng.staffing.tests.factories import (
    OFFICE_PERMISSIONS,
    UNIT_HR_PERMISSIONS,
    PersonFactory,
    QuotaLedgerEntryFactory,
    establishment_type,
    resident_id,
    staffing_user,
)
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return DivisionFactory(code="510100", name="成都市")


@pytest.fixture
def unit(city):
    return OrganisationFactory(name="成都市教育局", division=city)


def client_for(user):
    return logged_in_client(user, confirmed_totp_device(user))


@pytest.fixture
def office(city):
    office_org = OrganisationFactory(name="中共成都市委机构编制委员会办公室", division=city)
    return client_for(staffing_user(office_org, OFFICE_PERMISSIONS, username="office_clerk"))


@pytest.fixture
def hr(unit):
    user = staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION, username="unit_hr")
    return client_for(user)


def enter_data(n, **overrides):
    return {
        "entry_method": "transfer_in",
        "establishment_type": establishment_type("administrative").pk,
        "name": f"王{n}",
        "gender": "1",
        "birth_date": "1990-01-01",
        "id_number": resident_id(n, birth="19900101"),
        "date": "2026-03-02",
        **overrides,
    }


def test_unit_list_and_detail_show_approved_and_occupied(office, unit):
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=establishment_type("administrative"), increase=30
    )
    PersonFactory.create_batch(2, organisation=unit)
    page = office.get(reverse("staffing:unit_list"))
    assert page.status_code == 200
    assert "30/2" in page.content.decode()
    detail = office.get(reverse("staffing:unit_detail", args=[unit.pk]))
    assert detail.status_code == 200
    assert "成都市教育局" in detail.content.decode()


def test_over_quota_entry_via_the_form_is_refused_with_the_message(office, unit):
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=establishment_type("administrative"), increase=1
    )
    url = reverse("staffing:person_enter", args=[unit.pk])
    first = office.post(url, enter_data(1))
    assert first.status_code == 302
    second = office.post(url, enter_data(2))
    assert second.status_code == 400
    assert "成都市教育局 行政编制 核定 1 名，已占用 1 名，不能再入编。" in second.content.decode()
    assert Person.objects.count() == 1


def test_person_list_masks_ids_and_finds_an_exact_id(office, unit):
    wanted = PersonFactory(organisation=unit, name="赵敏")
    PersonFactory(organisation=unit, name="钱多")
    number = Person.id_number.unseal(wanted)
    page = office.post(reverse("staffing:person_list"), {"id_number": number})
    body = page.content.decode()
    assert "赵敏" in body and "钱多" not in body
    assert number not in body
    assert wanted.masked_id_number in body


def test_reveal_needs_a_reason_and_is_audited(office, unit):
    person = PersonFactory(organisation=unit)
    number = Person.id_number.unseal(person)
    url = reverse("staffing:person_reveal", args=[person.pk])
    refused = office.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert number not in refused.content.decode()
    shown = office.post(url, {"reason": "核对招录人员身份"})
    assert shown.status_code == 200
    assert number in shown.content.decode()
    event = AuditEvent.objects.get(action="personal_data.revealed")
    assert event.detail["reason"] == "核对招录人员身份"


def test_unit_hr_sees_only_its_unit_and_cannot_move_people(hr, unit, city):
    mine = PersonFactory(organisation=unit)
    theirs = PersonFactory(organisation=OrganisationFactory(division=city))
    assert hr.get(reverse("staffing:person_detail", args=[mine.pk])).status_code == 200
    assert hr.get(reverse("staffing:person_detail", args=[theirs.pk])).status_code == 404
    assert hr.get(reverse("staffing:person_leave", args=[mine.pk])).status_code == 403
    edit = hr.get(reverse("staffing:person_edit", args=[mine.pk]))
    assert edit.status_code == 200
    assert 'name="name"' not in edit.content.decode()  # locked fields are not offered
    assert 'name="job_title"' in edit.content.decode()


def test_apply_review_and_recruit_through_the_pages(office, hr, unit):
    kind = establishment_type("administrative")
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=kind, increase=3)
    applied = hr.post(
        reverse("staffing:application_create"),
        {"organisation": unit.pk, "establishment_type": kind.pk, "slots": 1, "reason": "补员"},
    )
    assert applied.status_code == 302
    application = QuotaUseApplication.objects.get()
    review = office.get(reverse("staffing:application_detail", args=[application.pk]))
    assert "核准并签发通知单" in review.content.decode()
    assert (
        "核准并签发通知单"
        not in hr.get(
            reverse("staffing:application_detail", args=[application.pk])
        ).content.decode()
    )
    valid_until = timezone.localdate() + datetime.timedelta(days=90)
    approved = office.post(
        reverse("staffing:application_approve", args=[application.pk]),
        {"valid_until": valid_until.isoformat()},
    )
    assert approved.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    notice = application.notice
    printed = hr.get(reverse("staffing:notice_detail", args=[notice.pk]))
    assert notice.number in printed.content.decode()
    entered = office.post(
        reverse("staffing:person_enter", args=[unit.pk]),
        enter_data(5, entry_method="recruitment", notice=notice.pk),
    )
    assert entered.status_code == 302
    notice.refresh_from_db()
    assert notice.slots_used == 1


def test_refusal_without_reasons_is_a_400(office, hr, unit):
    kind = establishment_type("administrative")
    hr.post(
        reverse("staffing:application_create"),
        {"organisation": unit.pk, "establishment_type": kind.pk, "slots": 1, "reason": "补员"},
    )
    application = QuotaUseApplication.objects.get()
    response = office.post(
        reverse("staffing:application_refuse", args=[application.pk]), {"reasons": ""}
    )
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_office_changes_a_locked_field_through_the_edit_page(office, unit):
    person = PersonFactory(organisation=unit, name="旧名")
    url = reverse("staffing:person_edit", args=[person.pk])
    form = office.get(url)
    assert 'name="name"' in form.content.decode()
    response = office.post(
        url,
        {
            "name": "新名",
            "id_number": "",
            "birth_date": "1985-06-12",
            "gender": "1",
            "job_title": "",
            "education": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "新名"
    event = AuditEvent.objects.get(action="staffing.person_updated")
    assert event.detail["locked"] == ["name"]


def test_transfer_names_the_target_unit_by_name_or_code(office, unit, city):
    kind = establishment_type("administrative")
    target = OrganisationFactory(name="成都市财政局", division=city)
    QuotaLedgerEntryFactory(organisation=target, establishment_type=kind, increase=1)
    person = PersonFactory(organisation=unit)
    url = reverse("staffing:person_transfer", args=[person.pk])
    unknown = office.post(url, {"to_organisation": "不存在的局", "date": "2026-03-02"})
    assert unknown.status_code == 400
    assert "没有找到该单位" in unknown.content.decode()
    moved = office.post(url, {"to_organisation": "成都市财政局", "date": "2026-03-02"})
    assert moved.status_code == 302
    person.refresh_from_db()
    assert person.organisation == target
