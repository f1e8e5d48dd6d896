"""The centre list's rows are written in Python (``centre._list_rows``): each row must be
the markup Django's template wrote from the ticket (labels, links, badges, escaping), in
every language."""

import datetime
import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.hotline.models import Ticket, TicketStatus, Urgency
from tongzheng.hotline.tests.factories_centre import centre_world, ticket

pytestmark = pytest.mark.django_db

# The row as hotline/centre/ticket_list.html wrote it from the ticket before the rows
# moved to Python.
REFERENCE = engines["django"].from_string(
    """{% load i18n %}{% for ticket in tickets %}<tr>
      <td><a href="{% url 'hotline:ticket_detail' ticket.number %}">{{ ticket.number }}</a>{% if ticket.urgency != "normal" %} <span class="badge text-bg-danger">{{ ticket.get_urgency_display }}</span>{% include "hotline/includes/dispatch_overdue.html" with ticket=ticket %}{% endif %}</td>
      <td>{{ ticket.summary }}</td>
      <td>{{ ticket.get_channel_display }}</td><td>{{ ticket.get_type_display }}</td>
      <td>{{ ticket.subject.name|default:"—" }}</td><td>{{ ticket.get_status_display }}</td>
      <td>{{ ticket.organisation.name|default:"—" }}</td>
      <td>{% if ticket.due_at %}{{ ticket.due_at|date:"Y-m-d" }} {% with clock=ticket.status_at %}{% if clock == "red" %}<span class="badge text-bg-danger">{% translate "红牌（已超期）" %}</span>{% elif clock == "yellow" %}<span class="badge text-bg-warning">{% translate "黄牌（即将到期）" %}</span>{% elif clock == "paused" %}<span class="badge text-bg-secondary">{% translate "暂停计时" %}</span>{% elif clock == "finished" %}<span class="badge text-bg-light border">{% translate "计时结束" %}</span>{% else %}<span class="badge text-bg-success">{% translate "正常" %}</span>{% endif %}{% endwith %}{% else %}—{% endif %}</td>
    </tr>{% endfor %}"""
)


@pytest.fixture
def world():
    return centre_world("r")


def _tickets(world):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    day = datetime.timedelta(days=1)
    made = [
        ticket(world, title="", content="路灯不亮" * 10),  # summary cut at 30 characters
        ticket(world, title="<script>alert(1)</script> & 路灯", subject=None),
        ticket(world, started=None, title="未开始计时"),
        ticket(world, urgency=Urgency.URGENT, title="紧急"),
        ticket(world, urgency=Urgency.EMERGENCY, title="特急超时", organisation=world.lead_org),
        ticket(world, urgency=Urgency.EMERGENCY, title="特急未超时"),
        ticket(world, status=TicketStatus.DISPATCHED, title="红牌"),
        ticket(world, status=TicketStatus.DISPATCHED, title="黄牌"),
        ticket(world, status=TicketStatus.HANDLING, title="暂停"),
        ticket(world, status=TicketStatus.CLOSED, title="结束"),
    ]
    Ticket.objects.filter(pk=made[4].pk).update(dispatch_due_at=now - hour, dispatched_at=None)
    Ticket.objects.filter(pk=made[5].pk).update(dispatch_due_at=now + hour, dispatched_at=None)
    Ticket.objects.filter(pk=made[6].pk).update(due_at=now - day, warning_at=now - 2 * day)
    Ticket.objects.filter(pk=made[7].pk).update(due_at=now + day, warning_at=now - hour)
    Ticket.objects.filter(pk=made[8].pk).update(paused_since=now - hour)
    Ticket.objects.filter(pk=made[9].pk).update(finished_at=now - hour)
    return made


def _rows(html: str) -> str:
    return html[html.index("<tbody>") + len("<tbody>") : html.index("</tbody>")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_the_templates_markup(world, language):
    _tickets(world)
    client = verified_login_client(world.operator)
    with translation.override(language):
        response = client.get(reverse("hotline:ticket_list"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        shown = [row.number for row in response.context["tickets"]]
        tickets = [Ticket.objects.get(number=number) for number in shown]
        for filed in tickets:  # the title, or the content's first 29 characters and …
            text = filed.title or filed.content
            filed.summary = text if len(text) <= 30 else f"{text[:29]}…"
        expected = REFERENCE.render({"tickets": tickets})
    assert len(shown) == 10
    page = response.content.decode()
    assert _rows(page) == expected
    # What the cases are there for (the reference could otherwise agree on nothing).
    assert page.count("<tr>") == 11  # the header and the ten tickets
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 路灯" in page
    assert "<script>alert(1)" not in page
    assert len(re.findall(r"text-bg-danger\">[^<]*(超时未派单|dispatch)", page, re.I)) == 1
    for css in ("text-bg-warning", "text-bg-secondary", "text-bg-light border", "text-bg-success"):
        assert f'class="badge {css}"' in page


def test_a_department_gets_only_its_rows(world):
    from tongzheng.hotline.tests.factories_centre import answered

    mine = answered(world, title="承办的工单")
    ticket(world, title="别人的工单")
    page = verified_login_client(world.lead_handler).get(reverse("hotline:ticket_list"))
    assert [row.number for row in page.context["tickets"]] == [mine.number]
    assert "别人的工单" not in page.content.decode()


def verified_login_client(user):
    from django.test import Client

    client = Client()
    verified_login(client, user)
    return client


def test_only_a_q_that_can_be_a_number_is_looked_up_as_one(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filed = ticket(world, title="路灯不亮")
    client = verified_login_client(world.operator)
    url = reverse("hotline:ticket_list")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url, {"q": "路灯"})
    assert not any('"number" =' in query["sql"] for query in captured.captured_queries)
    assert [row.number for row in page.context["tickets"]] == [filed.number]
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url, {"q": f" {filed.number} "})
    assert any('"number" =' in query["sql"] for query in captured.captured_queries)
    assert [row.number for row in page.context["tickets"]] == [filed.number]
