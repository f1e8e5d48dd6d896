"""Reads of the hotline, always scoped to the caller, with the confidentiality rule.

Scope (``core.access``): the hotline centre reads tickets by the ticket's own division
(its role has the DIVISION_AND_BELOW scope), a handling department reads the tickets it
leads (``Ticket.organisation``) and, through its ``Assignment`` rows, those it assists.

Confidentiality (保密, GB/T 33358-2016): when a reporter asked for it, only users holding
``hotline.view_reporter`` (the centre) see who they are. Everyone else gets the ticket with
name and phone blanked *on the instance* by ``redact_reporter``; such an instance refuses
to be saved, so a redacted copy can never overwrite the real row. Every page and API that
shows a ticket to staff must read it through this module.
"""

from django.db.models import Q

from tongzheng.core.access import has_permission
from tongzheng.hotline.models import ACTIVE_ASSIGNMENT_STATUSES, Assignment, Ticket

VIEW = "hotline.view_ticket"


def may_see_reporter(user, ticket: Ticket) -> bool:
    return not ticket.confidential or has_permission(user, "hotline.view_reporter")


def redact_reporter(ticket: Ticket, user) -> Ticket:
    """Blank the reporter's identity on this instance unless ``user`` may see it."""
    if may_see_reporter(user, ticket):
        ticket.reporter_redacted = False
        return ticket
    ticket.reporter_name = ""
    ticket.reporter_phone_sealed = ""
    ticket.reporter_phone_index = ""
    ticket.reporter_redacted = True
    return ticket


def visible_tickets(user):
    """Tickets the user may read: in scope, or assisted through an active assignment.

    The rows are not redacted yet (a queryset); use ``ticket_list`` / ``ticket_for`` to
    show them.
    """
    in_scope = Ticket.objects.for_user(user, VIEW)
    if user.organisation_id is None or not has_permission(user, VIEW):
        return in_scope
    assisted = Assignment.objects.filter(
        organisation_id=user.organisation_id, status__in=ACTIVE_ASSIGNMENT_STATUSES
    ).values("ticket_id")
    return Ticket.objects.filter(Q(pk__in=in_scope.values("pk")) | Q(pk__in=assisted))


def ticket_list(user, queryset=None) -> list[Ticket]:
    """Evaluate ``queryset`` (default: every visible ticket) with the reporters redacted."""
    queryset = visible_tickets(user) if queryset is None else queryset
    return [redact_reporter(ticket, user) for ticket in queryset]


def ticket_for(user, number: str) -> Ticket:
    """One visible ticket by number, redacted as needed; 404 when out of scope."""
    from django.http import Http404

    ticket = visible_tickets(user).select_related("subject", "organisation", "mailbox")
    ticket = ticket.filter(number=number).first()
    if ticket is None:
        raise Http404
    return redact_reporter(ticket, user)


def assignments_for(user, permission: str = "hotline.handle_ticket"):
    """The department's assignments (its inbox), with each ticket redacted as needed."""
    queryset = (
        Assignment.objects.for_user(user, permission)
        .select_related("ticket", "ticket__subject", "organisation")
        .order_by("ticket__due_at", "pk")
    )
    return queryset
