"""``queries.ticket_for`` runs SQL compiled once per connection and visibility filter
(``hotline.prepared.CompiledInstances``): users of different scopes never share it, the
ticket comes back as the ORM gives it (every field, the related rows cached, saveable
unless redacted), and a second read compiles nothing."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tongzheng.accounts.tests.factories import UserFactory
from tongzheng.hotline import queries
from tongzheng.hotline.models import Ticket
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return centre_world("tf")


def _same_fields(a: Ticket, b: Ticket) -> None:
    for field in Ticket._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.name


def test_the_ticket_is_the_orm_s_own(world):
    filed = answered(world, title="路灯不亮", confidential=True, reporter_name="王芳")
    expected = Ticket.objects.select_related(
        "subject", "organisation", "mailbox", "division", "duplicate_of"
    ).get(pk=filed.pk)
    found = queries.ticket_for(world.operator, filed.number)
    _same_fields(found, expected)
    assert found.reporter_redacted is False
    with CaptureQueriesContext(connection) as captured:
        assert found.subject.name == world.subject.name
        assert found.organisation.name == world.lead_org.name
        assert found.division.name == world.city.name
        assert found.mailbox is None and found.duplicate_of is None
    assert len(captured) == 0
    found.title = "已改"
    found.save(update_fields=["title"])
    assert Ticket.objects.get(pk=filed.pk).title == "已改"


def test_scopes_never_share_the_compiled_query(world):
    mine = ticket(world, title="成都的工单")
    theirs = ticket(world, division=world.other_city, title="绵阳的工单")
    # Alternating users on one connection: each sees its own area only.
    for _round in range(2):
        assert queries.ticket_for(world.operator, mine.number).pk == mine.pk
        with pytest.raises(Http404):
            queries.ticket_for(world.other_operator, mine.number)
        assert queries.ticket_for(world.other_operator, theirs.number).pk == theirs.pk
        with pytest.raises(Http404):
            queries.ticket_for(world.operator, theirs.number)


def test_a_department_sees_its_own_tickets_redacted(world):
    filed = answered(world, confidential=True, reporter_name="王芳")
    other = ticket(world)
    queries.ticket_for(world.operator, filed.number)  # the centre's query compiled first
    found = queries.ticket_for(world.lead_handler, filed.number)
    assert found.pk == filed.pk
    assert found.reporter_redacted is True and found.reporter_name == ""
    with pytest.raises(ValueError):  # a redacted instance refuses to be saved
        found.save()
    with pytest.raises(Http404):
        queries.ticket_for(world.lead_handler, other.number)
    with pytest.raises(Http404):
        queries.ticket_for(world.third_handler, filed.number)


def test_unknown_number_and_no_scope(world):
    with pytest.raises(Http404):
        queries.ticket_for(world.operator, "12345-20000101-000000")
    nobody = UserFactory(username="tf_nobody", organisation=world.centre, roles=[])
    filed = ticket(world)
    with pytest.raises(Http404):
        queries.ticket_for(nobody, filed.number)


def test_a_second_read_compiles_nothing(world, monkeypatch):
    filed = ticket(world)
    queries.ticket_for(world.operator, filed.number)
    compiled = []
    original = queries._TICKET_BY_NUMBER._compile
    monkeypatch.setattr(
        queries._TICKET_BY_NUMBER,
        "_compile",
        lambda *args: compiled.append(1) or original(*args),
    )
    with CaptureQueriesContext(connection) as captured:
        assert queries.ticket_for(world.operator, filed.number).pk == filed.pk
    assert compiled == []
    assert len(captured) == 1
