"""Factories and a small cast for supervision tests (other apps may import them).

``city_tree()`` builds 成都市 with two counties, a department in each and one in the
city itself; ``supervisor(division_org)`` is a user holding the built-in role
``supervisor`` (DIVISION_AND_BELOW). ``errand(...)`` makes a timed task of the test-only
module ``timedtest`` (installed when TONGZHENG_MODE=test).
"""

import datetime
from dataclasses import dataclass

import factory
from django.utils import timezone

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, builtin_role
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.core.tests.timedtest.models import Errand


@dataclass
class Tree:
    province: object
    city: object
    county_a: object
    county_b: object
    other_city: object
    city_bureau: object
    dept_a: object
    dept_b: object
    other_dept: object


def city_tree() -> Tree:
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    county_a = DivisionFactory(
        code="510104", name="锦江区", level=DivisionLevel.COUNTY, parent=city
    )
    county_b = DivisionFactory(
        code="510105", name="青羊区", level=DivisionLevel.COUNTY, parent=city
    )
    other_city = DivisionFactory(
        code="510300", name="自贡市", level=DivisionLevel.CITY, parent=province
    )
    return Tree(
        province=province,
        city=city,
        county_a=county_a,
        county_b=county_b,
        other_city=other_city,
        city_bureau=OrganisationFactory(name="成都市政务服务管理局", division=city),
        dept_a=OrganisationFactory(name="锦江区市场监督管理局", division=county_a),
        dept_b=OrganisationFactory(name="青羊区人力资源和社会保障局", division=county_b),
        other_dept=OrganisationFactory(name="自贡市市场监督管理局", division=other_city),
    )


def supervisor(organisation, **kwargs):
    return UserFactory(organisation=organisation, roles=[builtin_role("supervisor")], **kwargs)


def department_user(organisation, permissions=("supervision.rectify_rating",), **kwargs):
    role = RoleFactory(
        code=f"rectifier-{'-'.join(sorted(permissions))}",
        permissions=list(permissions),
        scope=DataScope.OWN_ORGANISATION,
    )
    return UserFactory(organisation=organisation, roles=[role], **kwargs)


def errand(organisation, *, started=None, limit=3, finished=None, **kwargs) -> Errand:
    """A timed task of the test module, started ``started`` (default now) with ``limit``."""
    task = Errand(title=kwargs.pop("title", "测试事项"), organisation=organisation, **kwargs)
    task.start(started or timezone.now(), limit)
    if finished is not None:
        task.finish(finished)
    task.save()
    return task


def red_errand(organisation, **kwargs) -> Errand:
    """Started 30 days ago with a 3-working-day limit: a red card now."""
    return errand(organisation, started=timezone.now() - datetime.timedelta(days=30), **kwargs)


class SubjectFactory(factory.django.DjangoModelFactory):
    """Something to rate or warn about: an errand of the test module."""

    class Meta:
        model = Errand

    title = factory.Sequence(lambda n: f"事项{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    started_at = factory.LazyFunction(timezone.now)
    limit_working_days = 5
