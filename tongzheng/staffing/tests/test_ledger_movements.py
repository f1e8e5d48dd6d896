"""Ledgers, 三定 and movements: the over-quota rule, locked fields, scope, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import actions
from tongzheng.staffing.models import (
    LeadershipPost,
    Movement,
    Person,
    PersonStatus,
    PostLedgerEntry,
    QuotaLedgerEntry,
    UnitHistoryEntry,
    UnitProfile,
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
TODAY = datetime.date(2026, 3, 2)


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
def admin_type():
    return establishment_type("administrative")


def enter(actor, unit, n, method="transfer_in", **kwargs):
    return actions.enter_person(
        actor=actor,
        organisation=unit,
        establishment_type=kwargs.pop("establishment", establishment_type("administrative")),
        entry_method=method,
        name=f"王{n}",
        gender="1",
        birth_date=datetime.date(1990, 1, 1),
        id_number=resident_id(n, birth="19900101"),
        date=TODAY,
        **kwargs,
    )


# --- the quota ledger -------------------------------------------------------------------


def test_quota_change_is_a_ledger_entry_and_approved_is_derived(office, unit, admin_type):
    actions.record_quota_change(
        actor=office,
        organisation=unit,
        establishment_type=admin_type,
        increase=30,
        reason="三定方案",
        approval_document="成编发〔2026〕1号",
        date=TODAY,
    )
    actions.record_quota_change(
        actor=office,
        organisation=unit,
        establishment_type=admin_type,
        decrease=2,
        reason="精简",
        date=TODAY,
    )
    assert QuotaLedgerEntry.objects.filter(organisation=unit).count() == 2
    assert actions.approved_quota(unit, admin_type) == 28
    event = AuditEvent.objects.filter(action="staffing.quota_changed").last()
    assert event.detail["approved_after"] == 28


def test_decrease_below_occupied_plus_promised_is_refused(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    PersonFactory.create_batch(3, organisation=unit, establishment_type=admin_type)
    notice_for(unit, admin_type, slots=1)
    with pytest.raises(ValidationError) as refused:
        actions.record_quota_change(
            actor=office,
            organisation=unit,
            establishment_type=admin_type,
            decrease=2,
            reason="精简",
            date=TODAY,
        )
    assert "已占用 3 名" in refused.value.messages[0]
    assert "已核准待用 1 名" in refused.value.messages[0]
    assert QuotaLedgerEntry.objects.filter(organisation=unit).count() == 1
    # one less is fine: 5 - 1 = 4 = 3 occupied + 1 promised
    actions.record_quota_change(
        actor=office,
        organisation=unit,
        establishment_type=admin_type,
        decrease=1,
        reason="精简",
        date=TODAY,
    )
    assert actions.approved_quota(unit, admin_type) == 4


def test_quota_change_needs_the_permission_and_a_reason(unit, admin_type):
    hr = staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION)
    with pytest.raises(PermissionDenied):
        actions.record_quota_change(
            actor=hr,
            organisation=unit,
            establishment_type=admin_type,
            increase=1,
            reason="x",
            date=TODAY,
        )
    office = staffing_user(unit, OFFICE_PERMISSIONS)
    with pytest.raises(ValidationError):
        actions.record_quota_change(
            actor=office,
            organisation=unit,
            establishment_type=admin_type,
            increase=1,
            reason="  ",
            date=TODAY,
        )
    with pytest.raises(ValidationError):
        actions.record_quota_change(
            actor=office, organisation=unit, establishment_type=admin_type, reason="x", date=TODAY
        )
    assert not QuotaLedgerEntry.objects.exists()


def test_quota_change_outside_scope_is_404(unit, admin_type):
    other = OrganisationFactory(division=DivisionFactory(code="510700", name="绵阳市"))
    office_elsewhere = staffing_user(other, OFFICE_PERMISSIONS)
    with pytest.raises(Http404):
        actions.record_quota_change(
            actor=office_elsewhere,
            organisation=unit,
            establishment_type=admin_type,
            increase=1,
            reason="x",
            date=TODAY,
        )
    assert not QuotaLedgerEntry.objects.exists()


def test_post_ledger_and_decrease_below_held_posts(office, unit):
    actions.record_post_change(
        actor=office,
        organisation=unit,
        post=LeadershipPost.UNIT_DEPUTY,
        increase=2,
        reason="三定",
        date=TODAY,
    )
    PersonFactory(organisation=unit, post=LeadershipPost.UNIT_DEPUTY)
    assert actions.approved_posts(unit, LeadershipPost.UNIT_DEPUTY) == 2
    with pytest.raises(ValidationError) as refused:
        actions.record_post_change(
            actor=office,
            organisation=unit,
            post=LeadershipPost.UNIT_DEPUTY,
            decrease=2,
            reason="精简",
            date=TODAY,
        )
    assert "已配备 1 名" in refused.value.messages[0]
    assert PostLedgerEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="staffing.posts_changed").count() == 1


def test_unit_profile_and_history(office, unit):
    actions.update_unit_profile(
        actor=office,
        organisation=unit,
        changes={"main_duties": "负责全市教育工作。", "funding_form": "full"},
    )
    profile = UnitProfile.objects.get(organisation=unit)
    assert profile.get_funding_form_display() == "全额拨款"
    with pytest.raises(ValidationError):
        actions.update_unit_profile(actor=office, organisation=unit, changes={"name": "x"})
    with pytest.raises(ValidationError):
        actions.update_unit_profile(
            actor=office, organisation=unit, changes={"funding_form": "nonsense"}
        )
    assert UnitProfile.objects.get(organisation=unit).funding_form == "full"
    actions.add_unit_history(actor=office, organisation=unit, date=TODAY, event="更名")
    assert UnitHistoryEntry.objects.get().event == "更名"
    assert AuditEvent.objects.filter(action="staffing.unit_profile_updated").count() == 1


# --- movements: the core rule -------------------------------------------------------------


def test_over_quota_entry_is_refused_naming_unit_type_numbers_and_nothing_is_written(
    office, unit, admin_type
):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=2)
    enter(office, unit, 1)
    enter(office, unit, 2)
    people, movements, events = (
        Person.objects.count(),
        Movement.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as refused:
        enter(office, unit, 3)
    assert refused.value.messages == ["成都市教育局 行政编制 核定 2 名，已占用 2 名，不能再入编。"]
    assert Person.objects.count() == people
    assert Movement.objects.count() == movements
    assert AuditEvent.objects.count() == events


def test_transfer_in_cannot_take_slots_promised_to_a_notice(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=2)
    enter(office, unit, 1)
    notice_for(unit, admin_type, slots=1)
    with pytest.raises(ValidationError) as refused:
        enter(office, unit, 2)
    assert "另有 1 名已核准" in refused.value.messages[0]
    # the recruit citing the notice may enter
    notice = unit.quota_use_notices.get()
    person = enter(office, unit, 3, method="recruitment", notice=notice)
    notice.refresh_from_db()
    assert notice.slots_used == 1
    assert person.movements.get().notice == notice


def test_leaving_frees_the_slot(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=1)
    person = enter(office, unit, 1)
    actions.leave_person(actor=office, person=person, leave_method="retirement", date=TODAY)
    person.refresh_from_db()
    assert person.status == PersonStatus.RETIRED
    enter(office, unit, 2)
    assert actions.occupied_quota(unit, admin_type) == 1
    with pytest.raises(ValidationError):
        actions.leave_person(actor=office, person=person, leave_method="death", date=TODAY)


def test_duplicate_id_number_is_refused(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    enter(office, unit, 1)
    with pytest.raises(ValidationError) as refused:
        enter(office, unit, 1)
    assert "id_number" in refused.value.message_dict
    assert Person.objects.count() == 1


def test_bad_id_number_is_refused(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    with pytest.raises(ValidationError):
        actions.enter_person(
            actor=office,
            organisation=unit,
            establishment_type=admin_type,
            entry_method="transfer_in",
            name="王五",
            gender="1",
            birth_date=datetime.date(1990, 1, 1),
            id_number="510121199001010000",
            date=TODAY,
        )
    assert not Person.objects.exists()


def test_transfer_checks_the_target_quota_and_moves_the_slot(office, unit, city, admin_type):
    target = OrganisationFactory(name="成都市财政局", division=city)
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=1)
    QuotaLedgerEntryFactory(organisation=target, establishment_type=admin_type, increase=1)
    mover = enter(office, unit, 1)
    enter(office, target, 2)
    with pytest.raises(ValidationError) as refused:
        actions.transfer_internal(actor=office, person=mover, to_organisation=target, date=TODAY)
    assert refused.value.messages == ["成都市财政局 行政编制 核定 1 名，已占用 1 名，不能再入编。"]
    mover.refresh_from_db()
    assert mover.organisation == unit
    actions.record_quota_change(
        actor=office,
        organisation=target,
        establishment_type=admin_type,
        increase=1,
        reason="增编",
        date=TODAY,
    )
    actions.transfer_internal(actor=office, person=mover, to_organisation=target, date=TODAY)
    assert actions.occupied_quota(target, admin_type) == 2
    assert actions.occupied_quota(unit, admin_type) == 0
    assert Movement.objects.filter(kind="transfer").get().from_organisation == unit


def test_promotion_within_approved_posts(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    first, second = enter(office, unit, 1), enter(office, unit, 2)
    with pytest.raises(ValidationError) as refused:
        actions.promote(actor=office, person=first, post="unit_head", date=TODAY)
    assert refused.value.messages == ["成都市教育局 单位正职 核定 0 名，已配备 0 名，不能再任职。"]
    PostLedgerEntry.objects.create(
        organisation=unit, post="unit_head", date=TODAY, reason="三定", increase=1
    )
    actions.promote(actor=office, person=first, post="unit_head", date=TODAY)
    with pytest.raises(ValidationError):
        actions.promote(actor=office, person=second, post="unit_head", date=TODAY)
    second.refresh_from_db()
    assert second.post == LeadershipPost.NONE
    assert AuditEvent.objects.filter(action="staffing.person_promoted").count() == 1


def test_unit_hr_cannot_move_people(unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=5)
    hr = staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION)
    with pytest.raises(PermissionDenied):
        enter(hr, unit, 1)
    assert not Person.objects.exists()


# --- locked fields ------------------------------------------------------------------------


def test_unit_hr_edits_unlocked_fields_only(unit, office):
    person = PersonFactory(organisation=unit)
    hr = staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION)
    actions.update_person(actor=hr, person=person, changes={"job_title": "科员"})
    person.refresh_from_db()
    assert person.job_title == "科员"
    for locked in (
        {"name": "李四"},
        {"birth_date": datetime.date(1980, 1, 1)},
        {"work_start_date": datetime.date(2001, 7, 1)},
        {"id_number": resident_id(77)},
    ):
        with pytest.raises(ValidationError) as refused:
            actions.update_person(actor=hr, person=person, changes=locked)
        assert "锁定信息" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        actions.update_person(actor=office, person=person, changes={"establishment_type": None})
    person.refresh_from_db()
    assert person.name != "李四"
    actions.update_person(actor=office, person=person, changes={"name": "李四"})
    person.refresh_from_db()
    assert person.name == "李四"
    event = AuditEvent.objects.filter(action="staffing.person_updated").last()
    assert event.detail["locked"] == ["name"]


def test_id_number_change_is_not_written_to_the_audit_trail(unit, office):
    person = PersonFactory(organisation=unit)
    new = resident_id(88)
    actions.update_person(actor=office, person=person, changes={"id_number": new})
    person.refresh_from_db()
    assert Person.id_number.unseal(person) == new
    event = AuditEvent.objects.filter(action="staffing.person_updated").last()
    assert new not in str(event.detail)


def test_editing_a_person_of_another_unit_is_404(unit, city):
    person = PersonFactory(organisation=OrganisationFactory(division=city))
    hr = staffing_user(unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION)
    with pytest.raises(Http404):
        actions.update_person(actor=hr, person=person, changes={"job_title": "科员"})


# --- 控编 (controlled slots) ---------------------------------------------------------------


def test_controlled_slots_are_not_free_until_released(office, unit, admin_type):
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=admin_type, increase=2)
    enter(office, unit, 1)
    actions.record_quota_change(
        actor=office,
        organisation=unit,
        establishment_type=admin_type,
        control=1,
        reason="控制使用",
        date=TODAY,
    )
    assert actions.controlled_quota(unit, admin_type) == 1
    with pytest.raises(ValidationError) as refused:
        enter(office, unit, 2)
    assert "1 名控编" in refused.value.messages[0]
    with pytest.raises(ValidationError):  # cannot control more than is vacant
        actions.record_quota_change(
            actor=office,
            organisation=unit,
            establishment_type=admin_type,
            control=1,
            reason="再控制",
            date=TODAY,
        )
    with pytest.raises(ValidationError):  # cannot release more than is controlled
        actions.record_quota_change(
            actor=office,
            organisation=unit,
            establishment_type=admin_type,
            control=-2,
            reason="解除",
            date=TODAY,
        )
    actions.record_quota_change(
        actor=office,
        organisation=unit,
        establishment_type=admin_type,
        control=-1,
        reason="解除控编",
        date=TODAY,
    )
    enter(office, unit, 2)
    assert actions.approved_quota(unit, admin_type) == 2
    assert QuotaLedgerEntry.objects.filter(organisation=unit).count() == 3


def test_every_movement_writes_its_audit_event_and_movement_row(office, unit, city, admin_type):
    target = OrganisationFactory(name="成都市财政局", division=city)
    for organisation in (unit, target):
        QuotaLedgerEntryFactory(
            organisation=organisation, establishment_type=admin_type, increase=3
        )
    PostLedgerEntry.objects.create(
        organisation=target, post="unit_deputy", date=TODAY, reason="三定", increase=1
    )
    person = enter(office, unit, 1)
    actions.transfer_internal(actor=office, person=person, to_organisation=target, date=TODAY)
    actions.promote(actor=office, person=person, post="unit_deputy", date=TODAY)
    actions.leave_person(actor=office, person=person, leave_method="transfer_out", date=TODAY)
    actions_seen = list(
        AuditEvent.objects.filter(object_id=str(person.pk), action__startswith="staffing.person_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_seen == [
        "staffing.person_entered",
        "staffing.person_transferred",
        "staffing.person_promoted",
        "staffing.person_left",
    ]
    assert list(person.movements.order_by("id").values_list("kind", flat=True)) == [
        "enter",
        "transfer",
        "promote",
        "leave",
    ]
    person.refresh_from_db()
    assert person.status == PersonStatus.HISTORY
    assert person.post == LeadershipPost.NONE
