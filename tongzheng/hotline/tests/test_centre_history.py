"""The ticket page's history (办理记录) is written in Python (``centre._history``): each
entry must be the markup ticket_detail.html's loop wrote (dates, labels, the actor or
系统, 内部, line breaks, escaping), in every language."""

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tongzheng.accounts.tests.factories import UserFactory, verified_login
from tongzheng.hotline.models import TicketUpdate, UpdateKind
from tongzheng.hotline.tests.factories_centre import centre_world, ticket
from tongzheng.hotline.views import centre

pytestmark = pytest.mark.django_db

# The loop as ticket_detail.html had it before the entries moved to Python.
REFERENCE = engines["django"].from_string(
    """{% load i18n %}{% for update in updates %}<li class="border-start ps-3 mb-2">
    <div class="small text-body-secondary">{{ update.created_at|date:"Y-m-d H:i" }} · {{ update.get_kind_display }}{% if update.organisation_id %} · {{ update.organisation_name }}{% endif %}{% if update.actor_id %} · {{ update.actor_name|default:update.actor_username }}{% elif update.kind in system_kinds %} · {% translate "系统" %}{% endif %}{% if not update.public %} · {% translate "内部" %}{% endif %}</div>
    <div>{{ update.content|linebreaksbr }}</div>
  </li>{% endfor %}"""
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_entries_are_the_templates_markup(language):
    world = centre_world("hi")
    filed = ticket(world)
    unnamed = UserFactory(username="hi_<unnamed>", full_name="", organisation=world.centre)
    rows = [
        (UpdateKind.DISPATCH, "已派单。", False, world.operator, world.centre),
        (UpdateKind.REPLY, "第一行\n第二行 <b>&</b>", True, world.lead_handler, world.lead_org),
        (UpdateKind.URGE, "自动催办", False, None, None),  # a follow-up: 系统
        (UpdateKind.NOTE, "无人记录", True, None, world.lead_org),  # no actor, not a system kind
        (UpdateKind.ADDITION, "补充\r\n说明", True, unnamed, None),  # the username
        (UpdateKind.CLOSE, "办结", True, None, world.centre),
    ]
    for kind, content, public, actor, organisation in rows:
        TicketUpdate.objects.create(
            ticket=filed,
            kind=kind,
            content=content,
            public=public,
            actor=actor,
            organisation=organisation,
        )
    with translation.override(language):
        updates = centre._UPDATES(filed.pk)
        expected = REFERENCE.render({"updates": updates, "system_kinds": centre.SYSTEM_KINDS})
        assert centre._history(updates) == expected
    assert "系统" in expected or "System" in expected
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in expected and "<br>" in expected
    assert "hi_&lt;unnamed&gt;" in expected


def test_the_page_shows_the_history():
    world = centre_world("hp")
    filed = ticket(world)
    TicketUpdate.objects.create(
        ticket=filed, kind=UpdateKind.NOTE, content="现场<核实>", public=False
    )
    client = Client()
    verified_login(client, world.operator)
    page = client.get(reverse("hotline:ticket_detail", args=[filed.number])).content.decode()
    assert '<ol class="list-unstyled"><li class="border-start ps-3 mb-2">' in page
    assert "<div>现场&lt;核实&gt;</div>" in page


WHEN_REFERENCE = engines["django"].from_string(
    '{{ t.created_at|date:"Y-m-d H:i" }}|{{ t.dispatched_at|date:"Y-m-d H:i" }}|'
    '{{ t.answered_at|date:"Y-m-d H:i" }}|{{ t.closed_at|date:"Y-m-d H:i" }}|'
    '{{ t.published_at|date:"Y-m-d H:i" }}|{{ t.due_at|date:"Y-m-d" }}'
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_times_are_the_date_filter_s(language):
    import datetime

    from tongzheng.hotline.models import Ticket

    world = centre_world("hw")
    filed = ticket(world)
    # Just before midnight UTC: the local (Beijing) day is the next one.
    late = datetime.datetime(2026, 3, 1, 23, 59, 30, tzinfo=datetime.UTC)
    Ticket.objects.filter(pk=filed.pk).update(
        dispatched_at=late, answered_at=late, due_at=late, published_at=None, closed_at=None
    )
    filed.refresh_from_db()
    with translation.override(language):
        when = centre._when(filed)
        order = ("created_at", "dispatched_at", "answered_at", "closed_at", "published_at")
        shown = "|".join([*(when[name] for name in order), when["due_day"]])
        assert shown == WHEN_REFERENCE.render({"t": filed})
    assert when["due_day"] == "2026-03-02" and when["closed_at"] == ""
