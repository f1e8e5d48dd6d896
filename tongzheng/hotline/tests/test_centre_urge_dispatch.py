"""催办 / 督办 through supervision, and the emergency ticket's 1-hour dispatch limit.

- The supervision ``Urge`` is the record of every 催办 / 督办 of a ticket (the centre's and
  the follow-ups' automatic one); the ticket's ``TicketUpdate`` is its copy; supervision's
  dashboard lists them.
- An emergency ticket gets ``dispatch_due_at`` at intake; past it and undispatched it is
  ``dispatch_overdue`` (derived), and a supervision warning is raised once (by the
  follow-ups while it waits, or by the late dispatch itself).
"""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import (
    RoleFactory,
    UserFactory,
    builtin_role,
    verified_login,
)
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.hotline import followups
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.actions.intake import create_ticket
from tongzheng.hotline.models import Ticket, TicketType, TicketUpdate, UpdateKind, Urgency
from tongzheng.hotline.tests.factories_centre import centre_world, ticket
from tongzheng.supervision.models import SystemWarning, Urge
from tongzheng.supervision.public import urges_for, warnings_for

pytestmark = pytest.mark.django_db

VIEW_DASHBOARD = "supervision.view_dashboard"


@pytest.fixture
def world():
    return centre_world("u")


def dispatched(world, **fields):
    filed = ticket(world, **fields)
    actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.lead_org)
    filed.refresh_from_db()
    return filed


# ---- 催办 / 督办 through supervision ----------------------------------------------------------


def test_the_centres_urge_is_a_supervision_urge_copied_into_the_ticket_history(world):
    filed = dispatched(world)
    update = actions.urge_ticket(actor=world.operator, ticket=filed, content=" 请尽快答复。 ")
    urge = urges_for(filed).get()
    assert urge.level == "urge"
    assert urge.urged_by == world.operator
    assert urge.organisation == world.lead_org
    assert urge.message == "请尽快答复。"
    assert urge.task_type == "hotline.ticket" and urge.task_id == str(filed.pk)
    assert urge.division_path == filed.division_path
    assert urge.notified == 1  # the lead's one handler
    # The history row is the urge's copy.
    assert (update.kind, update.content, update.actor, update.organisation) == (
        UpdateKind.URGE,
        urge.message,
        urge.urged_by,
        urge.organisation,
    )
    assert update.public is False
    event = AuditEvent.objects.get(action="hotline.ticket_urged")
    assert event.detail["urge"] == urge.pk and event.detail["update"] == update.pk

    actions.supervise_ticket(actor=world.operator, ticket=filed, content="列入督办。")
    assert urges_for(filed).first().level == "supervise"
    assert filed.updates.filter(kind=UpdateKind.SUPERVISE).count() == 1


def test_a_refused_urge_writes_neither_record(world):
    filed = dispatched(world)
    actions.urge_ticket(actor=world.operator, ticket=filed, content="请尽快答复。")
    with pytest.raises(Exception, match="请勿重复提交"):
        actions.urge_ticket(actor=world.operator, ticket=filed, content="请尽快答复。")
    assert Urge.objects.count() == 1
    with pytest.raises(Exception):  # noqa: B017, PT011 - a received ticket: ValidationError
        actions.urge_ticket(actor=world.operator, ticket=ticket(world), content="催办")
    assert Urge.objects.count() == TicketUpdate.objects.filter(kind=UpdateKind.URGE).count()


def test_the_automatic_urge_is_a_supervision_urge_by_the_system(world):
    filed = dispatched(world, type=TicketType.ENQUIRY)
    now = filed.due_at + datetime.timedelta(days=7)
    with mock.patch("django.utils.timezone.now", return_value=now):
        assert followups.urge_overdue(now) == 1
        assert followups.urge_overdue(now) == 0  # once a working day
    urge = urges_for(filed).get()
    assert urge.urged_by is None
    assert urge.task_status == "red"
    update = filed.updates.get(kind=UpdateKind.URGE)
    assert update.actor is None and update.content == urge.message


def test_supervisions_dashboard_lists_the_hotlines_urges(world):
    filed = dispatched(world)
    actions.urge_ticket(actor=world.operator, ticket=filed, content="请尽快答复。")
    supervisor = UserFactory(
        username="u_supervisor", organisation=world.centre, roles=[builtin_role("supervisor")]
    )
    client = Client()
    verified_login(client, supervisor)
    page = client.get(reverse("supervision:dashboard")).content.decode()
    assert filed.number in page


def test_the_follow_up_run_looks_each_organisations_handlers_up_once(world):
    first = dispatched(world, type=TicketType.ENQUIRY)
    dispatched(world, type=TicketType.ENQUIRY)
    now = first.due_at + datetime.timedelta(days=7)
    with (
        mock.patch("django.utils.timezone.now", return_value=now),
        mock.patch.object(actions, "handlers_of", wraps=actions.handlers_of) as lookup,
    ):
        assert followups.run(now)["urged"] == 2
    assert lookup.call_count == 1


# ---- 特急件 1 小时内派单 ------------------------------------------------------------------------

INTAKE = {
    "channel": "web",
    "type": "help",
    "title": "燃气泄漏",
    "content": "楼道里有很浓的燃气味。",
    "address": "人民路 1 号",
    "reporter_name": "李四",
    "reporter_phone": "13800138000",
}


def test_an_emergency_ticket_must_be_dispatched_within_the_configured_minutes(world, settings):
    emergency, _code = create_ticket(
        data={**INTAKE, "urgency": Urgency.EMERGENCY, "division": world.city}
    )
    assert emergency.dispatch_due_at == emergency.started_at + datetime.timedelta(minutes=60)
    normal, _code = create_ticket(data={**INTAKE, "division": world.city})
    assert normal.dispatch_due_at is None
    urgent, _code = create_ticket(
        data={**INTAKE, "urgency": Urgency.URGENT, "division": world.city}
    )
    assert urgent.dispatch_due_at is None

    settings.HOTLINE_EMERGENCY_DISPATCH_MINUTES = 30
    quick, _code = create_ticket(
        data={**INTAKE, "urgency": Urgency.EMERGENCY, "division": world.city}
    )
    assert quick.dispatch_due_at == quick.started_at + datetime.timedelta(minutes=30)


def emergency(world, received):
    return ticket(
        world,
        urgency=Urgency.EMERGENCY,
        dispatch_due_at=received + datetime.timedelta(hours=1),
    )


def test_dispatch_overdue_is_derived_when_read(world):
    now = timezone.now()
    waiting = emergency(world, now - datetime.timedelta(minutes=61))
    fresh = emergency(world, now - datetime.timedelta(minutes=59))
    assert waiting.dispatch_overdue and not fresh.dispatch_overdue
    assert not ticket(world).dispatch_overdue  # not an emergency
    assert list(Ticket.objects.dispatch_overdue(now)) == [waiting]
    actions.dispatch_ticket(actor=world.operator, ticket=waiting, lead=world.lead_org)
    waiting.refresh_from_db()
    assert not waiting.dispatch_overdue and waiting.dispatched_late
    assert not Ticket.objects.dispatch_overdue(now).exists()


def test_the_follow_ups_raise_one_warning_for_an_undispatched_emergency(world):
    now = timezone.now()
    waiting = emergency(world, now - datetime.timedelta(minutes=90))
    emergency(world, now - datetime.timedelta(minutes=30))  # still within the hour
    assert followups.run(now)["dispatch_warnings"] == 1
    assert followups.run(now)["dispatch_warnings"] == 0
    warning = warnings_for(waiting).get()
    assert warning.kind == "dispatch_overdue"
    assert warning.division_path == waiting.division_path
    assert "至今未派单" in warning.detail
    # The late dispatch after the warning raises no second one.
    actions.dispatch_ticket(actor=world.operator, ticket=waiting, lead=world.lead_org)
    assert SystemWarning.objects.count() == 1


def test_the_follow_ups_warning_names_the_centre_that_should_have_dispatched(world):
    """The centre nearest the ticket's place answers for it (not the province's, which
    may dispatch it too), so a supervisor scoped to that organisation sees the warning."""
    province_centre = OrganisationFactory(name="四川省12345热线中心", division=world.province)
    UserFactory(
        username="u_province_operator",
        organisation=province_centre,
        roles=[builtin_role("hotline_operator")],
    )
    waiting = emergency(world, timezone.now() - datetime.timedelta(minutes=90))
    elsewhere = ticket(
        world,
        division=world.other_city,
        urgency=Urgency.EMERGENCY,
        dispatch_due_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    assert followups.run()["dispatch_warnings"] == 2
    assert warnings_for(waiting).get().organisation == world.centre
    assert warnings_for(elsewhere).get().organisation == world.other_centre
    centre_supervisor = UserFactory(
        organisation=world.centre,
        roles=[RoleFactory(permissions=[VIEW_DASHBOARD], scope=DataScope.OWN_ORGANISATION)],
    )
    seen = SystemWarning.objects.for_user(centre_supervisor, VIEW_DASHBOARD)
    assert [warning.subject_id for warning in seen] == [str(waiting.pk)]


def test_a_late_dispatch_between_two_runs_raises_the_warning_itself(world):
    late = emergency(world, timezone.now() - datetime.timedelta(minutes=62))
    on_time = emergency(world, timezone.now() - datetime.timedelta(minutes=10))
    actions.dispatch_ticket(actor=world.operator, ticket=late, lead=world.lead_org)
    actions.dispatch_ticket(actor=world.operator, ticket=on_time, lead=world.lead_org)
    warning = warnings_for(late).get()
    assert warning.organisation == world.centre  # the dispatching centre was late
    assert "超时派单" in warning.detail
    assert not warnings_for(on_time).exists()
    assert followups.run()["dispatch_warnings"] == 0


def test_the_mark_and_the_api_show_the_overdue_dispatch(world):
    from django.template.loader import render_to_string

    from tongzheng.hotline.api import TicketOut

    waiting = emergency(world, timezone.now() - datetime.timedelta(minutes=61))
    mark = render_to_string("hotline/includes/dispatch_overdue.html", {"ticket": waiting})
    assert "超时未派单" in mark
    plain = render_to_string("hotline/includes/dispatch_overdue.html", {"ticket": ticket(world)})
    assert "超时未派单" not in plain
    out = TicketOut.from_orm(waiting).dict()
    assert out["dispatch_overdue"] is True
    assert out["dispatch_due_at"] == waiting.dispatch_due_at


def test_an_urge_from_supervisions_dashboard_is_copied_into_the_ticket_history(world):
    from tongzheng.supervision import actions as supervision_actions
    from tongzheng.supervision.tests.factories import supervisor

    filed = dispatched(world)
    past = timezone.now() - datetime.timedelta(days=3)
    Ticket.objects.filter(pk=filed.pk).update(due_at=past, warning_at=past)
    boss = supervisor(world.centre)
    urge = supervision_actions.urge_task(
        actor=boss,
        task_type="hotline.ticket",
        task_id=filed.pk,
        level="supervise",
        message="今日办结",
    )
    copy = filed.updates.get(kind=UpdateKind.SUPERVISE)
    assert urge.task_copy == copy
    assert (copy.content, copy.actor, copy.organisation, copy.public) == (
        "今日办结",
        boss,
        world.lead_org,
        False,
    )


def test_the_centre_list_and_ticket_page_mark_the_overdue_dispatch(world):
    waiting = emergency(world, timezone.now() - datetime.timedelta(minutes=61))
    client = Client()
    verified_login(client, world.operator)
    listing = client.get(reverse("hotline:ticket_list")).content.decode()
    assert waiting.number in listing and "超时未派单" in listing
    page = client.get(reverse("hotline:ticket_detail", args=[waiting.number])).content.decode()
    assert "超时未派单" in page
    actions.dispatch_ticket(actor=world.operator, ticket=waiting, lead=world.lead_org)
    assert "超时未派单" not in client.get(reverse("hotline:ticket_list")).content.decode()
