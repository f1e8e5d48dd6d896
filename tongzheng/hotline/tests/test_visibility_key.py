"""``queries.visibility_key_for`` keeps the visibility filter's key per what the filter is
made of: always the key of the user's own ``visible_tickets``, and another one as soon as
the user's organisation or roles change (the scope is never read from a stale key)."""

import pytest
from django.urls import reverse

from tongzheng.accounts.models import User
from tongzheng.accounts.tests.factories import verified_login
from tongzheng.hotline import queries
from tongzheng.hotline.tests.factories_centre import answered, centre_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return centre_world("v")


def _fresh(user) -> User:
    """The user as a new request reads it (its scopes not yet read)."""
    return User.objects.select_related("organisation").get(pk=user.pk)


def _expected(user):
    return queries.visibility_key(queries.visible_tickets(user))


def test_the_key_is_the_user_s_own(world):
    users = (world.operator, world.other_operator, world.lead_handler, world.assist_handler)
    for user in (*users, *users):
        user = _fresh(user)
        assert queries.visibility_key_for(user) == _expected(user)
    keys = {queries.visibility_key_for(_fresh(user)) for user in users}
    assert len(keys) == len(users)


def test_a_changed_organisation_or_role_is_another_key(world):
    handler = _fresh(world.lead_handler)
    before = queries.visibility_key_for(handler)
    User.objects.filter(pk=handler.pk).update(organisation=world.third_org)
    moved = _fresh(handler)
    assert queries.visibility_key_for(moved) == _expected(moved) != before
    moved.roles.clear()
    stripped = _fresh(moved)
    assert queries.visibility_key_for(stripped) is None is _expected(stripped)


def test_a_moved_department_no_longer_opens_its_old_ticket(world, client):
    filed = answered(world)
    verified_login(client, world.lead_handler)
    url = reverse("hotline:ticket_detail", args=[filed.number])
    assert client.get(url).status_code == 200
    User.objects.filter(pk=world.lead_handler.pk).update(organisation=world.third_org)
    assert client.get(url).status_code == 404
