"""The duplicate finder's candidate queries run SQL compiled once per connection
(``duplicates._QUERIES``): each ticket's own caller, division, window and id reach the
database as values, and a ticket not saved yet excludes nothing."""

import pytest

from tongzheng.core.tests.factories import DivisionFactory
from tongzheng.hotline.duplicates import possible_duplicates
from tongzheng.hotline.models import Ticket
from tongzheng.hotline.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

NOISE = "人民路工地夜间施工噪音扰民，每晚十一点以后还在施工"
NOISE_AGAIN = "人民路工地夜间施工噪音很大，十一点以后还在施工扰民"


def test_each_ticket_gets_its_own_candidates():
    first, second = DivisionFactory(), DivisionFactory()
    in_first = TicketFactory(content=NOISE, division=first)
    in_second = TicketFactory(content=NOISE, division=second)
    again_first = TicketFactory(content=NOISE_AGAIN, division=first)
    again_second = TicketFactory(content=NOISE_AGAIN, division=second)
    for _round in range(2):
        assert [d.ticket.pk for d in possible_duplicates(again_first)] == [in_first.pk]
        assert [d.ticket.pk for d in possible_duplicates(again_second)] == [in_second.pk]
        # The ticket itself is never its own duplicate; the other one of its place is.
        assert [d.ticket.pk for d in possible_duplicates(in_first)] == [again_first.pk]


def test_the_same_caller_by_each_ticket_s_phone():
    mine = TicketFactory(content="甲", phone="13800138000")
    theirs = TicketFactory(content="乙", phone="13900139000")
    again_mine = TicketFactory(content="丙", phone="13800138000")
    again_theirs = TicketFactory(content="丁", phone="13900139000")
    assert [d.ticket.pk for d in possible_duplicates(again_mine)] == [mine.pk]
    assert [d.ticket.pk for d in possible_duplicates(again_theirs)] == [theirs.pk]


def test_an_unsaved_ticket_excludes_nothing():
    division = DivisionFactory()
    earlier = TicketFactory(content=NOISE, division=division)
    saved = TicketFactory(content=NOISE_AGAIN, division=division)
    unsaved = Ticket.objects.get(pk=saved.pk)
    unsaved.pk = None
    found = [d.ticket.pk for d in possible_duplicates(unsaved)]
    assert sorted(found) == sorted([earlier.pk, saved.pk])
    shown = possible_duplicates(unsaved)[0].ticket
    assert shown.number and shown.title is not None and shown.get_status_display()
