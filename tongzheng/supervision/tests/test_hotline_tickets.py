"""Supervision reads hotline tickets through the timed registry, never by name."""

import datetime

import pytest
from django.utils import timezone

from tongzheng.core.timed import TimedStatus
from tongzheng.hotline.tests.factories import TicketFactory
from tongzheng.supervision import queries
from tongzheng.supervision.tests.factories import city_tree, supervisor

pytestmark = pytest.mark.django_db


def ticket_counts(result):
    return next(m.counts for m in result.modules if m.label == "hotline.ticket")


def test_an_overdue_ticket_is_a_red_card_by_division_even_before_dispatch():
    tree = city_tree()
    long_ago = timezone.now() - datetime.timedelta(days=30)
    dispatched = TicketFactory(
        started=long_ago, division=tree.county_a, organisation=tree.dept_a, title="路灯不亮"
    )
    TicketFactory(started=long_ago, division=tree.county_b, title="未派单工单")
    TicketFactory(started=long_ago, division=tree.other_city, title="外市工单")
    user = supervisor(tree.city_bureau)
    result = queries.dashboard(user)
    assert ticket_counts(result).red == 2
    by_name = {row.name: row.counts.red for row in result.divisions}
    assert by_name == {"锦江区": 1, "青羊区": 1}
    assert [row.name for row in result.departments] == [tree.dept_a.name]
    red = queries.task_page(user, TimedStatus.RED)
    titles = {row.title for row in red["rows"]}
    assert any("路灯不亮" in title for title in titles)
    assert not any("外市工单" in title for title in titles)
    row = next(row for row in red["rows"] if "路灯不亮" in row.title)
    assert row.organisation == tree.dept_a.name
    assert row.url == dispatched.get_absolute_url()
