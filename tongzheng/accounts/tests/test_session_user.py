"""The session's user is loaded with its organisation in one prepared query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tongzheng.accounts.backends import PolicyBackend
from tongzheng.accounts.models import User
from tongzheng.accounts.tests.factories import CitizenFactory


@pytest.mark.django_db
def test_staff_user_comes_with_its_organisation(django_assert_num_queries, staff):
    with django_assert_num_queries(1):
        user = PolicyBackend().get_user(staff.pk)
        assert user.organisation.pk == staff.organisation_id
        assert user.organisation.path == staff.organisation.path
    assert (user.pk, user.username, user.kind) == (staff.pk, staff.username, staff.kind)
    assert user.password == staff.password
    assert user.password_changed_at == staff.password_changed_at
    assert not user._state.adding


@pytest.mark.django_db
def test_a_user_without_organisation(django_assert_num_queries):
    citizen = CitizenFactory()
    with django_assert_num_queries(1):
        user = PolicyBackend().get_user(citizen.pk)
        assert user.organisation is None
    assert user.pk == citizen.pk


@pytest.mark.django_db
def test_unknown_inactive_and_locked_users_are_refused(staff):
    assert PolicyBackend().get_user(staff.pk + 1000) is None
    assert PolicyBackend().get_user("not a number") is None
    User.objects.filter(pk=staff.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert PolicyBackend().get_user(staff.pk) is None
    User.objects.filter(pk=staff.pk).update(locked_until=None, is_active=False)
    assert PolicyBackend().get_user(staff.pk) is None
