"""Writes of the hotline. Public intake and follow-up have no actor (公众, no account)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.audit.actions import record_event
from tongzheng.hotline.models import (
    Channel,
    Ticket,
    TicketUpdate,
    UpdateKind,
    hash_code,
    new_extraction_code,
)

PUBLIC_ACTOR_NAME = "公众"
NOT_FOUND_MESSAGE = _("工单编号或提取码不正确。")


def _number_for(ticket: Ticket) -> str:
    line = "12310" if ticket.channel == Channel.R12310 else "12345"
    day = timezone.localdate(ticket.created_at).strftime("%Y%m%d")
    return f"{line}-{day}-{ticket.pk:06d}"


def create_ticket(*, actor=None, data: dict, request=None) -> tuple[Ticket, str]:
    """受理: one ticket and its audit record. Returns the ticket and the plain 提取码 (shown once)."""
    code = new_extraction_code()
    with transaction.atomic():
        division = data.get("division")
        ticket = Ticket(
            number=f"pending-{new_extraction_code()}",
            channel=data["channel"],
            type=data["type"],
            category=data.get("category") or "",
            content=data["content"],
            address=data.get("address") or "",
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            reporter_name=data.get("reporter_name") or "",
            anonymous=bool(data.get("anonymous")),
            confidential=bool(data.get("confidential")),
            division=division,
            division_path=division.path if division else "",
        )
        ticket.reporter_phone = data.get("reporter_phone") or ""
        ticket.save()
        # The number comes from the primary key, so it is unique without a counter race.
        ticket.number = _number_for(ticket)
        ticket.code_hash = hash_code(ticket.number, code)
        ticket.save(update_fields=["number", "code_hash"])
        record_event(
            actor=actor,
            actor_name="" if actor else PUBLIC_ACTOR_NAME,
            action="hotline.ticket_created",
            target=ticket,
            request=request,
            detail={"channel": ticket.channel, "type": ticket.type},
        )
    return ticket, code


def find_ticket(number: str, code: str) -> Ticket | None:
    """The ticket when number and code match; None otherwise (one generic answer for both)."""
    ticket = Ticket.objects.filter(number=number.strip()).first()
    if ticket is None:
        hash_code(number, code)  # same work as a real comparison
        return None
    return ticket if ticket.check_code(code) else None


def append_information(*, actor=None, ticket: Ticket, content: str, request=None) -> TicketUpdate:
    """追加: the reporter adds information to an open ticket (verified by number and code)."""
    with transaction.atomic():
        update = TicketUpdate.objects.create(
            ticket=ticket, kind=UpdateKind.ADDITION, content=content, public=True
        )
        record_event(
            actor=actor,
            actor_name="" if actor else PUBLIC_ACTOR_NAME,
            action="hotline.information_added",
            target=ticket,
            request=request,
            detail={"update": update.pk},
        )
    return update
