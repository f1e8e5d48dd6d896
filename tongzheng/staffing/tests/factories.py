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
