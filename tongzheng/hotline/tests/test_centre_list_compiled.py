"""The centre's list without a search word runs SQL compiled once per connection,
visibility filter and set of filters (``centre._LIST_PAGE``): other values of the same
filters, other users' scopes, the clock's time and the page's cursor all reach the
database as values, never as the first request's."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.hotline.models import Subject, Ticket, TicketStatus
from tongzheng.hotline.tests.factories_centre import centre_world, ticket
from tongzheng.hotline.views import centre as views

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return centre_world("lc")


def _client(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def _numbers(client, **params) -> list[str]:
    response = client.get(reverse("hotline:ticket_list"), params)
    assert response.status_code == 200
    return [row.number for row in response.context["tickets"]]


def test_other_values_of_the_same_filters(world):
    received = ticket(world, title="未派")
    closed = ticket(world, title="已结", status=TicketStatus.CLOSED)
    other = Subject.objects.create(code="lc-other", name="其他分类", order=99)
    elsewhere = ticket(world, subject=other)
    client = _client(world.operator)
    for _round in range(2):
        assert _numbers(client, status="received") == [received.number, elsewhere.number]
        assert _numbers(client, status="closed") == [closed.number]
        assert _numbers(client, subject=other.pk) == [elsewhere.number]
        assert _numbers(client, subject=world.subject.pk, status="closed") == [closed.number]
        assert _numbers(client, subject=world.subject.pk, status="received") == [received.number]


def test_scopes_never_share_the_compiled_list(world):
    mine = ticket(world)
    theirs = ticket(world, division=world.other_city)
    ours, their_client = _client(world.operator), _client(world.other_operator)
    for _round in range(2):
        assert _numbers(ours) == [mine.number]
        assert _numbers(their_client) == [theirs.number]
        assert _numbers(ours, status="received") == [mine.number]
        assert _numbers(their_client, status="received") == [theirs.number]


def test_the_clock_filters_read_the_time_of_each_request(world, monkeypatch):
    filed = ticket(world, status=TicketStatus.DISPATCHED)
    now = timezone.now()
    Ticket.objects.filter(pk=filed.pk).update(
        due_at=now + datetime.timedelta(minutes=10),
        warning_at=now + datetime.timedelta(minutes=5),
    )
    client = _client(world.operator)
    assert _numbers(client, clock="normal") == [filed.number]
    assert _numbers(client, clock="red") == []
    later = now + datetime.timedelta(minutes=20)  # within the session's idle time
    monkeypatch.setattr(views.timezone, "now", lambda: later)
    assert _numbers(client, clock="normal") == []
    assert _numbers(client, clock="red") == [filed.number]


def test_the_cursor_is_a_value(world, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    now = timezone.now()
    dated = []
    for days in (1, 2, 3):
        filed = ticket(world)
        Ticket.objects.filter(pk=filed.pk).update(due_at=now + datetime.timedelta(days=days))
        dated.append(filed.number)
    undated = [ticket(world, started=None).number, ticket(world, started=None).number]
    client = _client(world.operator)
    url = reverse("hotline:ticket_list")
    seen, query = [], ""
    for _page in range(6):
        response = client.get(f"{url}?{query}")
        seen += [row.number for row in response.context["tickets"]]
        query = response.context["next_query"]
        if not query:
            break
    assert seen == dated + undated
