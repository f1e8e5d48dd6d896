"""The hotline centre's test world: two cities, a centre in each, three departments.

``centre_world()`` builds (in 四川省):

- 成都市 (``city``) with its centre ``centre`` and operator ``operator`` (built-in role
  热线话务员, DIVISION_AND_BELOW), the departments ``lead_org``, ``assist_org`` and
  ``third_org``, each with a handler (built-in role 热线承办人员);
- 绵阳市 (``other_city``) with its own centre and operator ``other_operator``.

``ticket(world, **fields)`` files a received ticket in 成都市 (clock not started, as
intake leaves it) and ``answered(world)`` one dispatched and answered by ``lead_org``.
"""

from dataclasses import dataclass

from django.utils import timezone

from tongzheng.accounts.tests.factories import UserFactory, builtin_role, confirmed_totp_device
from tongzheng.core.models import DivisionLevel
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Subject,
    TicketStatus,
)
from tongzheng.hotline.tests.factories import TicketFactory


@dataclass
class World:
    province: object
    city: object
    other_city: object
    centre: object
    other_centre: object
    lead_org: object
    assist_org: object
    third_org: object
    operator: object
    other_operator: object
    lead_handler: object
    assist_handler: object
    third_handler: object
    subject: object


def _staff(username, organisation, role_code):
    user = UserFactory(
        username=username, organisation=organisation, roles=[builtin_role(role_code)]
    )
    confirmed_totp_device(user)
    return user


def centre_world(prefix: str = "c") -> World:
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    other_city = DivisionFactory(
        code="510700", name="绵阳市", level=DivisionLevel.CITY, parent=province
    )
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    other_centre = OrganisationFactory(name="绵阳市12345热线中心", division=other_city)
    lead_org = OrganisationFactory(name="成都市城市管理委员会", division=city)
    assist_org = OrganisationFactory(name="成都市交通运输局", division=city)
    third_org = OrganisationFactory(name="成都市住房和城乡建设局", division=city)
    subject, _created = Subject.objects.get_or_create(
        code="city", defaults={"name": "城市管理", "order": 10}
    )
    return World(
        province=province,
        city=city,
        other_city=other_city,
        centre=centre,
        other_centre=other_centre,
        lead_org=lead_org,
        assist_org=assist_org,
        third_org=third_org,
        operator=_staff(f"{prefix}_operator", centre, "hotline_operator"),
        other_operator=_staff(f"{prefix}_other_operator", other_centre, "hotline_operator"),
        lead_handler=_staff(f"{prefix}_lead_handler", lead_org, "hotline_handler"),
        assist_handler=_staff(f"{prefix}_assist_handler", assist_org, "hotline_handler"),
        third_handler=_staff(f"{prefix}_third_handler", third_org, "hotline_handler"),
        subject=subject,
    )


def ticket(world: World, **fields):
    fields.setdefault("division", world.city)
    fields.setdefault("division_path", fields["division"].path)
    fields.setdefault("subject", world.subject)
    return TicketFactory(**fields)


def answered(world: World, **fields):
    """A ticket dispatched to ``lead_org`` (clock running) whose lead has answered."""
    from tongzheng.hotline.actions import centre as actions

    filed = ticket(world, **fields)
    actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.lead_org)
    filed.refresh_from_db()
    lead = Assignment.objects.get(ticket=filed, role=AssignmentRole.LEAD)
    now = timezone.now()
    lead.status = AssignmentStatus.REPLIED
    lead.accepted_at = now
    lead.reply = "已安排维修，路灯恢复照明。"
    lead.replied_at = now
    lead.replied_by = world.lead_handler
    lead.save()
    filed.status = TicketStatus.ANSWERED
    filed.answered_at = now
    filed.save()
    return filed
