"""Reads of the hotline, always scoped to the caller, with the confidentiality rule.

Scope (``core.access``): the hotline centre reads tickets by the ticket's own division
(its role has the DIVISION_AND_BELOW scope), a handling department reads the tickets it
leads (``Ticket.organisation``) and, through its ``Assignment`` rows, those it assists.

Confidentiality (保密, GB/T 33358-2016): when a reporter asked for it, only users holding
``hotline.view_reporter`` (the centre) see who they are. Everyone else gets the ticket with
name, phone and filing account blanked *on the instance* by ``redact_reporter``; such an
instance refuses to be saved, so a redacted copy can never overwrite the real row. Every
page and API that shows a ticket to staff must read it through this module.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Prefetch, Q
from django.http import Http404

from tongzheng.core.access import has_permission, scope_for
from tongzheng.core.models import Organisation
from tongzheng.hotline.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    Dispute,
    ExtensionRequest,
    Ticket,
    TicketUpdate,
)
from tongzheng.hotline.prepared import CompiledInstances
from tongzheng.hotline.queries_public import PublicFile, PublicUpdate, public_ticket_by_id

VIEW = "hotline.view_ticket"
HANDLE = "hotline.handle_ticket"
VIEW_REPORTER = "hotline.view_reporter"

# What a department's inbox shows by default: the assignments it still has to act on.
OPEN_ASSIGNMENT_STATUSES = (
    AssignmentStatus.PENDING,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.DISPUTED,
)


def may_see_reporter(user, ticket: Ticket) -> bool:
    return not ticket.confidential or has_permission(user, VIEW_REPORTER)


def redact_reporter(ticket: Ticket, user) -> Ticket:
    """Blank the reporter's identity on this instance unless ``user`` may see it."""
    if may_see_reporter(user, ticket):
        ticket.reporter_redacted = False
        return ticket
    ticket.reporter_name = ""
    ticket.reporter_phone_sealed = ""
    ticket.reporter_phone_index = ""
    # The citizen account that filed it names the reporter just as well.
    ticket.account_id = None
    ticket.reporter_redacted = True
    return ticket


def redact_all(tickets, user) -> list[Ticket]:
    """``redact_reporter`` over an iterable (a page of a queryset)."""
    return [redact_reporter(ticket, user) for ticket in tickets]


def visible_tickets(user):
    """Tickets the user may read: in scope, or assisted through an active assignment.

    The rows are not redacted yet (a queryset); use ``ticket_list`` / ``ticket_for`` to
    show them.
    """
    in_scope = Ticket.objects.for_user(user, VIEW)
    # Only a handling department assists; the centre and supervisors read by scope alone,
    # which keeps their (large) lists one plain indexed filter.
    if (
        user.organisation_id is None
        or not has_permission(user, VIEW)
        or not has_permission(user, HANDLE)
    ):
        return in_scope
    assisted = (
        Assignment.objects.filter(
            organisation_id=user.organisation_id, status__in=ACTIVE_ASSIGNMENT_STATUSES
        )
        .order_by()
        .values("ticket_id")
    )
    # pk IN (led UNION assisted): each side uses its own index. "scope OR pk IN (…)" made
    # PostgreSQL scan the whole ticket table (measured: 190 ms to count 20k tickets).
    return Ticket.objects.filter(pk__in=in_scope.order_by().values("pk").union(assisted))


def ticket_list(user, queryset=None) -> list[Ticket]:
    """Evaluate ``queryset`` (default: every visible ticket) with the reporters redacted."""
    queryset = visible_tickets(user) if queryset is None else queryset
    return [redact_reporter(ticket, user) for ticket in queryset]


def visibility_key(visible) -> tuple | None:
    """The SQL and parameters of ``visible`` (a ``visible_tickets`` queryset): equal keys
    are the same set of tickets, for keeping queries compiled from it
    (``hotline.prepared.CompiledInstances``). None when nothing is visible."""
    try:
        sql, params = visible.order_by().values_list("pk").query.get_compiler(visible.db).as_sql()
    except EmptyResultSet:  # ``none()``
        return None
    return (sql, tuple(params))


# ``visibility_key`` per what ``visible_tickets`` builds the filter from, so that a page
# whose key was seen needs neither the queryset nor its compiling (~500 Python calls on
# every ticket page and list page). Bounded: more start afresh.
_KEYS: dict[tuple, tuple | None] = {}
_KEYS_MAX = 10_000


def visibility_key_for(user) -> tuple | None:
    """``visibility_key(visible_tickets(user))``, kept per everything the filter is made
    of: the user (the own-records scope filters by it), its scopes of VIEW and HANDLE
    (``visible_tickets`` asks both; ``for_user`` reads VIEW's), its organisation's id,
    path and division path (what ``ScopedQuerySet.for_user`` filters by). A change of
    any of them is another key, so a role or organisation change shows at once."""
    organisation = user.organisation if user.organisation_id is not None else None
    inputs = (
        user.pk,
        scope_for(user, VIEW),
        scope_for(user, HANDLE),
        user.organisation_id,
        organisation.path if organisation is not None else None,
        organisation.division_path if organisation is not None else None,
    )
    try:
        return _KEYS[inputs]
    except KeyError:
        pass
    key = visibility_key(visible_tickets(user))
    if len(_KEYS) >= _KEYS_MAX:
        _KEYS.clear()
    _KEYS[inputs] = key
    return key


# The ticket page's read (and every centre action's), compiled once per connection for
# each visibility filter; a prepared statement on PostgreSQL (by a unique number: one
# plan fits every value), whose planning of the five-table join cost more than running it.
_TICKET_BY_NUMBER = CompiledInstances(prepare=True)
_NUMBER = "\x00tz-ticket-number"  # never sent: stands for the number while compiling


def ticket_for(user, number: str) -> Ticket:
    """One visible ticket by number, redacted as needed; 404 when out of scope.

    The query is ``visible_tickets(user)`` with the related rows the page shows, by
    number (unique: no ORDER BY). Its compiled SQL is kept per visibility filter: the
    filter's own SQL and parameters (cheap to compile) are the key, so users whose
    tickets are the same set share it and any difference in scope gives another query.
    """
    key = visibility_key_for(user)
    if key is None:
        raise Http404

    def build(value):
        related = ("subject", "organisation", "mailbox", "division", "duplicate_of")
        visible = visible_tickets(user)
        return visible.select_related(*related).filter(number=value).order_by()[:1]

    found = _TICKET_BY_NUMBER(key, build, (_NUMBER,), (number,), Ticket.objects.db)
    if not found:
        raise Http404
    return redact_reporter(found[0], user)


def assignments_for(user, permission: str = HANDLE):
    """The department's assignments (its inbox) as a queryset, earliest deadline first.

    The tickets reached through ``select_related`` are NOT redacted: evaluate it through
    ``assignment_page`` / ``redact_assignments`` before showing them.
    """
    queryset = (
        Assignment.objects.for_user(user, permission)
        .select_related("ticket", "ticket__subject", "organisation")
        .order_by("ticket__due_at", "ticket__pk", "pk")
    )
    return queryset


def inbox(user, *, status: str = "open"):
    """承办工单: the department's assignments filtered by ``status``.

    ``open`` (default): pending, accepted and disputed; ``all``: every one, withdrawn
    included; or one ``AssignmentStatus`` value.
    """
    queryset = assignments_for(user)
    if status == "open":
        return queryset.filter(status__in=OPEN_ASSIGNMENT_STATUSES)
    if status in AssignmentStatus.values:
        return queryset.filter(status=status)
    return queryset


def redact_assignments(assignments, user) -> list[Assignment]:
    """Evaluate assignments with each one's ticket redacted for ``user``."""
    rows = list(assignments)
    for assignment in rows:
        redact_reporter(assignment.ticket, user)
    return rows


def assignment_for(user, pk: int) -> Assignment:
    """One of the department's active assignments, ticket redacted; 404 otherwise.

    A withdrawn assignment (the ticket went to another department) no longer opens the
    ticket, just as ``visible_tickets`` no longer lists it.
    """
    assignment = (
        assignments_for(user)
        .select_related("ticket__division", "ticket__organisation", "ticket__mailbox")
        .filter(pk=pk, status__in=ACTIVE_ASSIGNMENT_STATUSES)
        .first()
    )
    if assignment is None:
        raise Http404
    redact_reporter(assignment.ticket, user)
    return assignment


def active_assignment_for(user, number: str) -> Assignment:
    """The department's active assignment on ticket ``number`` (one at most), or 404."""
    assignment = (
        assignments_for(user)
        .filter(ticket__number=number, status__in=ACTIVE_ASSIGNMENT_STATUSES)
        .first()
    )
    if assignment is None:
        raise Http404
    redact_reporter(assignment.ticket, user)
    return assignment


def ticket_history(ticket: Ticket, *, include_internal: bool):
    """The ticket's updates, oldest first; ``include_internal`` adds the staff-only rows."""
    updates = TicketUpdate.objects.filter(ticket=ticket).select_related("organisation", "actor")
    return updates if include_internal else updates.filter(public=True)


def public_history(ticket: Ticket) -> tuple[list[PublicUpdate], list[PublicFile]]:
    """What the reporter sees (查询工单, 我的诉求): the public updates, oldest first, each
    with its files as ``files``, and the ticket's own public files — one query, read-only
    records (``queries_public``, where what is public is decided)."""
    shown = public_ticket_by_id(ticket.pk)
    return (shown.updates, shown.files) if shown else ([], [])


def contributions(ticket: Ticket):
    """Every department's part in the ticket (派单 rows), lead first, with its disputes."""
    return (
        Assignment.objects.filter(ticket=ticket)
        .select_related("organisation", "replied_by")
        .prefetch_related(Prefetch("disputes", queryset=Dispute.objects.order_by("raised_at")))
        .order_by("-role", "created_at", "pk")  # "lead" sorts after "assist"
    )


def extensions(ticket: Ticket):
    return ExtensionRequest.objects.filter(ticket=ticket).select_related("organisation")


def pending_extension(ticket: Ticket) -> ExtensionRequest | None:
    return extensions(ticket).filter(status="pending").first()


def find_organisation(text: str):
    """An active organisation named by its USCC or its exact full name; None if not exactly one.

    Any organisation may be suggested in a dispute (the right one is usually elsewhere), so
    this is not scoped; it answers only what the form's user typed exactly.
    """
    text = (text or "").strip()
    if not text:
        return None
    found = list(
        Organisation.objects.filter(is_active=True).filter(Q(uscc=text.upper()) | Q(name=text))[:2]
    )
    return found[0] if len(found) == 1 else None
