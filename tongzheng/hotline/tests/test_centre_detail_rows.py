"""The ticket page reads the ticket's own rows through ``hotline.prepared.TicketRows``
(SQL compiled once per connection, the related names instead of the related rows): what
the page shows of them, that a ticket's rows are never another's, and no lazy query."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.hotline.models import (
    Assignment,
    Attachment,
    Dispute,
    ExtensionRequest,
    Ticket,
    TicketStatus,
    TicketUpdate,
    UpdateKind,
)
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket
from tongzheng.hotline.views import centre

pytestmark = pytest.mark.django_db


@contextmanager
def _executed():
    """The SQL of every statement run meanwhile. Not the query log: on PostgreSQL the
    page's prepared statements are logged without their text."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


@pytest.fixture
def world():
    return centre_world("d")


def _client(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def _busy_ticket(world):
    """A ticket in a department's hands with a history, a dispute (with a suggestion), a
    pending one, extensions, a file and a merged duplicate."""
    filed = answered(world, title="有很多记录的工单")
    Ticket.objects.filter(pk=filed.pk).update(status=TicketStatus.HANDLING)
    lead = Assignment.objects.get(ticket=filed)
    Assignment.objects.filter(pk=lead.pk).update(status="disputed")
    Dispute.objects.create(
        assignment=lead,
        reason="不属本单位<职责>",
        suggested_organisation=world.third_org,
        raised_by=world.lead_handler,
        status="rejected",
    )
    Dispute.objects.create(assignment=lead, reason="再次异议", raised_by=world.lead_handler)
    ExtensionRequest.objects.create(
        ticket=filed,
        organisation=world.lead_org,
        working_days=3,
        reason="需要现场勘验",
        requested_by=world.lead_handler,
    )
    Attachment.objects.create(
        ticket=filed,
        file="hotline/x/a",
        name="现场<照片>.jpg",
        content_type="image/jpeg",
        size=1,
        sha256="0" * 64,
    )
    TicketUpdate.objects.create(
        ticket=filed,
        kind=UpdateKind.NOTE,
        content="内部记录",
        public=False,
        actor=world.lead_handler,
        organisation=world.lead_org,
    )
    TicketUpdate.objects.create(ticket=filed, kind=UpdateKind.URGE, content="自动催办")
    duplicate = ticket(world, status=TicketStatus.MERGED, duplicate_of=filed)
    return filed, duplicate


def test_the_page_shows_the_tickets_rows(world):
    filed, duplicate = _busy_ticket(world)
    _busy_ticket(world)  # its rows (the same texts) must not appear on the first one's page
    client = _client(world.operator)
    response = client.get(reverse("hotline:ticket_detail", args=[filed.number]))
    assert response.status_code == 200
    page = response.content.decode()
    lead = world.lead_org.name
    assert f"<td>{lead}</td><td>主办</td><td>派单异议中</td>" in page
    assert f"派单异议（不同意）：不属本单位&lt;职责&gt;；建议 {world.third_org.name}" in page
    assert "派单异议（待审核）：再次异议</div>" in page
    assert f"<li>{lead}：延长 3 个工作日，需要现场勘验（" in page
    attachment = Attachment.objects.get(ticket=filed)
    assert f'/attachments/{attachment.pk}/">现场&lt;照片&gt;.jpg</a>' in page
    assert f">{duplicate.number}</a></li>" in page
    # The history: the actor's name, the unit, internal rows, the follow-ups' 系统.
    assert f" · {lead} · {world.lead_handler.full_name} · 内部</div>" in page
    assert " · 催办 · 系统</div>" in page
    # The centre's forms for the pending dispute and extension, named by the unit.
    assert f"审核 {lead} 的派单异议" in page
    assert f"撤回 {lead}" in page
    assert "审核延期申请（3 个工作日）" in page
    assert [d.reason for d, _form in response.context["disputes"]] == ["再次异议"]
    assert len(response.context["pending_extensions"]) == 1
    assert page.count("现场&lt;照片&gt;.jpg") == 1


def test_the_rows_read_one_query_each_and_nothing_lazily(world):
    filed, _duplicate = _busy_ticket(world)
    client = _client(world.operator)
    url = reverse("hotline:ticket_detail", args=[filed.number])
    client.get(url)
    with _executed() as statements:
        assert client.get(url).status_code == 200
    tables = " ".join(statements)
    # One read each of the updates, assignments, disputes, extensions, files, duplicates.
    for table in (
        "hotline_ticketupdate",
        "hotline_dispute",
        "hotline_extensionrequest",
        "hotline_attachment",
    ):
        assert tables.count(f'FROM "{table}"') == 1, table


def test_a_ticket_without_assignments_reads_no_disputes_or_extensions(world):
    filed = ticket(world)
    client = _client(world.operator)
    url = reverse("hotline:ticket_detail", args=[filed.number])
    client.get(url)
    with _executed() as statements:
        assert client.get(url).status_code == 200
    tables = " ".join(statements)
    assert "hotline_dispute" not in tables and "hotline_extensionrequest" not in tables


def test_the_prepared_rows_are_the_ticket_s_own(world):
    first, _ = _busy_ticket(world)
    second, _ = _busy_ticket(world)
    for filed in (first, second, first):
        updates = centre._UPDATES(filed.pk)
        assert [u.pk for u in updates] == list(
            TicketUpdate.objects.filter(ticket=filed).values_list("pk", flat=True)
        )
        assert {u.ticket_id for u in updates} == {filed.pk}
    assert centre._ATTACHMENTS(-1) == []
