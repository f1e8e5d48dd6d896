"""查询工单: what the reporter sees of a ticket — read in one round trip.

The track page (number + 提取码) is the hotline's most requested page. Its ticket, the
public updates (oldest first) and the files shown are one ``UNION ALL`` statement, and the
rows become small read-only records, not model instances: the page only shows them.

What is public, in one place (``_sql``): the ticket's number, type, status, time, title
and content — never the reporter's name, phone or account, confidential or not; the
updates marked public; a file attached to a public update, or a file of the ticket itself
marked public. ``queries.public_history`` (我的诉求, the file downloads) reads the same.
"""

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tongzheng.core.labels import choices
from tongzheng.core.prepared import preparing_cursor
from tongzheng.hotline.models import (
    Attachment,
    Ticket,
    TicketUpdate,
)

_TICKET, _UPDATE, _FILE = 0, 1, 2


@dataclass(slots=True)
class PublicFile:
    pk: int
    name: str
    size: int


@dataclass(slots=True)
class PublicUpdate:
    pk: int
    kind: str
    created_at: datetime.datetime
    content: str
    files: list[PublicFile] = field(default_factory=list)

    def get_kind_display(self) -> str:
        return choices(TicketUpdate, "kind").get(self.kind, self.kind)


@dataclass(slots=True)
class PublicTicket:
    """The shown fields of a ticket, its public updates and its own public files."""

    pk: int
    number: str
    code_hash: str
    type: str
    status: str
    created_at: datetime.datetime
    title: str
    content: str
    updates: list[PublicUpdate] = field(default_factory=list)
    files: list[PublicFile] = field(default_factory=list)

    # The labels translated once per language (``core.labels``).
    def get_type_display(self) -> str:
        return choices(Ticket, "type").get(self.type, self.type)

    def get_status_display(self) -> str:
        return choices(Ticket, "status").get(self.status, self.status)


@cache
def _sql(vendor: str, by: str) -> str:
    """The statement for the ticket whose ``by`` (number or id) is the parameter (given
    three times), one per database kind."""
    quote = connection.ops.quote_name
    ticket = quote(Ticket._meta.db_table)
    update = quote(TicketUpdate._meta.db_table)
    attachment = quote(Attachment._meta.db_table)
    ticket_id = "%s" if by == "id" else f"(SELECT id FROM {ticket} WHERE {by} = %s)"  # noqa: S608 - constant
    # Columns: row kind, id, number/kind/name, code_hash, type, status, created_at, title,
    # content, size, update_id. The first branch's NULLs are typed: PostgreSQL types a
    # UNION's columns branch by branch from the left. The ticket's id as a scalar subquery
    # and the file's update as a correlated one, not joins: PostgreSQL plans this in about
    # a third of the time the joined form took (0.25 against 0.75 ms, EXPLAIN SUMMARY).
    return f"""
        SELECT {_TICKET}, t.id, t.number, t.code_hash, t.type, t.status, t.created_at,
               t.title, t.content, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
          FROM {ticket} t WHERE t.{by} = %s
        UNION ALL
        SELECT {_UPDATE}, u.id, u.kind, NULL, NULL, NULL, u.created_at, NULL, u.content,
               NULL, NULL
          FROM {update} u WHERE u.ticket_id = {ticket_id} AND u.public
        UNION ALL
        SELECT {_FILE}, a.id, a.name, NULL, NULL, NULL, a.created_at, NULL, NULL,
               a.size, a.update_id
          FROM {attachment} a
         WHERE a.ticket_id = {ticket_id}
           AND CASE WHEN a.update_id IS NULL THEN a.public
                    ELSE (SELECT u.public FROM {update} u
                           WHERE u.id = a.update_id AND u.ticket_id = a.ticket_id) END
        ORDER BY 1, 7, 2
    """  # noqa: S608 - table names from the models, values as parameters


def _moment(value) -> datetime.datetime:
    # SQLite hands a UNION's timestamps back as text or naive datetimes (stored in UTC).
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _read(by: str, value) -> PublicTicket | None:
    # A prepared statement on PostgreSQL: the track page is the public hot path and
    # planning the statement cost more of PostgreSQL's CPU than running it.
    prepared = connection.vendor == "postgresql"
    with preparing_cursor(connection) if prepared else connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor, by), [value, value, value])
        rows = cursor.fetchall()
    if not rows or rows[0][0] != _TICKET:
        return None
    _kind, pk, number, code_hash, type_, status, created_at, title, content, *_ = rows[0]
    ticket = PublicTicket(
        pk, number, code_hash, type_, status, _moment(created_at), title or "", content
    )
    updates = {}
    for kind, pk, text, _h, _t, _s, created_at, _title, content, size, update_id in rows[1:]:
        if kind == _UPDATE:
            updates[pk] = PublicUpdate(pk, text, _moment(created_at), content)
            ticket.updates.append(updates[pk])
        elif update_id is None:
            ticket.files.append(PublicFile(pk, text, size))
        else:
            updates[update_id].files.append(PublicFile(pk, text, size))
    return ticket


def public_ticket(number: str) -> PublicTicket | None:
    """The ticket with this number as its reporter sees it (no 提取码 check: the caller's)."""
    return _read("number", number)


def public_ticket_by_id(pk: int) -> PublicTicket | None:
    return _read("id", pk)
