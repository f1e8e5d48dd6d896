"""QA walk: a call taken without a division code stayed outside the centre's own scope."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tongzheng.accounts.tests.factories import (
    RoleFactory,
    UserFactory,
    confirmed_totp_device,
)
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory
from tongzheng.hotline.models import Ticket
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path


def operator_client():
    role = RoleFactory(
        permissions=["hotline.take_call", "hotline.view_ticket"],
        scope=DataScope.DIVISION_AND_BELOW,
    )
    user = UserFactory(roles=[role])
    return user, logged_in_client(user, confirmed_totp_device(user))


CALL = {
    "reporter_phone": "13800138000",
    "urgency": "normal",
    "type": "complaint",
    "content": "金山路小区门口的路灯不亮，晚上很黑。",
}


def test_a_call_without_a_division_code_lands_in_the_operators_division():
    user, client = operator_client()
    response = client.post(reverse("hotline:call_new"), CALL)
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.division == user.organisation.division
    assert ticket.division_path == user.organisation.division.path
    # The operator who took the call can open the ticket (it was a 404 before).
    detail = client.get(reverse("hotline:ticket_detail", args=[ticket.number]))
    assert detail.status_code == 200


def test_the_next_call_from_the_same_number_shows_the_first_as_a_duplicate():
    _user, client = operator_client()
    client.post(reverse("hotline:call_new"), CALL)
    first = Ticket.objects.get()
    response = client.post(reverse("hotline:call_new"), CALL)
    assert [dup.ticket.pk for dup in response.context["duplicates"]] == [first.pk]


def test_a_division_code_given_by_the_caller_still_wins():
    _user, client = operator_client()
    other = DivisionFactory()
    client.post(reverse("hotline:call_new"), {**CALL, "division": other.code})
    assert Ticket.objects.get(channel="phone").division == other


def test_the_receipt_links_to_the_new_ticket_and_its_duplicates():
    _user, client = operator_client()
    client.post(reverse("hotline:call_new"), CALL)
    first = Ticket.objects.get()
    response = client.post(reverse("hotline:call_new"), CALL)
    second = Ticket.objects.exclude(pk=first.pk).get()
    body = response.content.decode()
    assert f'href="{reverse("hotline:ticket_detail", args=[second.number])}"' in body
    assert f'href="{reverse("hotline:ticket_detail", args=[first.number])}"' in body


def test_a_citizen_opens_an_own_ticket_from_mine_without_the_code(client):
    from tongzheng.accounts.tests.factories import CitizenFactory
    from tongzheng.hotline.models import TicketUpdate, UpdateKind
    from tongzheng.hotline.tests.factories import TicketFactory

    citizen, other = CitizenFactory(), CitizenFactory()
    ticket = TicketFactory(account=citizen, title="路灯不亮")
    TicketUpdate.objects.create(
        ticket=ticket, kind=UpdateKind.REPLY, content="已修复路灯。", public=True
    )
    client.force_login(citizen)
    listing = client.get(reverse("hotline:mine")).content.decode()
    url = reverse("hotline:mine_ticket", args=[ticket.number])
    assert f'href="{url}"' in listing
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "已修复路灯。" in body
    assert 'action="/hotline/track/append/"' not in body  # adding information takes the code
    client.force_login(other)
    assert client.get(url).status_code == 404
