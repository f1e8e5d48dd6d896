"""用编审批: review figures, numbered notices, validity, expiry, slots, notifications."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.models import Notification
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.core.timed import open_tasks_for
from tongzheng.staffing import actions
from tongzheng.staffing.models import (
    ApplicationStatus,
    Person,
    QuotaUseApplication,
    QuotaUseNotice,
)
from tongzheng.staffing.tests.factories import (
    OFFICE_PERMISSIONS,
    UNIT_HR_PERMISSIONS,
    PersonFactory,
    QuotaLedgerEntryFactory,
    establishment_type,
    notice_for,
    resident_id,
    staffing_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return DivisionFactory(code="510100", name="成都市")


@pytest.fixture
def unit(city):
    return OrganisationFactory(name="成都市教育局", division=city)


@pytest.fixture
def office(city):
    office_org = OrganisationFactory(name="中共成都市委机构编制委员会办公室", division=city)
    return staffing_user(office_org, OFFICE_PERMISSIONS)


@pytest.fixture
def hr(unit):
    return staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION)


@pytest.fixture
def admin_type():
    return establishment_type("administrative")


def apply(hr, unit, slots=1):
    return actions.create_application(
        actor=hr,
        organisation=unit,
        establishment_type=establishment_type("administrative"),
        slots=slots,
        reason="补充教育督导人员",
    )


def recruit(office, unit, n, notice):
    return actions.enter_person(
        actor=office,
        organisation=unit,
        establishment_type=establishment_type("administrative"),
        entry_method="recruitment",
        name=f"新人{n}",
        gender="2",
        birth_date=datetime.date(1998, 1, 1),
        id_number=resident_id(n, birth="19980101", male=False),
        date=timezone.localdate(),
        notice=notice,
    )


def test_apply_approve_and_the_numbered_notice(office, hr, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    application = apply(hr, unit, slots=2)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.due_at is not None  # the review clock runs
    assert [row.pk for row in open_tasks_for(office)] == [application.pk]
    assert open_tasks_for(hr) == []
    notice = actions.approve_application(actor=office, application=application)
    assert notice.number == f"成编控〔{timezone.localdate().year}〕1号"
    second = actions.approve_application(actor=office, application=apply(hr, unit, slots=1))
    assert second.number.endswith("〕2号")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.finished_at is not None
    assert actions.promised_quota(unit, admin_type) == 3
    message = Notification.objects.filter(recipient=hr).first()
    assert notice.number in message.subject or second.number in message.subject
    assert AuditEvent.objects.filter(action="staffing.quota_use_approved").count() == 2


def test_approval_refused_when_available_is_short(office, hr, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=4)
    PersonFactory.create_batch(2, organisation=unit, establishment_type=admin_type)
    notice_for(unit, admin_type, slots=1)
    application = apply(hr, unit, slots=2)
    with pytest.raises(ValidationError) as refused:
        actions.approve_application(actor=office, application=application)
    message = refused.value.messages[0]
    assert "核定 4 名，已占用 2 名，已核准待用 1 名，控编 0 名，可用空编 1 名" in message
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert QuotaUseNotice.objects.count() == 1


def test_refusal_needs_reasons_and_tells_the_applicant(office, hr, unit):
    application = apply(hr, unit)
    with pytest.raises(ValidationError):
        actions.refuse_application(actor=office, application=application, reasons="  ")
    actions.refuse_application(actor=office, application=application, reasons="编制已满")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert "编制已满" in Notification.objects.filter(recipient=hr).first().body
    with pytest.raises(ValidationError):
        actions.approve_application(actor=office, application=application)


def test_unit_hr_cannot_review_and_cannot_apply_for_another_unit(hr, unit, city):
    application = apply(hr, unit)
    with pytest.raises(PermissionDenied):
        actions.approve_application(actor=hr, application=application)
    other = OrganisationFactory(division=city)
    from django.http import Http404

    with pytest.raises(Http404):
        apply(hr, other)
    assert QuotaUseApplication.objects.count() == 1


def test_recruitment_needs_a_valid_notice_and_uses_its_slots(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    with pytest.raises(ValidationError) as refused:
        recruit(office, unit, 1, None)
    assert "控编通知单" in refused.value.messages[0]
    notice = notice_for(unit, admin_type, slots=2)
    recruit(office, unit, 1, notice)
    recruit(office, unit, 2, notice)
    notice.refresh_from_db()
    assert notice.slots_used == 2
    with pytest.raises(ValidationError) as used_up:
        recruit(office, unit, 3, notice)
    assert "已用完" in used_up.value.messages[0]
    assert Person.objects.count() == 2


def test_an_expired_notice_is_refused_and_no_longer_promised(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    expired = notice_for(
        unit, admin_type, slots=2, valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert actions.promised_quota(unit, admin_type) == 0
    with pytest.raises(ValidationError) as refused:
        recruit(office, unit, 1, expired)
    assert "已于" in refused.value.messages[0] and "过期" in refused.value.messages[0]
    expired.refresh_from_db()
    assert expired.slots_used == 0
    assert not Person.objects.exists()


def test_a_notice_of_another_unit_or_type_is_refused(office, unit, city, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    elsewhere = notice_for(OrganisationFactory(division=city), admin_type)
    other_type = notice_for(unit, establishment_type("worker"))
    for notice in (elsewhere, other_type):
        with pytest.raises(ValidationError) as refused:
            recruit(office, unit, 1, notice)
        assert "不是本单位该编制类型" in refused.value.messages[0]
    assert not Person.objects.exists()


def test_recruitment_with_a_notice_still_respects_the_quota(office, unit, admin_type):
    # A quota cut after approval (or stale data): the notice cannot push the unit over.
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=1)
    PersonFactory(organisation=unit, establishment_type=admin_type)
    notice = notice_for(unit, admin_type, slots=1)
    with pytest.raises(ValidationError) as refused:
        recruit(office, unit, 1, notice)
    assert refused.value.messages == ["成都市教育局 行政编制 核定 1 名，已占用 1 名，不能再入编。"]
    notice.refresh_from_db()
    assert notice.slots_used == 0
