"""The second factor's device is checked once per session (SessionOTPMiddleware).

After that the session's record is trusted, which is safe only because removing a
confirmed device ends every session of its user: through the action, and through any
other deletion (the signal in accounts/apps.py). Both session engines are covered: the
database one (no REDIS_URL) and ``cached_db`` (the shared cache).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts import actions
from tongzheng.accounts.middleware import OTP_VERIFIED_USER_KEY
from tongzheng.accounts.models import UserSession
from tongzheng.accounts.tests.factories import UserFactory, confirmed_totp_device
from tongzheng.accounts.tests.test_user_admin import full_login
from tongzheng.audit.models import AuditEvent

PAGE = "accounts:password_change"  # a signed-in page every staff user may open


@pytest.fixture(params=["db", "cached_db"])
def engine(request, settings):
    settings.SESSION_ENGINE = f"django.contrib.sessions.backends.{request.param}"
    settings.SHARED_CACHE = request.param == "cached_db"
    cache.clear()
    yield request.param
    cache.clear()


def device_queries(captured) -> int:
    return sum("otp_totp_totpdevice" in q["sql"] for q in captured.captured_queries)


def signed_out(browser) -> bool:
    response = browser.get(reverse(PAGE))
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_verified_session_does_not_read_its_device_again(engine, staff):
    browser = full_login(staff)  # its last request checked the device and stamped the session
    assert browser.session[OTP_VERIFIED_USER_KEY] == staff.pk
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            assert browser.get(reverse(PAGE)).status_code == 200
    assert device_queries(captured) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "remove",
    [
        lambda admin, user: actions.reset_second_factor(actor=admin, user=user),
        lambda admin, user: TOTPDevice.objects.filter(user=user).delete(),
        lambda admin, user: [device.delete() for device in TOTPDevice.objects.filter(user=user)],
    ],
    ids=["reset_second_factor", "queryset_delete", "instance_delete"],
)
def test_a_removed_device_ends_the_sessions_it_verified(engine, staff, system_admin, remove):
    first, second = full_login(staff), full_login(staff)
    remove(system_admin, staff)
    assert not UserSession.objects.filter(user_id=staff.pk).exists()
    assert signed_out(first)
    assert signed_out(second)


@pytest.mark.django_db
def test_reset_second_factor_still_counts_the_ended_sessions(engine, staff, system_admin):
    full_login(staff), full_login(staff)
    actions.reset_second_factor(actor=system_admin, user=staff)
    event = AuditEvent.objects.filter(action="accounts.otp_reset").order_by("-pk").first()
    assert event.detail["sessions_ended"] == 2
    assert event.detail["devices_removed"] == 2


@pytest.mark.django_db
def test_removing_an_unconfirmed_device_keeps_the_session(engine, staff):
    browser = full_login(staff)
    TOTPDevice.objects.create(user=staff, name="pending", confirmed=False).delete()
    assert not signed_out(browser)


@pytest.mark.django_db
def test_another_users_device_does_not_verify_a_session(engine, client, staff):
    """The first check is django_otp's own: the device must be the session user's."""
    other = UserFactory()
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(other).persistent_id
    session.save()
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))
    assert OTP_VERIFIED_USER_KEY not in client.session
    assert DEVICE_ID_SESSION_KEY not in client.session


@pytest.mark.django_db
def test_a_record_for_another_user_is_checked_again(engine, client, staff):
    """A stamp of another user (never written by the server for this session) is ignored."""
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_totp_device(UserFactory()).persistent_id
    session[OTP_VERIFIED_USER_KEY] = staff.pk + 1000
    session.save()
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp_verify"))
