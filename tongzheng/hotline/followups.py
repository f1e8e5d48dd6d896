"""Follow-ups of the hotline centre (跟踪提醒), run by ``tongzheng hotline_followups``.

The red / yellow status of a ticket stays derived when read (``core.timed``); this module
only sends the reminders that a status change calls for and applies the mailbox rule:

- **到期提醒**: a ticket in a department's hands whose clock turned yellow (at most one
  working day left) — one notification to the lead organisation's handlers (active users
  holding ``hotline.handle_ticket``), once per clock: a new yellow point (an approved
  extension, a reopening) earns a new reminder.
- **自动催办**: a ticket still in a department's hands after its due date — a 催办
  through supervision (``supervision.public.urge``: the ``Urge`` row, no actor: 系统, is
  the record; its internal ``TicketUpdate`` of kind ``urge`` is the copy in the ticket's
  history, see ``actions.centre.press``) and a notification to the lead's handlers, on
  each working day it stays overdue, at most once a working day (the first one on the
  working day after the due date; none on weekends and holidays). Daily rather than
  once, because an overdue ticket that nobody presses is the case 催办 exists for.
- **特急件超时未派单**: an emergency ticket still waiting for dispatch past its
  ``dispatch_due_at`` (``HOTLINE_EMERGENCY_DISPATCH_MINUTES`` after receipt, default 60) —
  one supervision warning ``dispatch_overdue`` (``supervision.public.raise_warning``),
  once per ticket, against the centre that should have dispatched it (of the centre
  users who may dispatch the ticket, the organisation nearest its place: a county's
  centre before the city's), so a supervisor scoped to that organisation sees it. The overdue mark itself is derived when read
  (``Ticket.dispatch_overdue``); a dispatch that comes late between two runs raises the
  warning in ``actions.centre.dispatch_ticket``.
- **回访提醒**: an answered ticket on the working day after the answer — one notification
  to the centre (active users holding ``hotline.dispatch_ticket`` whose scope covers the
  ticket), once per answer (a reopened ticket answered again is due a new revisit); an
  answer older than ``LOOKBACK`` (30 days) gets no late reminder.
- **信件视为满意**: a 领导信箱 letter answered and left without a revisit result for
  ``HOTLINE_MAILBOX_SATISFIED_WORKING_DAYS`` working days (setting, default 20; local
  practice, DOMAIN.md §6) — a 回访 update with 满意 (no actor, the note says why) and the
  ticket closed, as a centre revisit would.

Every step is one transaction per ticket, with the ticket row locked and the condition
checked again on the locked row, and one audit record (actor: none, name 系统). What was
already done is found from those records (the audit event of a reminder after the
current warning point or answer; today's automatic 催办 update; the status for the
mailbox rule), so the command is idempotent: run it every few minutes, and a second run
the same day sends nothing new. A failing ticket is logged and skipped; the others go on.

Speed: the candidates of each step come from one set-based query, and what a run needs
about an organisation (its handlers) is looked up once per run, not once per ticket
(``Run``); each ticket then costs its own short transaction, so the audit chain's lock is
never held for long while citizens file tickets.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.accounts.models import Role
from tongzheng.audit.actions import record_event
from tongzheng.audit.models import AuditEvent
from tongzheng.core import calendar
from tongzheng.core.notifications import notify
from tongzheng.core.timed import CLOCK_FIELDS, TimedStatus
from tongzheng.hotline.actions import centre
from tongzheng.hotline.models import (
    Channel,
    Satisfaction,
    Ticket,
    TicketStatus,
    TicketUpdate,
    UpdateKind,
)
from tongzheng.supervision import public as supervision
from tongzheng.supervision.public import DISPATCH_OVERDUE, UrgeLevel

logger = logging.getLogger(__name__)

SYSTEM = "系统"
DEFAULT_MAILBOX_SATISFIED_WORKING_DAYS = 20
IN_HANDS = (TicketStatus.DISPATCHED, TicketStatus.HANDLING)

REMINDER = "hotline.due_reminder_sent"
AUTO_URGE = "hotline.ticket_auto_urged"
REVISIT_REMINDER = "hotline.revisit_reminder_sent"
CLOSED = "hotline.ticket_closed"

# How far back the reminders look. A yellow ticket's warning point is at most the longest
# holiday gap before now; an answer older than this (the command was not scheduled for a
# month) gets no late 回访提醒. The bound lets the audit lookups use the index on ``at``
# instead of every reminder ever sent.
LOOKBACK = datetime.timedelta(days=30)


def mailbox_satisfied_working_days() -> int:
    return int(
        getattr(
            settings,
            "HOTLINE_MAILBOX_SATISFIED_WORKING_DAYS",
            DEFAULT_MAILBOX_SATISFIED_WORKING_DAYS,
        )
    )


# ---- helpers ----------------------------------------------------------------------------


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now).date()


def working_day_cutoff(now: datetime.datetime, n: int) -> datetime.datetime:
    """The first instant of the n-th latest working day on or before today (n >= 1).

    A moment before it has at least n working days in (moment, now]: "answered before the
    cutoff" is "answered n working days ago or more", as ``calendar.working_days_between``
    counts them.
    """
    today = _today(now)
    if calendar.is_working_day(today):
        day = calendar.add_working_days(today, -(n - 1))
    else:
        day = calendar.add_working_days(today, -n)
    return _start_of_day(day)


def _sent_since(action: str, field: str, now):
    """An audit event ``action`` about the ticket at or after the ticket's ``field``."""
    return Exists(
        AuditEvent.objects.filter(
            action=action,
            object_type=Ticket._meta.label_lower,
            object_id=Cast(OuterRef("pk"), CharField()),
            at__gte=OuterRef(field),
        ).filter(at__gte=now - LOOKBACK)
    )


def _already_sent(action: str, ticket: Ticket, since) -> bool:
    return AuditEvent.objects.filter(
        action=action,
        object_type=Ticket._meta.label_lower,
        object_id=str(ticket.pk),
        at__gte=since,
    ).exists()


class Run:
    """What one run looks up once and reuses: each organisation's handlers, the centre."""

    def __init__(self):
        self._handlers: dict[int, list] = {}
        self._centre_users: list | None = None

    def handlers(self, organisation_id: int) -> list:
        if organisation_id not in self._handlers:
            self._handlers[organisation_id] = centre.handlers_of(organisation_id)
        return self._handlers[organisation_id]

    def centre_users(self) -> list:
        if self._centre_users is None:
            self._centre_users = centre_users()
        return self._centre_users


def _each(pks, step, now) -> int:
    """Run ``step(pk, now)`` for every ticket in its own transaction; count the done ones."""
    done = 0
    for pk in pks:
        try:
            with transaction.atomic():
                if step(pk, now):
                    done += 1
        except Exception:  # one broken ticket must not hold up the others' reminders
            logger.exception("hotline follow-up %s failed for ticket %s", step.__name__, pk)
    return done


def _locked(pk) -> Ticket:
    # The lead organisation comes with the row (every step names or notifies it); only the
    # ticket's row is locked, not the organisation's.
    return Ticket.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pk)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def centre_users() -> list:
    """Active staff holding ``hotline.dispatch_ticket`` (through any role)."""
    roles = [role.pk for role in Role.objects.all() if centre.DISPATCH in (role.permissions or [])]
    if not roles:
        return []
    return list(
        get_user_model()
        .objects.filter(is_active=True, roles__in=roles)
        .select_related("organisation")
        .prefetch_related("roles")
        .distinct()
    )


# ---- 到期提醒 ------------------------------------------------------------------------------


def remind_due(now: datetime.datetime, run: Run | None = None) -> int:
    """到期提醒 to the lead's handlers of every ticket that turned yellow (once per clock)."""
    run = run or Run()
    pks = (
        Ticket.objects.yellow(now)
        .filter(status__in=IN_HANDS, organisation__isnull=False)
        .exclude(_sent_since(REMINDER, "warning_at", now))
        .values_list("pk", flat=True)
    )

    def step(pk, now):
        return _remind_one(pk, now, run)

    step.__name__ = "remind_due"
    return _each(list(pks), step, now)


def _remind_one(pk, now, run: Run) -> bool:
    ticket = _locked(pk)
    if ticket.status not in IN_HANDS or ticket.organisation_id is None:
        return False
    if ticket.status_at(now) != TimedStatus.YELLOW:
        return False
    if _already_sent(REMINDER, ticket, ticket.warning_at):
        return False
    count = centre.notify_handlers(
        ticket.organisation_id,
        ticket,
        _("到期提醒：工单 %(number)s") % {"number": ticket.number},
        _("工单 %(number)s 的办理期限为 %(due)s，即将到期，请抓紧办理并按时答复。")
        % {"number": ticket.number, "due": _fmt(ticket.due_at)},
        handlers=run.handlers(ticket.organisation_id),
    )
    record_event(
        actor=None,
        actor_name=SYSTEM,
        action=REMINDER,
        target=ticket,
        detail={
            "organisation": ticket.organisation_id,
            "warning_at": ticket.warning_at.isoformat(),
            "due_at": ticket.due_at.isoformat(),
            "notified": count,
        },
    )
    return True


# ---- 自动催办 ------------------------------------------------------------------------------


def _urged_today(now):
    return Exists(
        TicketUpdate.objects.filter(
            ticket=OuterRef("pk"),
            kind=UpdateKind.URGE,
            actor__isnull=True,
            created_at__gte=_start_of_day(_today(now)),
        )
    )


def urge_overdue(now: datetime.datetime, run: Run | None = None) -> int:
    """自动催办 every overdue ticket in a department's hands, once a working day."""
    if not calendar.is_working_day(now):
        return 0
    run = run or Run()
    pks = (
        Ticket.objects.red(now)
        .filter(status__in=IN_HANDS, organisation__isnull=False)
        .exclude(_urged_today(now))
        .values_list("pk", flat=True)
    )

    def step(pk, now):
        return _urge_one(pk, now, run)

    step.__name__ = "urge_overdue"
    return _each(list(pks), step, now)


def _urge_one(pk, now, run: Run) -> bool:
    ticket = _locked(pk)
    if ticket.status not in IN_HANDS or ticket.organisation_id is None:
        return False
    if ticket.status_at(now) != TimedStatus.RED:
        return False
    if Ticket.objects.filter(pk=pk).filter(_urged_today(now)).exists():
        return False
    overdue = calendar.working_days_between(ticket.due_at, now)
    content = _(
        "系统自动催办：工单已超过办理期限（%(due)s），已超期 %(days)s 个工作日，请尽快办理并答复。"
    ) % {"due": _fmt(ticket.due_at), "days": overdue}
    urge, update = centre.press(
        ticket,
        level=UrgeLevel.URGE,
        content=content,
        by=None,
        subject=_("催办：工单 %(number)s"),
        handlers=run.handlers(ticket.organisation_id),
    )
    record_event(
        actor=None,
        actor_name=SYSTEM,
        action=AUTO_URGE,
        target=ticket,
        detail={
            "update": update.pk,
            "urge": urge.pk,
            "organisation": ticket.organisation_id,
            "due_at": ticket.due_at.isoformat(),
            "overdue_working_days": overdue,
            "notified": urge.notified,
        },
    )
    return True


# ---- 回访提醒 ------------------------------------------------------------------------------


def remind_revisit(now: datetime.datetime, run: Run | None = None) -> int:
    """回访提醒 to the centre, the working day after the answer (once per answer)."""
    run = run or Run()
    pks = list(
        Ticket.objects.filter(
            status=TicketStatus.ANSWERED,
            answered_at__lt=working_day_cutoff(now, 1),
            answered_at__gte=now - LOOKBACK,
        )
        .exclude(_sent_since(REVISIT_REMINDER, "answered_at", now))
        .values_list("pk", flat=True)
    )
    if not pks:
        return 0
    recipients = _centre_users_of(pks, run)

    def step(pk, now):
        return _remind_revisit_one(pk, now, recipients[pk])

    step.__name__ = "remind_revisit"
    return _each(pks, step, now)


def _centre_users_of(pks, run: Run) -> dict[int, list]:
    """The centre users who may dispatch each ticket: one query per centre user."""
    users: dict[int, list] = {pk: [] for pk in pks}
    for user in run.centre_users():
        visible = Ticket.objects.for_user(user, centre.DISPATCH).filter(pk__in=pks)
        for pk in visible.values_list("pk", flat=True):
            users[pk].append(user)
    return users


def _remind_revisit_one(pk, now, recipients) -> bool:
    ticket = _locked(pk)
    if ticket.status != TicketStatus.ANSWERED or ticket.answered_at is None:
        return False
    if ticket.answered_at >= working_day_cutoff(now, 1):
        return False
    if _already_sent(REVISIT_REMINDER, ticket, ticket.answered_at):
        return False
    subject = _("回访提醒：工单 %(number)s") % {"number": ticket.number}
    body = _("工单 %(number)s 已于 %(answered)s 答复，请回访反映人并记录满意度。") % {
        "number": ticket.number,
        "answered": _fmt(ticket.answered_at),
    }
    for user in recipients:
        notify(recipient=user, subject=subject, body=body, about=ticket)
    record_event(
        actor=None,
        actor_name=SYSTEM,
        action=REVISIT_REMINDER,
        target=ticket,
        detail={"answered_at": ticket.answered_at.isoformat(), "notified": len(recipients)},
    )
    return True


# ---- 信件逾期未评价视为满意 -------------------------------------------------------------------


def deem_mailbox_satisfied(now: datetime.datetime) -> int:
    """Close every answered letter left unrated for the configured working days (满意)."""
    days = mailbox_satisfied_working_days()
    pks = Ticket.objects.filter(
        channel=Channel.MAILBOX,
        status=TicketStatus.ANSWERED,
        answered_at__lt=working_day_cutoff(now, days),
    ).values_list("pk", flat=True)

    def step(pk, now):
        return _deem_one(pk, now, days)

    step.__name__ = "deem_mailbox_satisfied"
    return _each(list(pks), step, now)


def _deem_one(pk, now, days) -> bool:
    ticket = _locked(pk)
    if ticket.channel != Channel.MAILBOX or ticket.status != TicketStatus.ANSWERED:
        return False
    if ticket.answered_at is None or calendar.working_days_between(ticket.answered_at, now) < days:
        return False
    note = _("来信答复后 %(days)s 个工作日内未作评价，按规定视为满意（系统记录）。") % {
        "days": days
    }
    TicketUpdate.objects.create(
        ticket=ticket,
        kind=UpdateKind.REVISIT,
        content=_("回访结果：%(label)s。%(note)s")
        % {"label": Satisfaction.SATISFIED.label, "note": note},
        public=False,
        actor=None,
        satisfaction=Satisfaction.SATISFIED,
    )
    ticket.satisfaction = Satisfaction.SATISFIED
    centre.close_ticket(None, ticket, now)
    ticket.save(update_fields=["status", "satisfaction", "closed_at", "updated_at", *CLOCK_FIELDS])
    record_event(
        actor=None,
        actor_name=SYSTEM,
        action=CLOSED,
        target=ticket,
        detail={
            "satisfaction": Satisfaction.SATISFIED.value,
            "deemed_satisfied": True,
            "answered_at": ticket.answered_at.isoformat(),
            "working_days": days,
        },
    )
    return True


# ---- 特急件超时未派单 -------------------------------------------------------------------------


def warn_dispatch_overdue(now: datetime.datetime, run: Run | None = None) -> int:
    """预警 once for every emergency ticket still undispatched past ``dispatch_due_at``."""
    pks = list(Ticket.objects.dispatch_overdue(now).values_list("pk", flat=True))
    warned = supervision.subjects_warned(DISPATCH_OVERDUE.code, Ticket, pks)
    pks = [pk for pk in pks if str(pk) not in warned]
    if not pks:
        return 0
    responsible = {
        pk: _nearest_organisation(users)
        for pk, users in _centre_users_of(pks, run or Run()).items()
    }

    def step(pk, now):
        return _warn_dispatch_one(pk, now, responsible[pk])

    step.__name__ = "warn_dispatch_overdue"
    return _each(pks, step, now)


def _nearest_organisation(users):
    """The organisation with the deepest division among ``users``' (None without any)."""
    organisations = {user.organisation.pk: user.organisation for user in users if user.organisation}
    if not organisations:
        return None
    return max(organisations.values(), key=lambda org: (len(org.division_path), -org.pk))


def _warn_dispatch_one(pk, now, organisation) -> bool:
    ticket = _locked(pk)
    if not ticket.dispatch_overdue_at(now):
        return False
    return centre.warn_dispatch_overdue(ticket, now, organisation=organisation) is not None


# ---- the whole run ------------------------------------------------------------------------


def run(now: datetime.datetime | None = None) -> dict[str, int]:
    """Every follow-up once; returns how many tickets each step acted on.

    The mailbox rule goes first: a letter it closes needs no revisit reminder.
    """
    now = now or timezone.now()
    run = Run()
    return {
        "deemed_satisfied": deem_mailbox_satisfied(now),
        "dispatch_warnings": warn_dispatch_overdue(now, run),
        "due_reminders": remind_due(now, run),
        "urged": urge_overdue(now, run),
        "revisit_reminders": remind_revisit(now, run),
    }
