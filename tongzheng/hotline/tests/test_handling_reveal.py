"""查看完整号码: the lead department sees a non-confidential reporter's full phone, once,
with a reason, audited; a confidential reporter, an assisting or another department, a
missing reason and a flood are refused."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.audit.models import AuditEvent, Outcome
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.models import AssignmentRole
from tongzheng.hotline.tests.factories_handling import (
    REPORTER_PHONE,
    REPORTER_PHONE_MASKED,
    dispatched_ticket,
    handler_user,
    operator_user,
)

pytestmark = pytest.mark.django_db

REASON = "电话联系反映人核实路灯位置"


@pytest.fixture(autouse=True)
def _forget_rate_limits():
    yield
    cache.clear()


@pytest.fixture
def world():
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    helper = OrganisationFactory(name="锦江区人民政府", division=city)
    other = OrganisationFactory(name="成都市教育局", division=city)
    operator = operator_user(centre)
    ticket = dispatched_ticket(lead, assist=[helper], dispatcher=operator)
    secret = dispatched_ticket(lead, dispatcher=operator, confidential=True)
    return {
        "ticket": ticket,
        "secret": secret,
        "lead_user": handler_user(lead),
        "helper_user": handler_user(helper),
        "other_user": handler_user(other),
        "operator": operator,
    }


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def _assignment(ticket, role=AssignmentRole.LEAD):
    return ticket.assignments.get(role=role)


def reveal_url(assignment) -> str:
    return reverse("hotline:assignment_reveal_phone", args=[assignment.pk])


def detail_url(assignment) -> str:
    return reverse("hotline:assignment_detail", args=[assignment.pk])


def reveals(ticket, outcome=Outcome.SUCCESS):
    return AuditEvent.objects.filter(
        action="personal_data.revealed", object_id=str(ticket.pk), outcome=outcome
    )


def test_lead_department_sees_the_full_phone_with_a_reason(world):
    ticket, client = world["ticket"], client_for(world["lead_user"])
    page = client.get(detail_url(_assignment(ticket))).content.decode()
    assert "查看完整号码" in page and REPORTER_PHONE_MASKED in page
    assert REPORTER_PHONE not in page

    response = client.post(reveal_url(_assignment(ticket)), {"reveal-reason": REASON})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert f'data-testid="revealed-phone">{REPORTER_PHONE}<' in body
    event = reveals(ticket).get()
    assert event.actor == world["lead_user"]
    assert event.detail == {"field": "reporter_phone", "reason": REASON}
    assert REPORTER_PHONE not in str(event.detail) and REPORTER_PHONE not in event.object_repr

    # Once: the page read again shows the masked number.
    again = client.get(detail_url(_assignment(ticket))).content.decode()
    assert REPORTER_PHONE not in again and REPORTER_PHONE_MASKED in again


def test_a_missing_reason_is_refused_and_nothing_revealed(world):
    ticket = world["ticket"]
    response = client_for(world["lead_user"]).post(
        reveal_url(_assignment(ticket)), {"reveal-reason": "   "}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "查看完整个人信息必须填写理由。" in body
    assert REPORTER_PHONE not in body
    assert not reveals(ticket).exists()


def test_a_confidential_reporter_is_never_revealed_to_a_department(world):
    secret, client = world["secret"], client_for(world["lead_user"])
    page = client.get(detail_url(_assignment(secret))).content.decode()
    assert "查看完整号码" not in page

    response = client.post(reveal_url(_assignment(secret)), {"reveal-reason": REASON})
    assert response.status_code == 403
    body = response.content.decode()
    assert "反映人要求保密，身份信息仅热线中心可见，不能查看完整号码。" in body
    assert REPORTER_PHONE not in body and REPORTER_PHONE_MASKED not in body
    assert not reveals(secret).exists()
    # The attempt itself is on record.
    assert reveals(secret, Outcome.DENIED).get().detail["refused"] == "confidential"


def test_an_assisting_department_may_not_reveal(world):
    ticket, client = world["ticket"], client_for(world["helper_user"])
    assist = _assignment(ticket, AssignmentRole.ASSIST)
    assert "查看完整号码" not in client.get(detail_url(assist)).content.decode()
    response = client.post(reveal_url(assist), {"reveal-reason": REASON})
    assert response.status_code == 403
    assert "只有主办单位可以查看反映人的完整号码。" in response.content.decode()
    assert REPORTER_PHONE not in response.content.decode()
    assert not reveals(ticket).exists()


def test_another_department_gets_404(world):
    ticket = world["ticket"]
    response = client_for(world["other_user"]).post(
        reveal_url(_assignment(ticket)), {"reveal-reason": REASON}
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="personal_data.revealed").exists()


def test_anonymous_is_sent_to_sign_in_and_get_is_not_allowed(world):
    url = reveal_url(_assignment(world["ticket"]))
    response = Client().post(url, {"reveal-reason": REASON})
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert client_for(world["lead_user"]).get(url).status_code == 405
    assert not reveals(world["ticket"]).exists()


def test_the_form_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    verified_login(client, world["lead_user"])
    response = client.post(reveal_url(_assignment(world["ticket"])), {"reveal-reason": REASON})
    assert response.status_code == 403
    assert not reveals(world["ticket"]).exists()


def test_reveals_are_rate_limited_per_user(world, settings):
    settings.HOTLINE_RATE_REVEAL = (2, 3600)
    ticket = world["ticket"]
    url = reveal_url(_assignment(ticket))
    client = client_for(world["lead_user"])
    assert [client.post(url, {"reveal-reason": REASON}).status_code for _ in range(2)] == [200, 200]
    refused = client.post(url, {"reveal-reason": REASON})
    assert refused.status_code == 429
    assert "查看完整号码过于频繁" in refused.content.decode()
    assert REPORTER_PHONE not in refused.content.decode()
    assert reveals(ticket).count() == 2
    # Another user's bucket is their own.
    colleague = handler_user(ticket.organisation)
    assert client_for(colleague).post(url, {"reveal-reason": REASON}).status_code == 200


def test_an_anonymous_ticket_has_nothing_to_reveal(world):
    ticket = world["ticket"]
    ticket.anonymous = True
    ticket.save()
    client = client_for(world["lead_user"])
    assert "查看完整号码" not in client.get(detail_url(_assignment(ticket))).content.decode()
    response = client.post(reveal_url(_assignment(ticket)), {"reveal-reason": REASON})
    assert response.status_code == 400
    assert "反映人没有留下联系电话。" in response.content.decode()
    assert not reveals(ticket).exists()


def test_the_handler_role_opens_only_the_hotline_phone_not_other_personal_data(world):
    """The role holds the hotline's own reveal permission, not the general one: roles
    combine, and ``core.reveal_personal_data`` would open staff ID numbers as well."""
    from tongzheng.core.access import has_permission

    handler = world["lead_user"]
    assert has_permission(handler, "hotline.reveal_reporter_phone")
    assert not has_permission(handler, "core.reveal_personal_data")
