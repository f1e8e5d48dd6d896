"""热线统计: breakdowns, on-time and satisfaction rates, hot topics, the page and the .xlsx."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongzheng.accounts.models import Role
from tongzheng.accounts.tests.factories import UserFactory, verified_login
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline import statistics
from tongzheng.hotline.models import (
    Channel,
    Satisfaction,
    Subject,
    Ticket,
    TicketType,
)
from tongzheng.hotline.tests.factories import TicketFactory
from tongzheng.hotline.text import token_string

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()


def ticket(*, when=None, content="夜间施工噪音扰民", **fields):
    row = TicketFactory(content=content, search_tokens=token_string(content), **fields)
    if when is not None:
        Ticket.objects.filter(pk=row.pk).update(created_at=when)
        row.refresh_from_db()
    return row


def staff(organisation, scope=DataScope.DIVISION_AND_BELOW):
    role = Role.objects.create(
        code=f"stats{organisation.pk}{scope}",
        name="统计",
        scope=scope,
        permissions=["hotline.view_statistics"],
    )
    return UserFactory(organisation=organisation, roles=[role])


@pytest.fixture
def world():
    city = DivisionFactory(code="510100", name="成都市")
    district = DivisionFactory(code="510104", name="锦江区", parent=city)
    other_city = DivisionFactory(code="510300", name="自贡市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    bureau = OrganisationFactory(name="锦江区城管局", division=district)
    return {
        "city": city,
        "district": district,
        "other_city": other_city,
        "centre": centre,
        "bureau": bureau,
    }


def period(days=30):
    return statistics.Period(TODAY - datetime.timedelta(days=days - 1), TODAY)


def test_breakdowns_count_the_scoped_tickets_of_the_period(world):
    subject = Subject.objects.get(code="01")
    ticket(division=world["district"], organisation=world["bureau"], subject=subject)
    ticket(division=world["district"], channel=Channel.PHONE, type=TicketType.COMPLAINT)
    ticket(division=world["city"], channel=Channel.MAILBOX)
    ticket(division=world["other_city"])  # out of scope
    ticket(division=world["city"], when=NOW - datetime.timedelta(days=60))  # before the period
    report = statistics.report(staff(world["centre"]), period())
    assert report.total == 3
    channels = dict(report.breakdowns["channel"])
    assert channels["网上"] == 1 and channels["电话"] == 1 and channels["领导信箱"] == 1
    assert dict(report.breakdowns["type"])["投诉"] == 1
    assert dict(report.breakdowns["type"])["咨询"] == 2
    assert report.breakdowns["division"] == [("锦江区", 2), ("成都市", 1)]
    assert report.breakdowns["department"] == [("未派单", 2), ("锦江区城管局", 1)]
    assert dict(report.breakdowns["subject"]) == {"城乡建设与城市管理": 1, "未分类": 2}
    for rows in report.breakdowns.values():
        assert sum(n for _label, n in rows) == 3


def test_a_department_sees_only_the_tickets_it_leads(world):
    ticket(division=world["district"], organisation=world["bureau"])
    ticket(division=world["district"])
    user = staff(world["bureau"], DataScope.OWN_ORGANISATION)
    assert statistics.report(user, period()).total == 1


def test_statistics_need_the_permission(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        statistics.report(UserFactory(organisation=world["centre"]), period())


def test_on_time_rate_counts_finished_tickets_against_their_deadline(world):
    due = NOW - datetime.timedelta(days=1)
    on_time = ticket(division=world["city"])
    late = ticket(division=world["city"])
    open_ticket = ticket(division=world["city"])
    Ticket.objects.filter(pk=on_time.pk).update(due_at=due, finished_at=due)  # exactly due
    Ticket.objects.filter(pk=late.pk).update(
        due_at=due, finished_at=due + datetime.timedelta(seconds=1)
    )
    Ticket.objects.filter(pk=open_ticket.pk).update(due_at=due)
    report = statistics.report(staff(world["centre"]), period())
    assert (report.on_time.numerator, report.on_time.denominator) == (1, 2)
    assert report.on_time.percent == 50.0


def test_satisfaction_rate_comes_from_the_latest_revisit_of_each_ticket(world):
    for value in (Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.UNSATISFIED):
        ticket(division=world["city"], satisfaction=value)
    ticket(division=world["city"])  # not revisited
    ticket(division=world["other_city"], satisfaction=Satisfaction.UNSATISFIED)  # out of scope
    report = statistics.report(staff(world["centre"]), period())
    assert (report.satisfaction.numerator, report.satisfaction.denominator) == (2, 3)
    assert report.satisfaction.percent == 66.7
    assert dict(report.satisfaction_counts) == {"满意": 1, "基本满意": 1, "不满意": 1}


def test_rates_without_data_are_none():
    assert statistics.Rate(0, 0).percent is None


def test_hot_topics_count_tickets_not_repetitions(world):
    ticket(division=world["city"], content="噪音噪音噪音噪音")
    ticket(division=world["city"], content="油烟扰民，油烟很大")
    ticket(division=world["city"], content="油烟 第5号 路")
    report = statistics.report(staff(world["centre"]), period())
    topics = dict(report.hot_topics)
    assert topics["油烟"] == 2
    assert topics["噪音"] == 1
    assert "5" not in topics and "路" not in topics  # numbers and single characters
    assert report.hot_topic_sample == 3


def test_hot_topics_sample_a_large_period_and_scale(world, monkeypatch):
    monkeypatch.setattr(statistics, "HOT_TOPIC_SAMPLE", 20)
    monkeypatch.setattr(statistics, "HOT_TOPIC_SLICES", 5)
    for i in range(60):
        ticket(
            division=world["city"],
            content="油烟扰民" if i % 2 else "噪音扰民",
            when=NOW - datetime.timedelta(hours=i * 11),
        )
    tickets = statistics.period_tickets(staff(world["centre"]), period())
    topics, read = statistics.hot_topics(tickets, period(), total=60)
    assert read <= 20
    counts = dict(topics)
    assert counts["扰民"] == 60  # in every ticket: the scaled estimate is exact
    assert 0 < counts["油烟"] < 60 and 0 < counts["噪音"] < 60


def test_period_validation():
    with pytest.raises(Exception, match="开始日期不能晚于结束日期"):
        statistics.Period.checked(TODAY, TODAY - datetime.timedelta(days=1))
    with pytest.raises(Exception, match="三年"):
        statistics.Period.checked(TODAY - datetime.timedelta(days=5000), TODAY)


def login(client, user):
    verified_login(client, user)
    return client


def test_the_page_shows_figures_and_chart_data(client, world):
    ticket(division=world["city"])
    page = login(client, staff(world["centre"])).get(reverse("hotline:statistics"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="tz-hotline-chart-data"' in html and "echarts.min.js" in html
    assert "hotline/statistics.js" in html
    assert "噪音" in html


def test_a_bad_period_is_a_400_with_a_chinese_message(client, world):
    user = staff(world["centre"])
    response = login(client, user).get(
        reverse("hotline:statistics"), {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()
    response = client.get(reverse("hotline:statistics"), {"start": "昨天", "end": ""})
    assert response.status_code == 400


def test_the_export_has_one_sheet_per_breakdown(client, world):
    ticket(division=world["city"], type=TicketType.HELP)
    user = staff(world["centre"])
    start = (TODAY - datetime.timedelta(days=6)).isoformat()
    response = login(client, user).get(
        reverse("hotline:statistics_export"), {"start": start, "end": TODAY.isoformat()}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "概况",
        "按渠道",
        "按类型",
        "按诉求分类",
        "按行政区划",
        "按承办单位",
        "回访满意度",
        "热点词",
    ]
    rows = list(book["按类型"].iter_rows(values_only=True))
    assert ("求助", 1) in rows and ("合计", 1) in rows
    assert list(book["概况"].iter_rows(values_only=True))[3] == ("受理工单", 1)


def test_topic_words_drop_sub_words_numbers_and_single_characters():
    assert statistics.topic_words("金堂 金堂县 多月 一个多 一个多月 路 2026 噪音") == {
        "金堂县",
        "一个多月",
        "噪音",
    }


def test_background_words_are_not_topics(world, monkeypatch):
    monkeypatch.setattr(statistics, "BACKGROUND_MIN_TICKETS", 10)
    for i in range(10):
        ticket(division=world["city"], content="成都市 噪音" if i < 4 else "成都市 油烟")
    topics = dict(statistics.report(staff(world["centre"]), period()).hot_topics)
    assert "成都市" not in topics  # in every ticket
    assert topics["噪音"] == 4
    assert "油烟" not in topics  # in 6 of 10: above the 50 % ceiling too
