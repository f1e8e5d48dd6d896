"""Loading real divisions (Ministry of Civil Affairs, 2025-12-31) and reading subtrees."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongzheng.core.divisions import data_source, load_divisions
from tongzheng.core.models import Division, DivisionLevel

pytestmark = pytest.mark.django_db

# Sichuan (四川省, 51) in the 2025-12-31 list: 21 prefecture-level units, 183 county-level
# units, 3,101 township-level units.
SICHUAN = {
    DivisionLevel.PROVINCE: 1,
    DivisionLevel.CITY: 21,
    DivisionLevel.COUNTY: 183,
    DivisionLevel.TOWNSHIP: 3101,
}


def test_sichuan_loads_with_the_real_counts():
    result = load_divisions(["51"])
    assert dict(result.created) == SICHUAN
    for level, count in SICHUAN.items():
        assert Division.objects.filter(level=level, code__startswith="51").count() == count
    chengdu = Division.objects.get(code="510100")
    assert chengdu.name == "成都市"
    assert chengdu.parent.code == "510000"
    assert chengdu.path == "510000/510100/"
    jinjiang = Division.objects.get(code="510104")
    assert (jinjiang.name, jinjiang.path) == ("锦江区", "510000/510100/510104/")


def test_loading_again_creates_nothing():
    load_divisions(["510000"])
    again = load_divisions(["51"])
    assert again.total_created == 0
    assert dict(again.existing) == SICHUAN
    assert Division.objects.count() == sum(SICHUAN.values())


def test_existing_codes_are_kept_and_the_rest_added():
    province = Division.objects.create(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    Division.objects.create(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    result = load_divisions(["51"])
    assert result.existing[DivisionLevel.PROVINCE] == 1
    assert result.existing[DivisionLevel.CITY] == 1
    assert result.created[DivisionLevel.CITY] == 20
    assert Division.objects.get(code="510104").path == "510000/510100/510104/"


def test_city_subtree_is_one_query_with_all_its_townships(django_assert_num_queries):
    load_divisions(["51"])
    chengdu = Division.objects.get(code="510100")
    with django_assert_num_queries(1):
        subtree = list(chengdu.subtree())
    codes = {d.code for d in subtree}
    townships = {d.code for d in subtree if d.level == DivisionLevel.TOWNSHIP}
    expected = set(
        Division.objects.filter(level=DivisionLevel.TOWNSHIP, code__startswith="5101").values_list(
            "code", flat=True
        )
    )
    assert townships == expected
    assert len(townships) > 200
    assert "510100" in codes and "510300" not in codes  # itself, not 自贡市
    assert all(d.path.startswith(chengdu.path) for d in subtree)


def test_paths_nest_by_parent():
    load_divisions(["51"])
    by_id = {d.id: d for d in Division.objects.all()}
    for division in by_id.values():
        if division.parent_id is None:
            assert division.path == division.code + "/"
        else:
            assert division.path == by_id[division.parent_id].path + division.code + "/"
    township = Division.objects.get(code="510104003")
    assert township.name == "春熙路街道"  # 成都市锦江区
    assert township.path == "510000/510100/510104/510104003/"
    assert township.path.startswith(township.parent.path)


def test_province_administered_county_units_hang_under_the_province():
    """仙桃市 (429004) is county-level under 湖北省 directly; no invented 4290xx city."""
    load_divisions(["42"])
    xiantao = Division.objects.get(code="429004")
    assert xiantao.name == "仙桃市"
    assert xiantao.level == DivisionLevel.COUNTY
    assert xiantao.parent.code == "420000"
    assert xiantao.path == "420000/429004/"
    assert not Division.objects.filter(code="429000").exists()
    town = Division.objects.filter(parent=xiantao).first()
    assert town.level == DivisionLevel.TOWNSHIP
    assert town.path == f"420000/429004/{town.code}/"
    hubei = Division.objects.get(code="420000")
    assert hubei.subtree().filter(code__startswith="429004").count() == 1 + xiantao.children.count()


def test_bad_province_code_is_refused():
    with pytest.raises(ValueError):
        load_divisions(["5101"])
    with pytest.raises(CommandError):
        call_command("divisions", "load", "99", stdout=StringIO())
    assert Division.objects.count() == 0


def test_divisions_command_loads_and_reports():
    out = StringIO()
    call_command("divisions", "load", "51", stdout=out)
    assert "3101" in out.getvalue()
    assert Division.objects.filter(code__startswith="51").count() == sum(SICHUAN.values())


def test_divisions_info_names_the_source_and_year():
    out = StringIO()
    call_command("divisions", "info", stdout=out)
    text = out.getvalue()
    assert "Ministry of Civil Affairs" in text
    assert "2025-12-31" in text
    assert data_source()["data_as_of"] == "2025-12-31"
