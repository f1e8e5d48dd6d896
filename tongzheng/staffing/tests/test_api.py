"""/api/staffing/: scope, masked IDs, the over-quota 422, idempotent movements, approvals."""

import json

import pytest

from tongzheng.accounts.tests.factories import confirmed_totp_device
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing.models import Movement, Person, QuotaUseNotice
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
    org = OrganisationFactory(name="中共成都市委机构编制委员会办公室", division=city)
    return client_for(staffing_user(org, OFFICE_PERMISSIONS, username="api_office"))


@pytest.fixture
def hr(unit):
    return client_for(
        staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION, username="api_hr")
    )


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def enter_body(unit, n, **overrides):
    return {
        "organisation_id": unit.pk,
        "establishment_type": "administrative",
        "entry_method": "transfer_in",
        "name": f"王{n}",
        "gender": "1",
        "birth_date": "1990-01-01",
        "id_number": resident_id(n, birth="19900101"),
        "date": "2026-03-02",
        **overrides,
    }


def test_unit_quotas_are_derived(office, unit):
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=establishment_type("administrative"), increase=30
    )
    PersonFactory.create_batch(3, organisation=unit)
    quotas = office.get(f"/api/staffing/units/{unit.pk}/quotas").json()
    assert quotas == [
        {
            "establishment_type": "administrative",
            "establishment_type_name": "行政编制",
            "approved": 30,
            "occupied": 3,
            "promised": 0,
            "controlled": 0,
            "vacant": 27,
            "over": 0,
        }
    ]
    detail = office.get(f"/api/staffing/units/{unit.pk}").json()
    assert detail["quotas"][0]["approved"] == 30
    assert {p["post"] for p in detail["posts"]} == {
        "unit_head",
        "unit_deputy",
        "department_head",
        "department_deputy",
    }


def test_personnel_are_masked_and_scoped(hr, unit, city):
    mine = PersonFactory(organisation=unit)
    theirs = PersonFactory(organisation=OrganisationFactory(division=city))
    number = Person.id_number.unseal(mine)
    listed = hr.get("/api/staffing/personnel").json()
    assert [p["id"] for p in listed["items"]] == [mine.pk]
    assert number not in json.dumps(listed)
    assert listed["items"][0]["id_number_masked"] == mine.masked_id_number
    found = hr.get("/api/staffing/personnel", {"id_number": number}).json()
    assert found["count"] == 1
    assert hr.get(f"/api/staffing/personnel/{theirs.pk}").status_code == 404


def test_over_quota_entry_is_422_with_the_message_and_writes_nothing(office, unit):
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=establishment_type("administrative"), increase=1
    )
    assert post(office, "/api/staffing/movements/enter", enter_body(unit, 1)).status_code == 201
    events = AuditEvent.objects.count()
    refused = post(office, "/api/staffing/movements/enter", enter_body(unit, 2))
    assert refused.status_code == 422
    assert refused.json()["detail"] == "成都市教育局 行政编制 核定 1 名，已占用 1 名，不能再入编。"
    assert Person.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_retried_movement_acts_once(office, unit):
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=establishment_type("administrative"), increase=5
    )
    person = PersonFactory(organisation=unit)
    body = {"person_id": person.pk, "leave_method": "retirement", "date": "2026-03-02"}
    first = post(office, "/api/staffing/movements/leave", body, **{"Idempotency-Key": "k-1"})
    again = post(office, "/api/staffing/movements/leave", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Movement.objects.filter(person=person).count() == 1


def test_apply_approve_recruit_through_the_api(office, hr, unit):
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=establishment_type("administrative"), increase=2
    )
    applied = post(
        hr,
        "/api/staffing/applications",
        {
            "organisation_id": unit.pk,
            "establishment_type": "administrative",
            "slots": 1,
            "reason": "补员",
        },
    )
    assert applied.status_code == 201
    application_id = applied.json()["id"]
    assert post(hr, f"/api/staffing/applications/{application_id}/approve", {}).status_code == 403
    approved = post(office, f"/api/staffing/applications/{application_id}/approve", {})
    assert approved.status_code == 201
    number = approved.json()["number"]
    assert QuotaUseNotice.objects.get().number == number
    no_notice = post(
        office, "/api/staffing/movements/enter", enter_body(unit, 3, entry_method="recruitment")
    )
    assert no_notice.status_code == 422
    entered = post(
        office,
        "/api/staffing/movements/enter",
        enter_body(unit, 3, entry_method="recruitment", notice_number=number),
    )
    assert entered.status_code == 201
    assert hr.get("/api/staffing/notices").json()["items"][0]["slots_used"] == 1


def test_post_ledger_and_profile_through_the_api(office, unit):
    created = post(
        office,
        f"/api/staffing/units/{unit.pk}/post-changes",
        {"post": "unit_deputy", "increase": 3, "reason": "三定", "date": "2026-03-02"},
    )
    assert created.status_code == 201
    assert created.json()["approved"] == 3
    patched = office.patch(
        f"/api/staffing/units/{unit.pk}/profile",
        json.dumps({"main_duties": "负责全市教育工作。", "funding_form": "full"}),
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["main_duties"] == "负责全市教育工作。"
    bad = office.patch(
        f"/api/staffing/units/{unit.pk}/profile",
        json.dumps({"funding_form": "nonsense"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert AuditEvent.objects.filter(action="staffing.unit_profile_updated").count() == 1


def test_a_person_outside_the_establishment_is_listed_with_no_type(hr, unit):
    PersonFactory(organisation=unit, establishment_type=None)
    listed = hr.get("/api/staffing/personnel")
    assert listed.status_code == 200
    assert listed.json()["items"][0]["establishment_type"] is None
