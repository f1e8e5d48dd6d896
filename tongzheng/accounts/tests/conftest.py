import pytest

from tongzheng.accounts.tests.factories import (
    CitizenFactory,
    UserFactory,
    builtin_role,
    confirmed_totp_device,
    verified_login,
)


@pytest.fixture
def staff(db):
    return UserFactory()


@pytest.fixture
def citizen(db):
    return CitizenFactory()


@pytest.fixture
def system_admin(db):
    return UserFactory(roles=[builtin_role("system_admin")])


@pytest.fixture
def security_admin(db):
    return UserFactory(roles=[builtin_role("security_admin")])


@pytest.fixture
def audit_admin(db):
    return UserFactory(roles=[builtin_role("audit_admin")])


@pytest.fixture
def login_as(client):
    """Log the test client in as a user, second factor done (staff)."""

    def _login(user):
        verified_login(client, user)
        return client

    return _login


@pytest.fixture
def staff_device(staff):
    return confirmed_totp_device(staff)
