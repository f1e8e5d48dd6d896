"""Test data for the handling department's work: departments' users, dispatched tickets.

Other apps' and engineers' tests may import these. Users get the built-in roles
(``hotline_handler`` for a department, ``hotline_operator`` for the centre) and a confirmed
TOTP device, so ``verified_login`` and the browser sign-in work at once.
"""

import datetime
import itertools

from django.utils import timezone

from tongzheng.accounts.tests.factories import (
    UserFactory,
    builtin_role,
    confirmed_totp_device,
)
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    Channel,
    Ticket,
    TicketStatus,
    TicketType,
    hash_code,
    limit_for,
)

CODE = "HANDLING23"
REPORTER_NAME = "保密的李四"
REPORTER_PHONE = "13912345678"
REPORTER_PHONE_MASKED = "139****5678"

_numbers = itertools.count(1)


def handler_user(organisation, username: str | None = None, **kwargs):
    """A department's 热线承办人员 (OWN_ORGANISATION scope), TOTP enrolled."""
    user = UserFactory(organisation=organisation, roles=[builtin_role("hotline_handler")], **kwargs)
    if username:
        user.username = username
        user.save(update_fields=["username"])
    confirmed_totp_device(user)
    return user


def operator_user(organisation, **kwargs):
    """A 热线话务员 of the centre (DIVISION_AND_BELOW, sees confidential reporters)."""
    user = UserFactory(
        organisation=organisation, roles=[builtin_role("hotline_operator")], **kwargs
    )
    confirmed_totp_device(user)
    return user


def dispatched_ticket(
    lead,
    *,
    assist=(),
    dispatcher,
    confidential: bool = False,
    started_at: datetime.datetime | None = None,
    ticket_type: str = TicketType.ENQUIRY,
    **fields,
) -> Ticket:
    """A ticket the centre dispatched to ``lead`` (主办) and ``assist`` (协办), clock running.

    The reporter is ``REPORTER_NAME`` / ``REPORTER_PHONE``; ``confidential`` asks to hide
    them. ``started_at`` (default now) starts the clock with the type's limit.
    """
    started_at = started_at or timezone.now()
    number = f"12345-20261128-{700000 + next(_numbers):06d}"
    ticket = Ticket(
        number=number,
        code_hash=hash_code(number, CODE),
        channel=Channel.WEB,
        type=ticket_type,
        content=fields.pop("content", "小区东门路灯连续一周不亮，夜间行人摔倒。"),
        title=fields.pop("title", "路灯不亮"),
        address=fields.pop("address", "锦江区东风路1号"),
        reporter_name=REPORTER_NAME,
        confidential=confidential,
        division=lead.division,
        division_path=lead.division.path,
        organisation=lead,
        status=TicketStatus.DISPATCHED,
        dispatched_at=started_at,
        **fields,
    )
    ticket.reporter_phone = REPORTER_PHONE
    ticket.start(started_at, limit_for(ticket.type, ticket.urgency))
    ticket.save()
    Assignment.objects.create(
        ticket=ticket,
        organisation=lead,
        role=AssignmentRole.LEAD,
        dispatched_by=dispatcher,
        instructions="请核实并答复。",
    )
    for organisation in assist:
        Assignment.objects.create(
            ticket=ticket,
            organisation=organisation,
            role=AssignmentRole.ASSIST,
            dispatched_by=dispatcher,
        )
    return ticket
