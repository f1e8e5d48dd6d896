import datetime

import factory
from stdnum.cn import ric

from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.staffing.models import (
    EstablishmentType,
    Gender,
    Person,
    PersonStatus,
    QuotaLedgerEntry,
)


def establishment_type(code: str = "administrative") -> EstablishmentType:
    """One of the types seeded by the data migration."""
    return EstablishmentType.objects.get(code=code)


def resident_id(n: int, area: str = "510121", birth: str = "19850612", male: bool = True) -> str:
    sequence = (n % 500) * 2 + (1 if male else 0)
    body = f"{area}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum drops the last character


class QuotaLedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuotaLedgerEntry

    organisation = factory.SubFactory(OrganisationFactory)
    establishment_type = factory.LazyFunction(establishment_type)
    date = datetime.date(2020, 3, 1)
    reason = "三定方案核定编制"
    approval_document = factory.Sequence(lambda n: f"金编委发〔2020〕{n + 1}号")
    increase = 5
    decrease = 0


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"张{'伟芳'[n % 2]}{n}")
    gender = Gender.MALE
    birth_date = datetime.date(1985, 6, 12)
    id_number = factory.Sequence(lambda n: resident_id(n))
    establishment_type = factory.LazyFunction(establishment_type)
    status = PersonStatus.SERVING
    entered_at = datetime.date(2008, 9, 1)


# --- users and notices for the action tests (engineer A) --------------------------------


def staffing_user(organisation, permissions, scope=None, username=None):
    """A staff user of ``organisation`` holding ``permissions`` with ``scope``."""
    from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
    from tongzheng.core.access import DataScope

    role = RoleFactory(permissions=list(permissions), scope=scope or DataScope.DIVISION_AND_BELOW)
    kwargs = {"organisation": organisation, "roles": [role]}
    if username:
        kwargs["username"] = username
    return UserFactory(**kwargs)


OFFICE_PERMISSIONS = (
    "staffing.view_quota",
    "staffing.view_person",
    "staffing.manage_quota",
    "staffing.manage_unit",
    "staffing.edit_personnel",
    "staffing.manage_personnel_locked",
    "staffing.review_quota_use",
    "staffing.apply_quota_use",
    "core.reveal_personal_data",
)
UNIT_HR_PERMISSIONS = (
    "staffing.view_quota",
    "staffing.view_person",
    "staffing.edit_personnel",
    "staffing.apply_quota_use",
)


def notice_for(organisation, establishment, slots=1, valid_until=None, slots_used=0, user=None):
    """A 控编通知单 issued straight into the database (bypassing the review)."""
    from django.utils import timezone

    from tongzheng.accounts.tests.factories import UserFactory
    from tongzheng.staffing.models import ApplicationStatus, QuotaUseApplication, QuotaUseNotice

    user = user or UserFactory(organisation=organisation)
    application = QuotaUseApplication.objects.create(
        organisation=organisation,
        establishment_type=establishment,
        slots=slots,
        reason="招录",
        applicant=user,
        status=ApplicationStatus.APPROVED,
    )
    count = QuotaUseNotice.objects.count()
    return QuotaUseNotice.objects.create(
        number=f"测编控〔2026〕{count + 1}号",
        application=application,
        organisation=organisation,
        establishment_type=establishment,
        slots=slots,
        slots_used=slots_used,
        valid_until=valid_until or timezone.localdate() + datetime.timedelta(days=30),
        issued_by=user,
    )
