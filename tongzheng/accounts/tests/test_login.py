from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.models import User
from tongzheng.accounts.session_registry import LAST_ACTIVITY_KEY
from tongzheng.accounts.tests.factories import (
    PASSWORD,
    CitizenFactory,
    UserFactory,
    totp_token,
    verified_login,
)
from tongzheng.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
GENERIC = "用户名或密码错误，或账户已被暂时锁定"


def post_login(client, username, password=PASSWORD, next=None, **headers):
    data = {"username": username, "password": password}
    if next:
        data["next"] = next
    return client.post(LOGIN, data, **headers)


def actions_of(user=None):
    events = AuditEvent.objects.order_by("id")
    if user is not None:
        events = events.filter(actor=user)
    return list(events.values_list("action", flat=True))


def staff_page():
    """A staff page every signed-in staff user may open (the own-password page)."""
    return reverse("accounts:password_change")


@pytest.mark.django_db
class TestPasswordStep:
    def test_login_page_has_stable_field_names(self, client):
        response = client.get(LOGIN)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="username"' in html
        assert 'name="password"' in html
        assert 'type="submit"' in html
        assert '<label class="form-label" for="id_username">' in html

    def test_wrong_password_gives_generic_message_and_400(self, client, staff):
        response = post_login(client, staff.username, "Wrong#Pass1")
        assert response.status_code == 400
        assert GENERIC in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_unknown_user_gets_the_same_message(self, client):
        response = post_login(client, "nobody-here", "Wrong#Pass1")
        assert response.status_code == 400
        assert GENERIC in response.content.decode()
        event = AuditEvent.objects.get(action="auth.login_failed")
        assert event.actor_id is None
        assert event.actor_name == "nobody-here"
        assert event.outcome == "failure"
        assert event.source_address == "127.0.0.1"

    def test_success_and_failure_are_audited_with_address(self, client, staff):
        post_login(client, staff.username, "Wrong#Pass1")
        post_login(client, staff.username, REMOTE_ADDR="10.1.2.3")
        failed, ok = AuditEvent.objects.filter(actor=staff).order_by("id")
        assert (failed.action, failed.outcome) == ("auth.login_failed", "failure")
        assert (ok.action, ok.outcome) == ("auth.login", "success")
        assert ok.source_address == "10.1.2.3"
        assert ok.detail["factor"] == "password"

    def test_success_resets_the_failure_count(self, client, staff):
        for _ in range(4):
            post_login(client, staff.username, "Wrong#Pass1")
        post_login(client, staff.username)
        staff.refresh_from_db()
        assert staff.failed_logins == 0

    def test_inactive_account_cannot_log_in(self, client, staff):
        staff.is_active = False
        staff.save()
        response = post_login(client, staff.username)
        assert response.status_code == 400
        assert GENERIC in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_empty_form_is_400_in_chinese(self, client):
        response = client.post(LOGIN, {})
        assert response.status_code == 400
        assert "这个字段是必填项" in response.content.decode()


@pytest.mark.django_db
class TestLockout:
    def test_locks_after_exactly_five_failures(self, client, staff, settings):
        assert settings.LOGIN_MAX_FAILURES == 5
        for _ in range(4):
            post_login(client, staff.username, "Wrong#Pass1")
        staff.refresh_from_db()
        assert staff.failed_logins == 4
        assert staff.locked_until is None
        post_login(client, staff.username, "Wrong#Pass1")
        staff.refresh_from_db()
        assert staff.locked_until is not None
        minutes = (staff.locked_until - timezone.now()).total_seconds() / 60
        assert 14 < minutes <= 15
        assert actions_of(staff)[-1] == "auth.locked"

    def test_correct_password_refused_while_locked_with_same_message(self, client, staff):
        for _ in range(5):
            post_login(client, staff.username, "Wrong#Pass1")
        response = post_login(client, staff.username)
        assert response.status_code == 400
        assert GENERIC in response.content.decode()
        assert "_auth_user_id" not in client.session
        last = AuditEvent.objects.filter(actor=staff).last()
        assert (last.action, last.outcome, last.detail["reason"]) == (
            "auth.login_failed",
            "denied",
            "locked",
        )

    def test_unlocks_after_the_lockout_period(self, client, staff):
        for _ in range(5):
            post_login(client, staff.username, "Wrong#Pass1")
        # Time travel: the lock ran out a second ago.
        User.objects.filter(pk=staff.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
        response = post_login(client, staff.username)
        assert response.status_code == 302
        staff.refresh_from_db()
        assert (staff.failed_logins, staff.locked_until) == (0, None)

    def test_count_starts_afresh_after_the_lock_runs_out(self, client, staff):
        for _ in range(5):
            post_login(client, staff.username, "Wrong#Pass1")
        User.objects.filter(pk=staff.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
        post_login(client, staff.username, "Wrong#Pass1")
        staff.refresh_from_db()
        assert staff.failed_logins == 1
        assert staff.locked_until is None

    def test_lockout_is_configurable(self, client, staff, settings):
        settings.LOGIN_MAX_FAILURES = 2
        settings.LOGIN_LOCKOUT_MINUTES = 60
        post_login(client, staff.username, "Wrong#Pass1")
        post_login(client, staff.username, "Wrong#Pass1")
        staff.refresh_from_db()
        assert staff.locked_until > timezone.now() + timedelta(minutes=59)

    def test_message_is_identical_for_locked_unknown_and_wrong(self, client, staff):
        def error_block(response):
            html = response.content.decode()
            start = html.index('<div class="alert alert-danger"')
            return html[start : html.index("</div>", start)]

        wrong = error_block(post_login(client, staff.username, "Wrong#Pass1"))
        unknown = error_block(post_login(client, "ghost", "Wrong#Pass1"))
        for _ in range(4):
            post_login(client, staff.username, "Wrong#Pass1")
        locked = error_block(post_login(client, staff.username))
        assert wrong == unknown == locked


@pytest.mark.django_db
class TestSecondFactor:
    def test_staff_goes_to_otp_after_password(self, client, staff, staff_device):
        response = post_login(client, staff.username, next="/accounts/roles/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:otp_verify"))
        assert "next=%2Faccounts%2Froles%2F" in response.url

    def test_staff_cannot_reach_staff_pages_before_totp(self, client, staff, staff_device):
        post_login(client, staff.username)
        for url in [staff_page(), reverse("accounts:role_list"), "/workbench/"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("accounts:otp_verify")), url

    def test_valid_token_completes_login(self, client, staff, staff_device):
        post_login(client, staff.username)
        response = client.post(
            reverse("accounts:otp_verify"),
            {"token": totp_token(staff_device), "next": staff_page()},
        )
        assert response.status_code == 302
        assert response.url == staff_page()
        assert client.get(staff_page()).status_code == 200
        event = AuditEvent.objects.filter(actor=staff, action="auth.login").last()
        assert event.detail["factor"] == "totp"

    def test_wrong_token_is_refused_and_counted(self, client, staff, staff_device):
        post_login(client, staff.username)
        good = totp_token(staff_device)
        bad = f"{(int(good) + 1) % 1_000_000:06d}"
        response = client.post(reverse("accounts:otp_verify"), {"token": bad})
        assert response.status_code == 400
        assert "动态口令不正确" in response.content.decode()
        assert client.get(staff_page()).status_code == 302
        staff.refresh_from_db()
        assert staff.failed_logins == 1
        assert "auth.login_failed" in actions_of(staff)

    def test_repeated_wrong_tokens_lock_and_end_the_session(
        self, client, staff, staff_device, settings
    ):
        settings.LOGIN_MAX_FAILURES = 2
        post_login(client, staff.username)
        client.post(reverse("accounts:otp_verify"), {"token": "000000"})
        # Throttling would refuse the next try anyway; clear it to count a real failure.
        TOTPDevice.objects.filter(pk=staff_device.pk).update(throttling_failure_count=0)
        response = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
        assert response.status_code == 302
        assert response.url == LOGIN
        assert "_auth_user_id" not in client.session
        staff.refresh_from_db()
        assert staff.locked_until is not None

    def test_staff_without_device_must_enrol(self, client, staff):
        post_login(client, staff.username)
        response = client.get(reverse("accounts:otp_verify"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:otp_setup"))
        response = client.get(reverse("accounts:otp_setup"))
        assert response.status_code == 200
        html = response.content.decode()
        device = TOTPDevice.objects.get(user=staff, confirmed=False)
        assert "data:image/svg+xml;base64," in html
        assert "otpauth://totp/" in html
        from base64 import b32encode

        assert b32encode(device.bin_key).decode() in html
        assert 'name="token"' in html
        # Still locked out of staff pages until the first token confirms the device.
        assert client.get(staff_page()).url.startswith(reverse("accounts:otp_verify"))
        response = client.post(reverse("accounts:otp_setup"), {"token": totp_token(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(staff_page()).status_code == 200
        assert "auth.otp_enrolled" in actions_of(staff)

    def test_enrolment_page_reuses_one_pending_device(self, client, staff):
        post_login(client, staff.username)
        client.get(reverse("accounts:otp_setup"))
        client.get(reverse("accounts:otp_setup"))
        assert TOTPDevice.objects.filter(user=staff).count() == 1

    def test_enrolled_staff_cannot_enrol_a_second_device(self, client, staff, staff_device):
        post_login(client, staff.username)
        response = client.get(reverse("accounts:otp_setup"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:otp_verify"))
        assert TOTPDevice.objects.filter(user=staff).count() == 1

    def test_totp_can_be_switched_off_by_setting(self, client, staff, settings):
        settings.STAFF_REQUIRE_TOTP = False
        post_login(client, staff.username)
        assert client.get(staff_page()).status_code == 200

    def test_citizen_needs_no_totp(self, client, citizen):
        response = post_login(client, citizen.username)
        assert response.status_code == 302
        assert not response.url.startswith(reverse("accounts:otp_verify"))
        assert client.get(staff_page()).status_code == 200  # own password page
        assert client.get(reverse("accounts:otp_verify")).status_code == 403


@pytest.mark.django_db
class TestPasswordExpiry:
    def test_expired_password_forces_change_first(self, client, staff, settings):
        User.objects.filter(pk=staff.pk).update(
            password_changed_at=timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
        )
        staff.refresh_from_db()
        verified_login(client, staff)
        response = client.get(reverse("accounts:role_list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:password_change"))

    def test_fresh_password_is_not_redirected(self, client, staff, settings):
        User.objects.filter(pk=staff.pk).update(
            password_changed_at=timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS - 1)
        )
        verified_login(client, staff)
        assert (
            client.get(reverse("accounts:role_list")).status_code == 403
        )  # no role, not redirected

    def test_citizen_with_expired_password_goes_to_change_after_login(self, client, settings):
        citizen = CitizenFactory()
        User.objects.filter(pk=citizen.pk).update(
            password_changed_at=timezone.now() - timedelta(days=400)
        )
        response = post_login(client, citizen.username)
        assert response.url.startswith(reverse("accounts:password_change"))

    def test_change_validates_complexity_and_is_audited(self, client, staff):
        User.objects.filter(pk=staff.pk).update(must_change_password=True)
        verified_login(client, staff)
        url = reverse("accounts:password_change")
        response = client.post(
            url, {"old_password": PASSWORD, "new_password1": "simple", "new_password2": "simple"}
        )
        assert response.status_code == 400
        assert "密码至少8位" in response.content.decode()
        response = client.post(
            url,
            {
                "old_password": "Wrong#2026x",
                "new_password1": "New#Pass2026",
                "new_password2": "New#Pass2026",
            },
        )
        assert response.status_code == 400
        assert "原密码不正确" in response.content.decode()
        staff.refresh_from_db()
        assert staff.check_password(PASSWORD)
        response = client.post(
            url,
            {
                "old_password": PASSWORD,
                "new_password1": "New#Pass2026",
                "new_password2": "New#Pass2026",
            },
        )
        assert response.status_code == 302
        staff.refresh_from_db()
        assert staff.check_password("New#Pass2026")
        assert not staff.must_change_password
        assert "auth.password_changed" in actions_of(staff)
        # Still signed in (session hash updated) and no longer redirected.
        assert client.get(reverse("accounts:role_list")).status_code == 403

    def test_same_password_is_refused(self, client, staff):
        verified_login(client, staff)
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
        )
        assert response.status_code == 400
        assert "新密码不能与原密码相同" in response.content.decode()


@pytest.mark.django_db
class TestIdleTimeoutAndLogout:
    def _age_session(self, client, seconds):
        session = client.session
        session[LAST_ACTIVITY_KEY] = session[LAST_ACTIVITY_KEY] - seconds
        session.save()

    def test_idle_session_is_ended(self, client, staff, staff_device, settings):
        post_login(client, staff.username)
        client.post(reverse("accounts:otp_verify"), {"token": totp_token(staff_device)})
        assert client.get(staff_page()).status_code == 200
        self._age_session(client, settings.SESSION_IDLE_TIMEOUT_SECONDS + 1)
        response = client.get(staff_page(), follow=True)
        assert response.redirect_chain[0][0].startswith(LOGIN)
        assert "未操作" in response.content.decode()
        assert "_auth_user_id" not in client.session
        last = AuditEvent.objects.filter(actor=staff).last()
        assert (last.action, last.detail["reason"]) == ("auth.logout", "idle_timeout")

    def test_activity_within_the_limit_keeps_the_session(
        self, client, staff, staff_device, settings
    ):
        post_login(client, staff.username)
        client.post(reverse("accounts:otp_verify"), {"token": totp_token(staff_device)})
        self._age_session(client, settings.SESSION_IDLE_TIMEOUT_SECONDS - 5)
        assert client.get(staff_page()).status_code == 200

    def test_logout_is_post_only_and_audited(self, client, citizen):
        post_login(client, citizen.username)
        assert client.get(reverse("accounts:logout")).status_code == 405
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session
        assert actions_of(citizen)[-1] == "auth.logout"


@pytest.mark.django_db
def test_staff_login_lands_on_otp_even_with_an_unsafe_next(client, staff, staff_device):
    response = post_login(client, staff.username, next="https://evil.example/")
    assert "evil" not in response.url


@pytest.mark.django_db
def test_citizen_cannot_open_workbench_or_admin_pages(client):
    citizen = CitizenFactory()
    verified_login(client, citizen)
    assert client.get("/workbench/").status_code == 403
    assert client.get(reverse("accounts:user_list")).status_code == 403


@pytest.mark.django_db
def test_superuser_flag_grants_nothing(client):
    boss = UserFactory(is_superuser=True)
    verified_login(client, boss)
    assert not boss.has_perm("accounts.manage_users")
    assert boss.get_all_permissions() == set()
    for name in ["accounts:user_list", "accounts:role_list", "accounts:security_policy"]:
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db
def test_second_factor_gives_the_session_a_new_key(client, staff, staff_device):
    from tongzheng.accounts.models import UserSession

    post_login(client, staff.username)
    before = client.session.session_key
    client.post(reverse("accounts:otp_verify"), {"token": totp_token(staff_device)})
    after = client.session.session_key
    assert after != before
    assert list(UserSession.objects.filter(user=staff).values_list("session_key", flat=True)) == [
        after
    ]
