"""possible_duplicates: same caller, similar text at the same place, window, statuses, speed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongzheng.core.tests.factories import DivisionFactory
from tongzheng.hotline.actions.intake import create_ticket
from tongzheng.hotline.duplicates import distance_metres, jaccard, possible_duplicates
from tongzheng.hotline.models import Ticket, TicketStatus
from tongzheng.hotline.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

NOISE = "人民路工地夜间施工噪音扰民，每晚十一点以后还在施工"
NOISE_AGAIN = "人民路工地夜间施工噪音很大，十一点以后还在施工扰民"
LIGHTS = "幸福小区路灯不亮已经一个月，晚上出行不便"


def backdate(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=days))
    ticket.refresh_from_db()
    return ticket


def test_jaccard_and_distance():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), {"a"}) == 0
    # One thousandth of a degree of latitude is about 111 m.
    assert distance_metres(30, 104, 30.001, 104) == pytest.approx(111, abs=1)


def test_same_caller_is_found_whatever_the_text():
    earlier = TicketFactory(content=LIGHTS, phone="13800138000")
    TicketFactory(content=LIGHTS, phone="13900139000")
    ticket, _code = create_ticket(
        data={
            "channel": "web",
            "type": "help",
            "content": "完全不同的事情",
            "reporter_name": "李四",
            "reporter_phone": "138-0013 8000",
        }
    )
    found = possible_duplicates(ticket)
    assert [dup.ticket.pk for dup in found] == [earlier.pk]
    assert found[0].reasons == ["同一来电号码"]


def test_similar_text_in_the_same_division():
    division = DivisionFactory()
    earlier = TicketFactory(content=NOISE, division=division)
    TicketFactory(content=LIGHTS, division=division)  # same place, other matter
    TicketFactory(content=NOISE)  # same text, no place
    TicketFactory(content=NOISE, division=DivisionFactory())  # other division
    ticket = TicketFactory(content=NOISE_AGAIN, division=division)
    found = possible_duplicates(ticket)
    assert [dup.ticket.pk for dup in found] == [earlier.pk]
    assert found[0].reasons[0].startswith("内容相似")
    assert "同一行政区划" in found[0].reasons


def test_similar_text_within_250_metres():
    near = TicketFactory(
        content=NOISE, latitude=Decimal("30.657000"), longitude=Decimal("104.066000")
    )
    TicketFactory(content=NOISE, latitude=Decimal("30.667000"), longitude=Decimal("104.066000"))
    ticket = TicketFactory(
        content=NOISE_AGAIN, latitude=Decimal("30.658000"), longitude=Decimal("104.066000")
    )
    found = possible_duplicates(ticket)
    assert [dup.ticket.pk for dup in found] == [near.pk]
    assert any("米" in reason for reason in found[0].reasons)


def test_threshold_is_configurable(settings):
    division = DivisionFactory()
    TicketFactory(content=NOISE, division=division)
    ticket = TicketFactory(content=NOISE_AGAIN, division=division)
    settings.HOTLINE_DUPLICATE_THRESHOLD = 0.99
    assert possible_duplicates(ticket) == []


def test_outside_the_window_merged_and_refused_tickets_are_not_duplicates():
    old = backdate(TicketFactory(phone="13800138000"), 31)
    TicketFactory(phone="13800138000", status=TicketStatus.MERGED)
    TicketFactory(phone="13800138000", status=TicketStatus.NOT_ACCEPTED)
    closed = TicketFactory(phone="13800138000", status=TicketStatus.CLOSED)
    ticket = TicketFactory(phone="13800138000")
    assert [dup.ticket.pk for dup in possible_duplicates(ticket)] == [closed.pk]
    assert old.pk in [dup.ticket.pk for dup in possible_duplicates(ticket, window_days=40)]


def test_the_ticket_itself_and_anonymous_tickets_without_place_are_not_matched():
    ticket = TicketFactory(content=NOISE)
    TicketFactory(content=NOISE)
    assert possible_duplicates(ticket) == []


def test_same_caller_and_similar_text_ranks_first_and_limit_applies():
    division = DivisionFactory()
    both = TicketFactory(content=NOISE, division=division, phone="13800138000")
    for _n in range(6):
        TicketFactory(content=NOISE, division=division)
    ticket = TicketFactory(content=NOISE_AGAIN, division=division, phone="13800138000")
    found = possible_duplicates(ticket, limit=3)
    assert len(found) == 3
    assert found[0].ticket.pk == both.pk
    assert found[0].score > found[1].score


def test_two_queries_at_most():
    division = DivisionFactory()
    for _n in range(20):
        TicketFactory(content=NOISE, division=division, phone="13800138000")
    ticket = TicketFactory(content=NOISE_AGAIN, division=division, phone="13800138000")
    with CaptureQueriesContext(connection) as queries:
        found = possible_duplicates(ticket)
        [dup.ticket.number for dup in found]
    assert len(queries) == 2
