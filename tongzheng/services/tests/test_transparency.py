"""行政权力清单 and the catalogue search (services/search.py): jieba terms, AND matching,
the in-memory index rebuilt on publication, and its size limit measured at city scale."""

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzheng.services import actions, search
from tongzheng.services.models import ItemVersion, ServiceItem
from tongzheng.services.tests.factories import elements, item_admin, material, published_item

pytestmark = pytest.mark.django_db


def test_powers_list_shows_basis_process_and_limits_and_filters(django_assert_max_num_queries):
    planning = published_item(code="PLAN01", second_stage=True)
    published_item(
        code="SOC01",
        name="社会保障卡申领",
        item_type="21",
        legal_basis="《中华人民共和国社会保险法》第五十八条",
        acceptance_conditions="参保人员",
        result_name="社会保障卡",
    )
    url = reverse("services:public_powers")
    page = Client().get(url).content.decode()
    for text in (
        "建设工程规划许可",
        "《中华人民共和国城乡规划法》第四十条",
        "联合审查",
        "复核",
        "法定 20 个工作日；承诺 10 个工作日",
        planning.implementation_code,
        "行政许可",
    ):
        assert text in page, text
    published_item(code="PLAN02", second_stage=True)
    with django_assert_max_num_queries(5):
        Client().get(url)  # stages of the whole page in one query, not one per item
    found = Client().get(url, {"q": "社会保险法"}).content.decode()
    assert "社会保障卡申领" in found and "建设工程规划许可" not in found
    found = Client().get(url, {"q": "城乡规划"}).content.decode()
    assert "建设工程规划许可" in found and "社会保障卡申领" not in found
    found = Client().get(url, {"type": "01"}).content.decode()
    assert "建设工程规划许可" in found and "社会保障卡申领" not in found


def test_query_terms_are_jieba_words_without_syntax():
    assert search.query_terms("建设工程 规划许可") == ["建设工程", "规划", "许可"]
    assert search.query_terms("") == []
    # Operators and quotes are not syntax: they only separate terms.
    assert search.query_terms('许可" OR 1=1 --') == ["许可", "or", "1"]
    assert len(search.query_terms(" ".join(f"词{i}" for i in range(30)))) == search.MAX_TERMS


def test_the_index_follows_a_new_version():
    item = published_item(code="PLAN01")
    items = ServiceItem.objects.all()
    assert list(search.search(items, "环境影响")) == []
    version = item.current_version
    data = elements(name="建设项目环境影响评价文件审批", basic_code=version.basic_code)
    actions.publish_item_version(
        actor=item_admin(item.organisation),
        organisation=item.organisation,
        implementation_code=item.implementation_code,
        elements=data,
        materials=[material()],
        stages=[{"name": "审查", "limit_working_days": 3, "departments": [item.organisation]}],
    )
    assert list(search.search(items, "环境影响")) == [item]
    assert list(search.search(items, "环境影响 不存在的词")) == []


def bulk_catalogue(count: int) -> None:
    """``count`` published items in a few bulk inserts (the city-scale measurement)."""
    template = published_item(code="TEMPLATE")
    version = template.current_version
    names = ["营业执照", "建设工程", "社会保障卡", "医疗保险", "食品经营", "排水许可", "户籍"]
    actions_ = ["变更登记", "设立登记", "注销", "补领", "审批", "备案", "许可证核发"]
    items = ServiceItem.objects.bulk_create(
        ServiceItem(
            implementation_code=f"BULK{i:06d}",
            organisation=template.organisation,
            division_path=template.division_path,
        )
        for i in range(count)
    )
    now = timezone.now()
    fields = {
        f.name: getattr(version, f.name)
        for f in ItemVersion._meta.concrete_fields
        if f.name not in ("id", "item", "number", "name", "published_at")
    }
    versions = ItemVersion.objects.bulk_create(
        ItemVersion(
            item=item,
            number=1,
            name=f"{names[i % len(names)]}{actions_[(i // len(names)) % len(actions_)]}（{i}）",
            published_at=now,
            **fields,
        )
        for i, item in enumerate(items)
    )
    for item, v in zip(items, versions, strict=True):
        item.current_version = v
    ServiceItem.objects.bulk_update(items, ["current_version"], batch_size=500)


def test_city_scale_catalogue_builds_once_and_answers(django_assert_num_queries):
    """3,000 items: the index is built once per catalogue state and every query answers
    from it. How fast is a benchmark's question (``search.bench_catalogue_search``,
    docs/benchmarks.md), not a test's: this machine is shared."""
    bulk_catalogue(3000)
    built, size, rebuilt, timings = search.bench_catalogue_search(
        ("营业执照 变更", "建设工程", "社会保障卡补领", "许可证")
    )
    assert size == 3001
    print(
        f"\nbuild {built:.2f} s for {size} items, rebuild {rebuilt * 1000:.0f} ms;"
        f" queries (matches, ms): {timings}"
    )
    assert timings["营业执照 变更"][0] > 0
    first = search.catalogue_index()  # first use in this process: builds
    with django_assert_num_queries(1):  # unchanged catalogue: only the fingerprint query
        assert search.catalogue_index() is first
    assert ServiceItem.objects.aggregate(m=Max("current_version_id"))["m"] is not None
