"""The demo ticket generator (``hotline.demo``) at the tiny ``test`` scale.

Every generated ticket must be one the workflow could have produced: its status agrees
with its clock, its times and its assignments; its 提取码 and tokens are what the real
intake would have stored.
"""

import datetime
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from tongzheng.core import calendar
from tongzheng.core.demo import generate
from tongzheng.core.registry import platform
from tongzheng.core.timed import deadline
from tongzheng.hotline.demo import SCALE_TICKETS, demo_extraction_code, generate_tickets
from tongzheng.hotline.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    MailBox,
    Ticket,
    TicketStatus,
    TicketUpdate,
    dispatch_deadline,
    limit_for,
)
from tongzheng.hotline.text import tokens

SEED = 17
FINISHED = {TicketStatus.CLOSED, TicketStatus.MERGED, TicketStatus.NOT_ACCEPTED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One generation shared by the module's tests, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        report, _logins = generate("test", seed=SEED, options={"tickets": 1500})
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(demo, db):
    return demo


def test_the_demo_command_calls_the_registered_generator(demo_db):
    assert generate_tickets in platform.demo_generators
    assert demo_db.counts["hotline_tickets"] == Ticket.objects.count() == 1500
    assert demo_db.counts["hotline_assignments"] == Assignment.objects.count()
    assert demo_db.counts["hotline_ticket_updates"] == TicketUpdate.objects.count()
    assert SCALE_TICKETS["county"] < 10_000  # `make run` stays quick


def test_every_status_and_channel_occurs(demo_db):
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses[TicketStatus.CLOSED] > 1000
    for status in (TicketStatus.HANDLING, TicketStatus.MERGED, TicketStatus.ANSWERED):
        assert statuses[status] > 0, status
    channels = Counter(Ticket.objects.values_list("channel", flat=True))
    assert set(channels) == {"phone", "web", "mailbox", "12310"}


def test_status_agrees_with_clock_times_and_assignments(demo_db):
    now = timezone.now()
    leads = defaultdict(list)
    for assignment in Assignment.objects.all():
        leads[assignment.ticket_id].append(assignment)
    kinds = defaultdict(list)
    for update in TicketUpdate.objects.order_by("created_at", "id"):
        kinds[update.ticket_id].append(update)
    checked = 0
    for ticket in Ticket.objects.all():
        status = ticket.status
        # The clock: started at intake with the limit of its type and urgency.
        assert ticket.started_at == ticket.created_at
        assert ticket.limit_working_days == limit_for(ticket.type, ticket.urgency)
        assert (ticket.due_at, ticket.warning_at) == deadline(
            ticket.started_at, ticket.limit_working_days
        )
        assert ticket.created_at <= ticket.updated_at <= now
        assert (ticket.finished_at is not None) == (status in FINISHED), ticket.number
        assert (ticket.closed_at is not None) == (status == TicketStatus.CLOSED)
        if status == TicketStatus.CLOSED:
            assert ticket.closed_at == ticket.finished_at
            assert ticket.dispatched_at <= ticket.answered_at <= ticket.closed_at
        # Assignments: none before dispatch, exactly one active lead after it.
        active = [a for a in leads[ticket.pk] if a.status in ACTIVE_ASSIGNMENT_STATUSES]
        lead = [a for a in active if a.role == "lead"]
        if status in (TicketStatus.RECEIVED, TicketStatus.MERGED, TicketStatus.NOT_ACCEPTED):
            assert not active and ticket.organisation_id is None
            assert ticket.dispatched_at is None
        else:
            assert len(lead) == 1, ticket.number
            assert lead[0].organisation_id == ticket.organisation_id
            assert lead[0].created_at == ticket.dispatched_at
            expected = {
                TicketStatus.DISPATCHED: "pending",
                TicketStatus.HANDLING: "accepted",
                TicketStatus.ANSWERED: "replied",
                TicketStatus.CLOSED: "replied",
            }[status]
            assert lead[0].status == expected, ticket.number
            assert ticket.dispatched_at >= ticket.created_at
        replies = [u for u in kinds[ticket.pk] if u.kind == "reply"]
        if status in (TicketStatus.ANSWERED, TicketStatus.CLOSED):
            assert replies and ticket.answered_at == replies[-1].created_at
            assert lead[0].reply == replies[-1].content
        elif ticket.reopen_count == 0:
            assert not replies and ticket.answered_at is None
        if status == TicketStatus.MERGED:
            original = ticket.duplicate_of
            assert original is not None and original.pk < ticket.pk
            assert original.content == ticket.content
        else:
            assert ticket.duplicate_of_id is None
        if status == TicketStatus.NOT_ACCEPTED:
            assert ticket.not_accepted_reason
        revisits = [u for u in kinds[ticket.pk] if u.kind == "revisit"]
        if status == TicketStatus.CLOSED:
            assert revisits[-1].satisfaction == ticket.satisfaction
        if ticket.reopen_count:
            assert revisits[0].satisfaction == "unsatisfied"
            assert any(u.kind == "reopen" for u in kinds[ticket.pk])
        for update in kinds[ticket.pk]:
            assert ticket.created_at <= update.created_at <= now
        checked += 1
    assert checked == 1500


def test_open_tickets_are_recent_and_some_are_overdue(demo_db):
    now = timezone.now()
    open_tickets = Ticket.objects.open_tickets()
    assert open_tickets.exists()
    old = now - datetime.timedelta(days=60)
    # Only the stuck ones (办理中 long after the deadline) are old and still open.
    assert open_tickets.filter(created_at__lt=old).count() <= 0.01 * Ticket.objects.count()
    assert Ticket.objects.red(now).exists()
    assert Ticket.objects.finished_late().exists()
    # The working-day calendar gives every due day: a working day, unless limit 0 (即办).
    for ticket in Ticket.objects.exclude(limit_working_days=0)[:200]:
        assert calendar.is_working_day(timezone.localtime(ticket.due_at))


def test_numbers_codes_and_tokens_are_what_intake_would_store(demo_db):
    for ticket in Ticket.objects.order_by("?")[:50]:
        line, day, sequence = ticket.number.split("-")
        assert line == ("12310" if ticket.channel == "12310" else "12345")
        assert day == f"{timezone.localtime(ticket.created_at):%Y%m%d}"
        assert int(sequence) == ticket.pk
        assert ticket.check_code(demo_extraction_code(SEED, ticket.number))
        assert not ticket.check_code("ABCDEFGH23")
        # Composed from tokens of the pieces, so jieba may cut differently where a piece
        # meets a place name (金河路|路灯 against 金河|路路|灯): nearly the same set as
        # the real tokenizer's, and nothing outside the ticket's own text.
        stored = set(ticket.search_tokens.split())
        real = set(tokens(ticket.title) + tokens(ticket.content) + tokens(ticket.address))
        assert len(stored & real) / len(stored | real) > 0.75, ticket.number
        text = ticket.title + ticket.content + ticket.address
        assert all(token in text.lower() for token in stored)


def test_reporters_are_sealed_and_anonymous_ones_have_nothing(demo_db):
    named = Ticket.objects.filter(anonymous=False)
    assert named.exclude(reporter_phone_sealed="").count() == named.count()
    sample = named.first()
    assert sample.reporter_phone.startswith("1") and "*" in sample.reporter_phone
    assert Ticket.reporter_phone.unseal(sample).isdigit()
    anonymous = Ticket.objects.filter(anonymous=True)
    assert anonymous.exists()
    assert not anonymous.exclude(reporter_phone_sealed="").exists()
    assert not anonymous.exclude(reporter_name="").exists()
    assert not Ticket.objects.filter(channel="phone", operator__isnull=True).exists()


def test_mailbox_letters_go_to_a_box_and_some_are_published(demo_db):
    letters = Ticket.objects.filter(channel="mailbox")
    assert letters.exists() and not letters.filter(mailbox__isnull=True).exists()
    assert MailBox.objects.filter(slug="510121-leader").exists()
    published = Ticket.objects.filter(published_at__isnull=False)
    assert published.exists()
    for letter in published:
        assert letter.channel == "mailbox" and letter.status == TicketStatus.CLOSED
        assert letter.published_at > letter.closed_at
        assert letter.published_reply
        if letter.reporter_name:
            assert letter.reporter_name not in letter.published_content


def test_emergency_tickets_have_the_intake_dispatch_deadline(demo_db):
    rows = Ticket.objects.values_list("urgency", "created_at", "dispatch_due_at")
    emergencies = [(created, due) for urgency, created, due in rows if urgency == "emergency"]
    assert emergencies, "the demo has emergency tickets"
    assert all(due == dispatch_deadline(created, "emergency") for created, due in emergencies)
    assert all(due is None for urgency, _created, due in rows if urgency != "emergency")
