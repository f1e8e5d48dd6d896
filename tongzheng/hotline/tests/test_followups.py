"""The hotline follow-ups (``tongzheng hotline_followups``) with a fixed "now".

The dates straddle National Day 2025 on the official calendar: Sunday 28 September is a
working day (调休), 1–8 October are holidays, Thursday 9 October is the first working day
after them and Saturday 11 October is worked again.
"""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from tongzheng.audit.models import AuditEvent
from tongzheng.core import calendar
from tongzheng.core.models import Notification, NotificationChannel
from tongzheng.hotline import followups
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.models import (
    Channel,
    MailBox,
    Satisfaction,
    TicketStatus,
    TicketType,
    TicketUpdate,
    UpdateKind,
)
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket

pytestmark = pytest.mark.django_db


def at(month, day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime(2025, month, day, hour, minute))


class Clock:
    now = at(9, 26, 10)


@pytest.fixture
def clock():
    """``timezone.now`` everywhere (actions, auto_now_add, audit) reads ``clock.now``."""
    state = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: state.now):
        yield state


@pytest.fixture
def world(clock):
    return centre_world("f")


def site_messages(user, text):
    return Notification.objects.filter(
        recipient=user, channel=NotificationChannel.SITE, subject__contains=text
    ).count()


def events(action, target=None):
    rows = AuditEvent.objects.filter(action=action)
    if target is not None:
        rows = rows.filter(object_id=str(target.pk))
    return rows.count()


def dispatched_enquiry(world, clock):
    """An enquiry filed and dispatched on Friday 26 September at 10:00: due 30 September
    (28 September is a working Sunday), yellow from 29 September."""
    clock.now = at(9, 26, 10)
    filed = ticket(world, type=TicketType.ENQUIRY, started=clock.now)
    actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.lead_org)
    filed.refresh_from_db()
    assert timezone.localtime(filed.due_at).date() == datetime.date(2025, 9, 30)
    assert timezone.localtime(filed.warning_at).date() == datetime.date(2025, 9, 29)
    return filed


def run(clock, when):
    clock.now = when
    return followups.run(when)


# ---- 到期提醒 ------------------------------------------------------------------------------


def test_due_reminder_once_when_the_clock_turns_yellow(world, clock):
    filed = dispatched_enquiry(world, clock)

    assert run(clock, at(9, 28, 18))["due_reminders"] == 0  # normal: two working days left
    assert site_messages(world.lead_handler, "到期提醒") == 0

    outcome = run(clock, at(9, 29, 8))
    assert outcome["due_reminders"] == 1
    assert site_messages(world.lead_handler, "到期提醒") == 1
    # Only the lead's handlers; not the assisting or other departments, not the centre.
    assert site_messages(world.third_handler, "到期提醒") == 0
    assert site_messages(world.operator, "到期提醒") == 0
    event = AuditEvent.objects.get(action=followups.REMINDER)
    assert event.actor is None and event.actor_name == "系统"
    assert event.object_id == str(filed.pk)
    assert event.detail["notified"] == 1

    # Every few minutes, and later the same day: nothing new.
    assert run(clock, at(9, 29, 8, 5))["due_reminders"] == 0
    assert run(clock, at(9, 30, 17))["due_reminders"] == 0
    assert site_messages(world.lead_handler, "到期提醒") == 1
    assert events(followups.REMINDER) == 1


def test_an_extension_moves_the_yellow_point_and_earns_a_new_reminder(world, clock):
    filed = dispatched_enquiry(world, clock)
    run(clock, at(9, 29, 8))
    filed.refresh_from_db()
    filed.extend(2)  # as an approved 延期 does: due 10 October, yellow from 9 October
    filed.save()
    assert timezone.localtime(filed.due_at).date() == datetime.date(2025, 10, 10)
    assert run(clock, at(9, 29, 15))["due_reminders"] == 0  # normal again
    assert run(clock, at(10, 8, 15))["due_reminders"] == 0  # the holiday is not counted
    assert run(clock, at(10, 9, 8))["due_reminders"] == 1
    assert site_messages(world.lead_handler, "到期提醒") == 2


def test_no_due_reminder_for_an_undispatched_or_answered_ticket(world, clock):
    ticket(world, type=TicketType.ENQUIRY, started=at(9, 26, 10))  # received, clock running
    answered(world, type=TicketType.ENQUIRY, started=at(9, 26, 10))
    assert run(clock, at(9, 29, 9))["due_reminders"] == 0
    assert not Notification.objects.filter(subject__contains="到期提醒").exists()


# ---- 自动催办 ------------------------------------------------------------------------------


def urges(filed):
    return TicketUpdate.objects.filter(ticket=filed, kind=UpdateKind.URGE, actor__isnull=True)


def test_auto_urge_on_each_working_day_after_the_due_date_never_on_a_holiday(world, clock):
    filed = dispatched_enquiry(world, clock)

    assert run(clock, at(9, 30, 23, 59))["urged"] == 0  # the due day itself
    for day in range(1, 9):  # 国庆: red, but nobody is at work to be pressed
        assert run(clock, at(10, day, 10))["urged"] == 0
    assert not urges(filed).exists()

    outcome = run(clock, at(10, 9, 8))  # first working day after the due date
    assert outcome["urged"] == 1
    update = urges(filed).get()
    assert update.public is False
    assert update.organisation == world.lead_org
    assert "已超期 1 个工作日" in update.content
    assert site_messages(world.lead_handler, "催办") == 1
    event = AuditEvent.objects.get(action=followups.AUTO_URGE)
    assert event.actor is None and event.detail["update"] == update.pk

    # Again the same day: nothing; the next working day (a worked Saturday too): one more.
    assert run(clock, at(10, 9, 17))["urged"] == 0
    assert run(clock, at(10, 10, 8))["urged"] == 1
    assert run(clock, at(10, 11, 8))["urged"] == 1
    assert run(clock, at(10, 12, 8))["urged"] == 0  # Sunday
    assert urges(filed).count() == 3
    assert site_messages(world.lead_handler, "催办") == 3


def test_the_ticket_page_shows_the_automatic_urge_as_the_systems(world, clock):
    from django.test import Client
    from django.urls import reverse

    from tongzheng.accounts.tests.factories import verified_login

    filed = dispatched_enquiry(world, clock)
    run(clock, at(10, 9, 8))
    client = Client()
    verified_login(client, world.operator)
    page = client.get(reverse("hotline:ticket_detail", args=[filed.number])).content.decode()
    assert "系统自动催办" in page
    assert "催办 · 成都市城市管理委员会 · 系统" in page


def test_a_manual_urge_does_not_count_and_an_answered_ticket_is_not_urged(world, clock):
    filed = dispatched_enquiry(world, clock)
    clock.now = at(10, 9, 8)
    actions.urge_ticket(actor=world.operator, ticket=filed, content="请尽快答复。")
    assert run(clock, at(10, 9, 9))["urged"] == 1  # the operator's own 催办 is separate

    late = answered(world, type=TicketType.ENQUIRY, started=at(9, 26, 10))
    assert run(clock, at(10, 10, 9))["urged"] == 1
    assert not urges(late).exists()


# ---- 回访提醒 ------------------------------------------------------------------------------


def test_revisit_reminder_the_working_day_after_the_answer_to_the_centre_in_scope(world, clock):
    clock.now = at(9, 30, 15)
    done = answered(world, type=TicketType.ENQUIRY, started=at(9, 26, 10))

    assert run(clock, at(9, 30, 20))["revisit_reminders"] == 0
    assert run(clock, at(10, 3, 10))["revisit_reminders"] == 0  # holiday
    assert run(clock, at(10, 8, 23))["revisit_reminders"] == 0
    assert run(clock, at(10, 9, 0, 1))["revisit_reminders"] == 1
    assert site_messages(world.operator, "回访提醒") == 1
    assert site_messages(world.other_operator, "回访提醒") == 0  # another city's centre
    assert site_messages(world.lead_handler, "回访提醒") == 0
    event = AuditEvent.objects.get(action=followups.REVISIT_REMINDER)
    assert event.object_id == str(done.pk) and event.detail["notified"] == 1

    assert run(clock, at(10, 9, 10))["revisit_reminders"] == 0
    assert run(clock, at(10, 10, 10))["revisit_reminders"] == 0
    assert site_messages(world.operator, "回访提醒") == 1


def test_no_late_revisit_reminder_for_an_answer_older_than_the_lookback(world, clock):
    clock.now = at(9, 30, 15)
    answered(world, type=TicketType.ENQUIRY, started=at(9, 26, 10))
    assert run(clock, at(11, 3, 9))["revisit_reminders"] == 0  # 34 days: never scheduled
    assert run(clock, at(10, 29, 9))["revisit_reminders"] == 1  # 29 days: still sent


def test_a_reopened_ticket_answered_again_is_due_a_new_revisit(world, clock):
    clock.now = at(9, 30, 15)
    done = answered(world, type=TicketType.ENQUIRY, started=at(9, 26, 10))
    run(clock, at(10, 9, 9))
    actions.revisit_ticket(actor=world.operator, ticket=done, satisfaction=Satisfaction.UNSATISFIED)
    done.refresh_from_db()
    done.status = TicketStatus.ANSWERED
    done.answered_at = at(10, 9, 16)
    done.save()
    assert run(clock, at(10, 9, 17))["revisit_reminders"] == 0
    assert run(clock, at(10, 10, 9))["revisit_reminders"] == 1
    assert site_messages(world.operator, "回访提醒") == 2


# ---- 信件视为满意 -----------------------------------------------------------------------------


def letter(world, clock, when):
    box = MailBox.objects.create(
        slug="mayor", title="市长信箱", organisation=world.centre, division=world.city
    )
    clock.now = when
    return answered(
        world, channel=Channel.MAILBOX, mailbox=box, type=TicketType.SUGGESTION, started=when
    )


def test_an_unrated_letter_is_satisfied_after_twenty_working_days_and_closed(world, clock):
    filed = letter(world, clock, at(9, 30, 15))
    other = answered(world, type=TicketType.SUGGESTION, started=at(9, 30, 15))  # not a letter
    twentieth = calendar.add_working_days(datetime.date(2025, 9, 30), 20)
    assert twentieth == datetime.date(2025, 11, 4)  # 28 October without the holiday
    eve = timezone.make_aware(datetime.datetime.combine(twentieth, datetime.time(23, 59)))

    assert run(clock, eve - datetime.timedelta(days=1))["deemed_satisfied"] == 0
    filed.refresh_from_db()
    assert filed.status == TicketStatus.ANSWERED

    outcome = run(clock, eve.replace(hour=0, minute=1))
    assert outcome["deemed_satisfied"] == 1
    filed.refresh_from_db()
    assert filed.status == TicketStatus.CLOSED
    assert filed.satisfaction == Satisfaction.SATISFIED
    assert filed.closed_at == clock.now
    assert filed.finished_at == filed.answered_at  # the clock measured the department
    revisit = TicketUpdate.objects.get(ticket=filed, kind=UpdateKind.REVISIT)
    assert revisit.actor is None
    assert revisit.satisfaction == Satisfaction.SATISFIED
    assert "20 个工作日内未作评价" in revisit.content
    assert TicketUpdate.objects.filter(ticket=filed, kind=UpdateKind.CLOSE).count() == 1
    event = AuditEvent.objects.get(action=followups.CLOSED, object_id=str(filed.pk))
    assert event.actor is None and event.detail["deemed_satisfied"] is True

    other.refresh_from_db()
    assert other.status == TicketStatus.ANSWERED  # the rule is the mailbox's only

    assert run(clock, eve)["deemed_satisfied"] == 0
    assert TicketUpdate.objects.filter(ticket=filed, kind=UpdateKind.REVISIT).count() == 1


def test_the_working_days_of_the_mailbox_rule_are_a_setting(world, clock, settings):
    settings.HOTLINE_MAILBOX_SATISFIED_WORKING_DAYS = 2
    filed = letter(world, clock, at(9, 30, 15))
    assert run(clock, at(10, 9, 12))["deemed_satisfied"] == 0  # one working day
    assert run(clock, at(10, 10, 0, 1))["deemed_satisfied"] == 1
    filed.refresh_from_db()
    assert filed.status == TicketStatus.CLOSED


def test_a_letter_rated_by_the_centre_is_left_alone(world, clock):
    filed = letter(world, clock, at(9, 30, 15))
    clock.now = at(10, 9, 10)
    actions.revisit_ticket(actor=world.operator, ticket=filed, satisfaction=Satisfaction.BASICALLY)
    assert run(clock, at(12, 1, 10))["deemed_satisfied"] == 0
    filed.refresh_from_db()
    assert filed.satisfaction == Satisfaction.BASICALLY


# ---- robustness and the command ------------------------------------------------------------


def test_one_failing_ticket_does_not_stop_the_others(world, clock):
    first = dispatched_enquiry(world, clock)
    second = dispatched_enquiry(world, clock)
    real = actions.notify_handlers
    calls = []

    def flaky(organisation_id, ticket, subject, body, handlers=None):
        calls.append(ticket.pk)
        if len(calls) == 1:
            raise RuntimeError("mail queue down")
        return real(organisation_id, ticket, subject, body, handlers=handlers)

    with mock.patch.object(actions, "notify_handlers", flaky):
        assert run(clock, at(9, 29, 9))["due_reminders"] == 1
    # The failed one wrote nothing and is tried again on the next run.
    assert events(followups.REMINDER) == 1
    assert run(clock, at(9, 29, 9, 5))["due_reminders"] == 1
    assert {events(followups.REMINDER, first), events(followups.REMINDER, second)} == {1}


def test_the_command_runs_every_follow_up_and_is_idempotent(world, clock):
    dispatched_enquiry(world, clock)
    clock.now = at(10, 9, 8)
    out = StringIO()
    call_command("hotline_followups", stdout=out)
    assert "自动催办: 1" in out.getvalue()
    out = StringIO()
    call_command("hotline_followups", stdout=out)
    assert "自动催办: 0" in out.getvalue()


def test_the_task_runs_the_follow_ups(world, clock):
    from tongzheng.hotline.tasks import run_followups

    dispatched_enquiry(world, clock)
    clock.now = at(9, 29, 9)
    assert run_followups.call()["due_reminders"] == 1
