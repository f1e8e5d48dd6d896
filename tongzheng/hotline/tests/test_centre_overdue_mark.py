"""The ticket page's overdue-dispatch mark (``centre._overdue_mark``) is what
``hotline/includes/dispatch_overdue.html`` wrote, in every language."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tongzheng.hotline.models import TicketStatus, Urgency
from tongzheng.hotline.tests.factories_centre import centre_world, ticket
from tongzheng.hotline.views import centre

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_mark_is_the_includes_markup(language):
    world = centre_world("om")
    now = timezone.now()
    tickets = [
        ticket(world),  # normal, no dispatch limit
        # An emergency past its limit at 23:59 local time and one not yet due.
        ticket(
            world, urgency=Urgency.EMERGENCY, dispatch_due_at=now - datetime.timedelta(minutes=1)
        ),
        ticket(world, urgency=Urgency.EMERGENCY, dispatch_due_at=now + datetime.timedelta(hours=1)),
        ticket(
            world,
            urgency=Urgency.EMERGENCY,
            dispatch_due_at=timezone.localtime(now).replace(hour=0, minute=5)
            - datetime.timedelta(days=1),
        ),
        ticket(
            world,
            urgency=Urgency.EMERGENCY,
            dispatch_due_at=now - datetime.timedelta(hours=2),
            status=TicketStatus.CLOSED,
        ),
    ]
    with translation.override(language):
        marks = [centre._overdue_mark(filed) for filed in tickets]
        expected = [
            render_to_string("hotline/includes/dispatch_overdue.html", {"ticket": filed})
            for filed in tickets
        ]
    assert marks == expected
    assert [bool(mark.strip()) for mark in marks] == [False, True, False, True, False]
