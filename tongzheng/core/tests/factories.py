import factory

from tongzheng.core.models import (
    Division,
    DivisionLevel,
    Organisation,
    OrganisationCategory,
    OrganisationKind,
    Rank,
    Subordination,
)


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{510100 + n * 100}")
    name = factory.Sequence(lambda n: f"测试市{n}")
    level = DivisionLevel.CITY


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = OrganisationKind.PARTY_GOVERNMENT
    category = OrganisationCategory.GOVERNMENT
    rank = Rank.DIVISION
    subordination = Subordination.CITY
    division = factory.SubFactory(DivisionFactory)
