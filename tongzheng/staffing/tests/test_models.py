import pytest
from django.db import IntegrityError, transaction

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.crypto import blind_index
from tongzheng.core.registry import platform
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.staffing.models import EstablishmentType, Person, PersonStatus, QuotaLedgerEntry
from tongzheng.staffing.tests.factories import (
    PersonFactory,
    QuotaLedgerEntryFactory,
    establishment_type,
    resident_id,
)

pytestmark = pytest.mark.django_db


def test_the_six_establishment_types_are_seeded():
    assert list(EstablishmentType.objects.values_list("name", flat=True)) == [
        "行政编制",
        "政法专项编制",
        "事业编制-全额拨款",
        "事业编制-差额补贴",
        "事业编制-自收自支",
        "工勤编制",
    ]


def test_approved_quota_is_the_ledger_sum():
    unit = OrganisationFactory()
    other = OrganisationFactory()
    administrative = establishment_type("administrative")
    worker = establishment_type("worker")
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=administrative, increase=12)
    QuotaLedgerEntryFactory(
        organisation=unit, establishment_type=administrative, increase=0, decrease=3
    )
    QuotaLedgerEntryFactory(organisation=unit, establishment_type=worker, increase=2)
    QuotaLedgerEntryFactory(organisation=other, establishment_type=administrative, increase=7)
    totals = {
        (row["organisation_id"], row["establishment_type_id"]): row["approved"]
        for row in QuotaLedgerEntry.objects.approved_totals()
    }
    assert totals == {
        (unit.pk, administrative.pk): 9,
        (unit.pk, worker.pk): 2,
        (other.pk, administrative.pk): 7,
    }


def test_a_ledger_entry_must_change_something():
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedgerEntryFactory(increase=0, decrease=0)


def test_person_copies_the_division_path_and_seals_the_id_number():
    person = PersonFactory(id_number=resident_id(7))
    assert person.division_path == person.organisation.division_path != ""
    assert person.id_number_index == blind_index(resident_id(7))
    assert resident_id(7) not in person.id_number_sealed
    assert person.id_number == resident_id(7)[:3] + "*" * 11 + resident_id(7)[-4:]
    assert Person.objects.get(Person.id_number.matches(resident_id(7))) == person


def test_an_active_id_number_is_unique_but_history_rows_may_repeat_it():
    PersonFactory(id_number=resident_id(1))
    PersonFactory(id_number=resident_id(1), status=PersonStatus.HISTORY)
    PersonFactory(id_number=resident_id(1), status=PersonStatus.HISTORY)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=resident_id(1), status=PersonStatus.RETIRED)


def test_occupying_counts_only_serving_people_inside_the_establishment():
    unit = OrganisationFactory()
    PersonFactory(organisation=unit)
    PersonFactory(organisation=unit, establishment_type=None)  # 编外
    PersonFactory(organisation=unit, status=PersonStatus.RETIRED)
    assert Person.objects.filter(organisation=unit).occupying().count() == 1
    assert Person.objects.filter(organisation=unit).serving().count() == 2


def test_personnel_are_scoped_through_their_organisation():
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    own = PersonFactory(organisation=mine)
    PersonFactory(organisation=theirs)
    role = RoleFactory(permissions=["staffing.view_person"], scope=DataScope.OWN_ORGANISATION)
    clerk = UserFactory(organisation=mine, roles=[role])
    assert list(Person.objects.for_user(clerk, "staffing.view_person")) == [own]
    assert not Person.objects.for_user(clerk, "staffing.change_person").exists()


def test_permission_codes_are_registered():
    assert {
        "staffing.view_person",
        "staffing.change_person",
        "staffing.view_quota",
        "staffing.change_quota",
    } <= set(platform.permissions)
