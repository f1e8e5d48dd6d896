"""编制统计: the SQL roll-up against a brute-force Python recount, per-unit vacancy, scope."""

import random
from collections import defaultdict

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel, OrganisationKind
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing import statistics
from tongzheng.staffing.models import (
    EstablishmentType,
    LeadershipPost,
    Person,
    PersonStatus,
    QuotaLedgerEntry,
)
from tongzheng.staffing.tests.factories import PersonFactory, QuotaLedgerEntryFactory

pytestmark = pytest.mark.django_db


def viewer(organisation, scope=DataScope.DIVISION_AND_BELOW):
    role = RoleFactory(code=f"stat-{scope}", permissions=[statistics.VIEW_STATISTICS], scope=scope)
    return UserFactory(organisation=organisation, roles=[role])


def build_tree():
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    city2 = DivisionFactory(code="510300", name="自贡市", level=DivisionLevel.CITY, parent=province)
    county = DivisionFactory(code="510121", name="金堂县", level=DivisionLevel.COUNTY, parent=city)
    county2 = DivisionFactory(code="510129", name="大邑县", level=DivisionLevel.COUNTY, parent=city)
    township = DivisionFactory(
        code="510121100", name="赵镇街道", level=DivisionLevel.TOWNSHIP, parent=county
    )
    return province, [province, city, city2, county, county2, township]


def random_data(divisions, rng):
    types = list(EstablishmentType.objects.all())
    units = []
    for division in divisions:
        for _ in range(rng.randint(1, 3)):
            unit = OrganisationFactory(division=division)
            units.append(unit)
            if rng.random() < 0.5:
                units.append(
                    OrganisationFactory(
                        division=division, parent=unit, kind=OrganisationKind.INTERNAL_DEPARTMENT
                    )
                )
    n = 0
    for unit in units:
        for etype in rng.sample(types, rng.randint(0, 3)):
            QuotaLedgerEntryFactory(
                organisation=unit, establishment_type=etype, increase=rng.randint(1, 6)
            )
            if rng.random() < 0.3:
                QuotaLedgerEntryFactory(
                    organisation=unit, establishment_type=etype, increase=0, decrease=1
                )
        for _ in range(rng.randint(0, 8)):
            n += 1
            PersonFactory(
                organisation=unit,
                id_number=f"{n}",
                establishment_type=rng.choice([*types, None]),
                status=rng.choice([PersonStatus.SERVING] * 4 + [PersonStatus.RETIRED]),
                post=rng.choice(list(LeadershipPost.values)),
            )
    return units


def brute_force(units_filter):
    """group → type → [approved, occupied, vacant, over], recounted row by row in Python."""
    approved = defaultdict(int)
    occupied = defaultdict(int)
    for entry in QuotaLedgerEntry.objects.all():
        approved[(entry.organisation_id, entry.establishment_type_id)] += (
            entry.increase - entry.decrease
        )
    for person in Person.objects.all():
        if person.status == PersonStatus.SERVING and person.establishment_type_id:
            occupied[(person.organisation_id, person.establishment_type_id)] += 1
    result = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    from tongzheng.core.models import Organisation

    for org_id, type_id in set(approved) | set(occupied):
        group = units_filter(Organisation.objects.get(pk=org_id))
        if group is None:
            continue
        a, o = approved[(org_id, type_id)], occupied[(org_id, type_id)]
        figures = result[group][type_id]
        figures[0] += a
        figures[1] += o
        figures[2] += max(a - o, 0)
        figures[3] += max(o - a, 0)
    return result


def as_lists(rows):
    return {
        row.key: {
            t: [f.approved, f.occupied, f.vacant, f.over]
            for t, f in row.by_type.items()
            if (f.approved, f.occupied) != (0, 0)
        }
        for row in rows
        if any((f.approved, f.occupied) != (0, 0) for f in row.by_type.values())
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_division_rollup_equals_a_brute_force_recount(seed):
    province, divisions = build_tree()
    random_data(divisions, random.Random(seed))
    user = viewer(OrganisationFactory(division=province), DataScope.ALL)

    for division in divisions:

        def group_of(org, division=division):
            path = org.division_path
            if not path.startswith(division.path):
                return None
            if path == division.path:
                return str(org.pk)
            child = next(c for c in division.children.all() if path.startswith(c.path))
            return child.code

        expected = {k: dict(v) for k, v in brute_force(group_of).items()}
        report = statistics.division_report(user, division.code)
        assert as_lists(report.rows) == {
            k: {t: v for t, v in types.items() if v[:2] != [0, 0]}
            for k, types in expected.items()
            if any(v[:2] != [0, 0] for v in types.values())
        }


def test_unit_rollup_equals_a_brute_force_recount():
    province, divisions = build_tree()
    units = random_data(divisions, random.Random(7))
    user = viewer(OrganisationFactory(division=province), DataScope.ALL)
    parent = next(u for u in units if u.children.exists())
    expected = brute_force(lambda org: str(org.pk) if org.path.startswith(parent.path) else None)
    report = statistics.unit_report(user, parent.pk)
    assert as_lists(report.rows) == {
        k: {t: v for t, v in types.items() if v[:2] != [0, 0]}
        for k, types in expected.items()
        if any(v[:2] != [0, 0] for v in types.values())
    }


def test_one_units_vacancy_does_not_offset_another_units_excess():
    county = DivisionFactory(code="510121", name="金堂县", level=DivisionLevel.COUNTY)
    a = OrganisationFactory(division=county)
    b = OrganisationFactory(division=county)
    QuotaLedgerEntryFactory(organisation=a, increase=5)
    QuotaLedgerEntryFactory(organisation=b, increase=5)
    for n in range(3):
        PersonFactory(organisation=a, id_number=f"a{n}")
    for n in range(7):
        PersonFactory(organisation=b, id_number=f"b{n}")
    user = viewer(a)
    report = statistics.division_report(user, county.code)
    total = report.total
    assert (total.approved, total.occupied, total.vacant, total.over) == (10, 10, 2, 2)
    by_unit = {row.key: row.total for row in report.rows}
    assert (by_unit[str(a.pk)].vacant, by_unit[str(a.pk)].over) == (2, 0)
    assert (by_unit[str(b.pk)].vacant, by_unit[str(b.pk)].over) == (0, 2)


def test_leadership_posts_are_counted_per_kind():
    county = DivisionFactory(code="510121", name="金堂县", level=DivisionLevel.COUNTY)
    a = OrganisationFactory(division=county)
    PersonFactory(organisation=a, id_number="1", post=LeadershipPost.UNIT_HEAD)
    PersonFactory(organisation=a, id_number="2", post=LeadershipPost.UNIT_DEPUTY)
    PersonFactory(organisation=a, id_number="3", post=LeadershipPost.UNIT_DEPUTY)
    PersonFactory(organisation=a, id_number="4", post=LeadershipPost.NONE)
    PersonFactory(
        organisation=a, id_number="5", post=LeadershipPost.UNIT_HEAD, status=PersonStatus.RETIRED
    )
    report = statistics.division_report(viewer(a), county.code)
    posts = report.posts
    assert posts[LeadershipPost.UNIT_HEAD].occupied == 1
    assert posts[LeadershipPost.UNIT_DEPUTY].occupied == 2
    assert posts[LeadershipPost.DEPARTMENT_HEAD].occupied == 0


def test_a_city_user_gets_404_for_another_city_and_above():
    province, _divisions = build_tree()
    city = province.children.get(code="510100")
    other_city = province.children.get(code="510300")
    user = viewer(OrganisationFactory(division=city))
    assert statistics.division_report(user, "510121").division.code == "510121"
    with pytest.raises(Http404):
        statistics.division_report(user, other_city.code)
    with pytest.raises(Http404):
        statistics.division_report(user, province.code)
    with pytest.raises(Http404):
        statistics.unit_report(user, OrganisationFactory(division=other_city).pk)
    assert [d.code for d in statistics.division_report(user, "510121").ancestors] == [
        "510100",
        "510121",
    ]


def test_organisation_scope_sees_only_its_unit():
    county = DivisionFactory(code="510121", name="金堂县", level=DivisionLevel.COUNTY)
    a = OrganisationFactory(division=county)
    b = OrganisationFactory(division=county)
    user = viewer(a, DataScope.OWN_ORGANISATION)
    assert statistics.home_target(user) == ("unit", a.pk)
    assert statistics.unit_report(user, a.pk).unit == a
    with pytest.raises(Http404):
        statistics.unit_report(user, b.pk)
    with pytest.raises(Http404):
        statistics.division_report(user, county.code)


def test_without_the_permission_statistics_are_refused():
    county = DivisionFactory(code="510121", name="金堂县", level=DivisionLevel.COUNTY)
    user = UserFactory(organisation=OrganisationFactory(division=county))
    with pytest.raises(PermissionDenied):
        statistics.division_report(user, county.code)


def _nonzero(result: dict) -> dict:
    return {
        key: {d: f.as_dict() for d, f in dims.items() if (f.approved, f.occupied) != (0, 0)}
        for key, dims in result.items()
        if any((f.approved, f.occupied) != (0, 0) for f in dims.values())
    }


@pytest.mark.parametrize("seed", [11, 12])
def test_trigger_aggregates_never_drift_from_a_full_recount(seed):
    """Random movements (status, type, post and unit changes, deletions, ledger entries):
    the trigger-maintained aggregates equal the plain recount at every division."""
    rng = random.Random(seed)
    province, divisions = build_tree()
    units = random_data(divisions, rng)
    types = list(EstablishmentType.objects.all())
    people = list(Person.objects.all())
    for _step in range(60):
        person = rng.choice(people)
        move = rng.randrange(6)
        if move == 0:
            person.status = rng.choice(list(PersonStatus.values))
        elif move == 1:
            person.establishment_type = rng.choice([*types, None])
        elif move == 2:
            person.post = rng.choice(list(LeadershipPost.values))
        elif move == 3:
            person.organisation = rng.choice(units)
        elif move == 4:
            QuotaLedgerEntryFactory(
                organisation=rng.choice(units),
                establishment_type=rng.choice(types),
                increase=rng.randint(0, 3),
                decrease=1,
            )
            continue
        else:
            Person.objects.filter(organisation=rng.choice(units)).update(
                status=PersonStatus.SERVING
            )  # a set-based UPDATE of many rows at once
            continue
        person.save()
    Person.objects.filter(pk=rng.choice(people).pk).delete()
    for division in divisions:
        fast = statistics.division_rollup(division)
        slow = statistics.recount_division(division)
        assert [_nonzero(part) for part in fast] == [_nonzero(part) for part in slow]
    for unit in rng.sample(units, 5):
        assert [_nonzero(p) for p in statistics.unit_rollup(unit)] == [
            _nonzero(p) for p in statistics.recount_unit(unit)
        ]


def test_rebuild_recomputes_the_aggregates():
    from django.db import connection

    from tongzheng.staffing.models import DivisionFigures, UnitFigures
    from tongzheng.staffing.statistics_triggers import rebuild

    province, divisions = build_tree()
    random_data(divisions, random.Random(5))
    before = sorted(DivisionFigures.objects.values_list("division_path", "dimension", "vacant"))
    DivisionFigures.objects.update(vacant=999)  # damage
    rebuild(connection)
    after = sorted(DivisionFigures.objects.values_list("division_path", "dimension", "vacant"))
    assert [row for row in after if row[2]] == [row for row in before if row[2]]
    assert UnitFigures.objects.exists()
