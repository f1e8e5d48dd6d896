"""Any sequence of department actions keeps the ticket consistent (hypothesis).

After every step: a refused action wrote nothing at all; an accepted one wrote exactly one
TicketUpdate and one audit event; the ticket is answered exactly when the lead replied, and
then its clock is stopped; at most one extension request is pending.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Dispute,
    ExtensionRequest,
    Ticket,
    TicketStatus,
    TicketUpdate,
)
from tongzheng.hotline.tests.factories_handling import (
    dispatched_ticket,
    handler_user,
    operator_user,
)

pytestmark = pytest.mark.django_db

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["lead", "assist"]),
        st.sampled_from(["accept", "note", "opinion", "reply", "extension", "dispute"]),
    ),
    min_size=1,
    max_size=8,
)


def run(action: str, actor, assignment):
    if action == "accept":
        return actions.accept(actor=actor, assignment=assignment)
    if action == "note":
        return actions.add_note(actor=actor, assignment=assignment, content="记录")
    if action == "opinion":
        return actions.submit_opinion(actor=actor, assignment=assignment, content="意见")
    if action == "reply":
        return actions.reply(actor=actor, assignment=assignment, content="答复")
    if action == "extension":
        return actions.request_extension(
            actor=actor, assignment=assignment, working_days=2, reason="理由"
        )
    return actions.dispute(actor=actor, assignment=assignment, reason="异议")


def snapshot(ticket):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        TicketUpdate.objects.count(),
        AuditEvent.objects.count(),
        Dispute.objects.count(),
        ExtensionRequest.objects.count(),
        (ticket.status, ticket.answered_at, ticket.finished_at),
        tuple(
            Assignment.objects.filter(ticket=ticket)
            .order_by("pk")
            .values_list("status", "reply", "accepted_at")
        ),
    )


@settings(
    max_examples=40,
    database=None,  # no .hypothesis directory in the checkout
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_any_sequence_keeps_the_ticket_consistent(steps):
    with transaction.atomic():
        city = DivisionFactory(code="510100", name="成都市")
        lead = OrganisationFactory(name="主办局", division=city)
        helper = OrganisationFactory(name="协办局", division=city)
        ticket = dispatched_ticket(
            lead, assist=[helper], dispatcher=operator_user(OrganisationFactory(division=city))
        )
        people = {"lead": handler_user(lead), "assist": handler_user(helper)}
        parts = {
            "lead": ticket.assignments.get(role=AssignmentRole.LEAD),
            "assist": ticket.assignments.get(role=AssignmentRole.ASSIST),
        }
        for who, action in steps:
            before = snapshot(ticket)
            try:
                run(action, people[who], parts[who])
            except ValidationError:
                assert snapshot(ticket) == before, f"{who} {action} refused but wrote"
            else:
                after = snapshot(ticket)
                assert (after[0] - before[0], after[1] - before[1]) == (1, 1)
            current = Ticket.objects.get(pk=ticket.pk)
            lead_status = Assignment.objects.get(pk=parts["lead"].pk).status
            answered = current.status == TicketStatus.ANSWERED
            assert answered == (lead_status == AssignmentStatus.REPLIED)
            assert answered == (current.finished_at is not None)
            assert ExtensionRequest.objects.filter(ticket=ticket, status="pending").count() <= 1
        transaction.set_rollback(True)
