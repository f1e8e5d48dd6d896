"""Writes through the Open311 GeoReport v2 API: a client's POST requests becomes a ticket.

The client authenticated with its api_key (``open311.client_for_key``); there is no user,
so the audit events name the client (``Open311 <name>``).
"""

import secrets

from django.db import transaction

from tongzheng.audit.actions import record_event
from tongzheng.hotline.actions.intake import create_ticket
from tongzheng.hotline.models import Channel, Open311Client, Open311Request, Ticket
from tongzheng.hotline.open311 import Submission


def new_token() -> str:
    return secrets.token_urlsafe(24)


def submit_request(
    *, actor=None, client: Open311Client, submission: Submission, request=None
) -> tuple[Ticket, Open311Request]:
    """受理 an Open311 service request: the ticket, its Open311Request and the audit, at once.

    ``create_ticket`` checks the ticket itself (a ValidationError writes nothing).
    """
    content = submission.description or submission.subject.name
    data = {
        "channel": Channel.WEB,
        "type": submission.type,
        "subject": submission.subject,
        "title": submission.title,
        "content": content,
        "address": submission.address,
        "latitude": submission.latitude,
        "longitude": submission.longitude,
        "reporter_name": submission.reporter_name,
        "reporter_phone": submission.reporter_phone,
        "anonymous": not (submission.reporter_name or submission.reporter_phone),
        "confidential": submission.confidential,
        "division": submission.division,
    }
    with transaction.atomic():
        ticket, _code = create_ticket(actor=actor, data=data, request=request)
        extra = Open311Request(
            ticket=ticket,
            client=client,
            token=new_token(),
            device_id=submission.device_id,
            account_id=submission.account_id,
            media_url=submission.media_url,
            attributes=submission.attributes,
        )
        extra.email = submission.email
        extra.save()
        record_event(
            actor=actor,
            actor_name="" if actor else f"Open311 {client.name}",
            action="hotline.open311_request_created",
            target=ticket,
            request=request,
            detail={"client": client.name, "service_code": submission.subject.code},
        )
    return ticket, extra
