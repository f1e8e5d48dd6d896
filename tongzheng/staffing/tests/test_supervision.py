"""上级监督: over-quota units, expired notices, late entries — scoped, read-only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import supervision
from tongzheng.staffing.models import Movement, MovementKind
from tongzheng.staffing.registrations import VIEW_SUPERVISION
from tongzheng.staffing.tests.factories import (
    PersonFactory,
    QuotaLedgerEntryFactory,
    establishment_type,
    notice_for,
    staffing_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities():
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    other = DivisionFactory(code="510300", name="自贡市", level=DivisionLevel.CITY, parent=province)
    return city, other


def over_unit(division, name):
    unit = OrganisationFactory(name=name, division=division)
    QuotaLedgerEntryFactory(organisation=unit, increase=1)
    for n in range(3):
        PersonFactory(organisation=unit, id_number=f"{name}{n}")
    return unit


def test_over_quota_units_in_scope_only(cities):
    city, other = cities
    mine = over_unit(city, "成都超编局")
    over_unit(other, "自贡超编局")
    at_quota = OrganisationFactory(name="成都满编局", division=city)
    QuotaLedgerEntryFactory(organisation=at_quota, increase=1)
    PersonFactory(organisation=at_quota, id_number="q1")
    user = staffing_user(OrganisationFactory(division=city), [VIEW_SUPERVISION])
    rows = supervision.over_quota_units(user)
    assert [(r.organisation, r.approved, r.occupied, r.excess) for r in rows] == [(mine, 1, 3, 2)]


def test_expired_notices_with_unused_slots(cities):
    city, other = cities
    unit = OrganisationFactory(division=city)
    today = timezone.localdate()
    expired = notice_for(
        unit, establishment_type(), slots=2, valid_until=today - datetime.timedelta(days=1)
    )
    notice_for(
        unit,
        establishment_type(),
        slots=2,
        slots_used=2,
        valid_until=today - datetime.timedelta(days=3),
    )
    notice_for(unit, establishment_type(), slots=2, valid_until=today + datetime.timedelta(days=3))
    notice_for(
        OrganisationFactory(division=other),
        establishment_type(),
        valid_until=today - datetime.timedelta(days=1),
    )
    user = staffing_user(OrganisationFactory(division=city), [VIEW_SUPERVISION])
    assert list(supervision.expired_notices(user)) == [expired]


def test_changes_entered_after_ten_working_days(cities):
    city, _other = cities
    unit = OrganisationFactory(division=city)
    person = PersonFactory(organisation=unit, id_number="late1")
    entered = timezone.now()
    today = timezone.localdate(entered)
    from tongzheng.core import calendar

    late = Movement.objects.create(
        person=person,
        organisation=unit,
        kind=MovementKind.ENTER,
        date=calendar.add_working_days(today, -11),
    )
    on_time = Movement.objects.create(
        person=person,
        organisation=unit,
        kind=MovementKind.ENTER,
        date=calendar.add_working_days(calendar.add_working_days(today, 1), -10),
    )
    Movement.objects.filter(pk__in=[late.pk, on_time.pk]).update(created_at=entered)
    user = staffing_user(OrganisationFactory(division=city), [VIEW_SUPERVISION])
    rows = supervision.late_entries(user)
    deadline = calendar.add_working_days(late.date, 10)
    assert [(r.movement.pk, r.deadline) for r in rows] == [(late.pk, deadline)]
    assert deadline < today


def test_a_user_without_the_permission_is_refused(cities):
    city, _other = cities
    user = staffing_user(OrganisationFactory(division=city), ["staffing.view_quota"])
    with pytest.raises(PermissionDenied):
        supervision.over_quota_units(user)


def test_the_page_lists_the_three_kinds(client, cities):
    city, _other = cities
    over_unit(city, "成都超编局")
    user = staffing_user(
        OrganisationFactory(division=city), [VIEW_SUPERVISION], scope=DataScope.DIVISION_AND_BELOW
    )
    verified_login(client, user)
    page = client.get("/workbench/staffing/statistics/supervision/").content.decode()
    assert "成都超编局" in page and "控编通知单" in page
