"""系统管理员: users — create, disable (ends sessions), enable, reset password and TOTP."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts import actions
from tongzheng.accounts.models import User, UserSession
from tongzheng.accounts.tests.factories import (
    PASSWORD,
    CitizenFactory,
    RoleFactory,
    UserFactory,
    confirmed_totp_device,
    totp_token,
    verified_login,
)
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import OrganisationFactory


def full_login(user) -> Client:
    """A separate browser that logs in through the real pages (password, then TOTP).

    Each browser gets its own device: a TOTP token is accepted once per time step.
    """
    browser = Client()
    device = confirmed_totp_device(user)
    browser.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    browser.post(reverse("accounts:otp_verify"), {"token": totp_token(device)})
    assert browser.get(reverse("accounts:password_change")).status_code == 200
    return browser


@pytest.mark.django_db
class TestDisable:
    def test_disabling_ends_every_session_at_once(self, client, staff, system_admin):
        first, second = full_login(staff), full_login(staff)
        assert UserSession.objects.filter(user=staff).count() == 2
        verified_login(client, system_admin)
        response = client.post(
            reverse("accounts:user_disable", args=[staff.pk]), {"reason": "离职"}
        )
        assert response.status_code == 302
        assert not UserSession.objects.filter(user=staff).exists()
        for browser in (first, second):
            response = browser.get(reverse("accounts:password_change"))
            assert response.status_code == 302
            assert response.url.startswith(reverse("accounts:login"))
        event = AuditEvent.objects.get(action="accounts.user_disabled")
        assert event.actor == system_admin
        assert event.object_id == str(staff.pk)
        assert event.detail == {"reason": "离职", "sessions_ended": 2}
        staff.refresh_from_db()
        assert not staff.is_active

    def test_other_users_sessions_survive(self, client, staff, system_admin):
        bystander = UserFactory()
        browser = full_login(bystander)
        full_login(staff)
        actions.disable_user(actor=system_admin, user=staff, reason="调离")
        assert browser.get(reverse("accounts:password_change")).status_code == 200
        assert Session.objects.filter(
            session_key__in=UserSession.objects.filter(user=bystander).values("session_key")
        ).exists()

    def test_reason_is_required(self, client, staff, system_admin):
        verified_login(client, system_admin)
        response = client.post(reverse("accounts:user_disable", args=[staff.pk]), {"reason": ""})
        assert response.status_code == 400
        assert "这个字段是必填项" in response.content.decode()
        staff.refresh_from_db()
        assert staff.is_active
        with pytest.raises(ValidationError):
            actions.disable_user(actor=system_admin, user=staff, reason="  ")

    def test_cannot_disable_oneself(self, system_admin):
        with pytest.raises(ValidationError):
            actions.disable_user(actor=system_admin, user=system_admin, reason="测试")

    def test_requires_the_permission(self, staff):
        other = UserFactory()
        with pytest.raises(PermissionDenied):
            actions.disable_user(actor=staff, user=other, reason="越权")
        other.refresh_from_db()
        assert other.is_active

    def test_scoped_admin_cannot_touch_users_outside_scope(self):
        role = RoleFactory(permissions=["accounts.manage_users"], scope=DataScope.OWN_ORGANISATION)
        admin = UserFactory(roles=[role])
        outsider = UserFactory(organisation=OrganisationFactory())
        with pytest.raises(PermissionDenied):
            actions.disable_user(actor=admin, user=outsider, reason="越权")
        client = Client()
        verified_login(client, admin)
        response = client.get(reverse("accounts:user_detail", args=[outsider.pk]))
        assert response.status_code == 404
        colleague = UserFactory(organisation=admin.organisation)
        assert client.get(reverse("accounts:user_detail", args=[colleague.pk])).status_code == 200
        listed = client.get(reverse("accounts:user_list")).content.decode()
        assert colleague.username in listed
        assert outsider.username not in listed

    def test_enable_unlocks(self, client, staff, system_admin):
        actions.disable_user(actor=system_admin, user=staff, reason="暂停")
        User.objects.filter(pk=staff.pk).update(failed_logins=5)
        verified_login(client, system_admin)
        response = client.post(reverse("accounts:user_enable", args=[staff.pk]))
        assert response.status_code == 302
        staff.refresh_from_db()
        assert staff.is_active and staff.failed_logins == 0
        assert AuditEvent.objects.filter(action="accounts.user_enabled").exists()


@pytest.mark.django_db
class TestCreateAndReset:
    def test_create_staff_user_shows_temporary_password_once(self, client, system_admin):
        organisation = OrganisationFactory()
        verified_login(client, system_admin)
        assert client.get(reverse("accounts:user_create")).status_code == 200
        response = client.post(
            reverse("accounts:user_create"),
            {
                "kind": "staff",
                "organisation": organisation.pk,
                "username": "zhangsan",
                "full_name": "张三",
            },
        )
        assert response.status_code == 200
        user = User.objects.get(username="zhangsan")
        password = response.context["password"]
        assert user.check_password(password)
        assert user.must_change_password
        assert user.organisation == organisation
        assert response["Cache-Control"] == "no-store"
        assert AuditEvent.objects.filter(action="accounts.user_created", object_id=str(user.pk))

    def test_new_user_must_change_password_at_first_login(self, system_admin):
        user, password = actions.create_user(
            actor=system_admin,
            organisation=OrganisationFactory(),
            username="lisi",
            full_name="李四",
            kind="staff",
        )
        browser = Client()
        browser.post(reverse("accounts:login"), {"username": "lisi", "password": password})
        device = confirmed_totp_device(user)
        response = browser.post(reverse("accounts:otp_verify"), {"token": totp_token(device)})
        assert response.url.startswith(reverse("accounts:password_change"))
        response = browser.get("/workbench/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:password_change"))

    def test_staff_needs_an_organisation_and_duplicates_are_refused(self, client, system_admin):
        verified_login(client, system_admin)
        response = client.post(
            reverse("accounts:user_create"),
            {"kind": "staff", "username": "wangwu", "full_name": "王五"},
        )
        assert response.status_code == 400
        assert "工作人员必须属于一个机构" in response.content.decode()
        response = client.post(
            reverse("accounts:user_create"),
            {"kind": "citizen", "username": system_admin.username.upper(), "full_name": "重名"},
        )
        assert response.status_code == 400
        assert "该用户名已被使用" in response.content.decode()
        assert not User.objects.filter(username="wangwu").exists()

    def test_reset_password_forces_change_and_ends_sessions(self, client, staff, system_admin):
        browser = full_login(staff)
        verified_login(client, system_admin)
        response = client.post(reverse("accounts:user_password_reset", args=[staff.pk]))
        assert response.status_code == 200
        password = response.context["password"]
        staff.refresh_from_db()
        assert staff.check_password(password) and staff.must_change_password
        assert browser.get(reverse("accounts:password_change")).status_code == 302
        assert AuditEvent.objects.filter(action="accounts.password_reset").exists()

    def test_reset_second_factor_removes_devices(self, client, staff, system_admin):
        confirmed_totp_device(staff)
        verified_login(client, system_admin)
        response = client.post(reverse("accounts:user_otp_reset", args=[staff.pk]))
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=staff).exists()
        assert AuditEvent.objects.filter(action="accounts.otp_reset").exists()


@pytest.mark.django_db
class TestRegistration:
    URL = "/accounts/register/"

    def test_citizen_registers_with_a_complex_password(self, client):
        assert client.get(self.URL).status_code == 200
        response = client.post(
            self.URL,
            {
                "username": "citizen01",
                "full_name": "赵六",
                "password1": "Good#Pass2026",
                "password2": "Good#Pass2026",
            },
        )
        assert response.status_code == 302
        user = User.objects.get(username="citizen01")
        assert user.kind == "citizen"
        assert user.organisation is None
        assert user.roles.count() == 0
        assert AuditEvent.objects.filter(action="accounts.registered", actor=user).exists()

    def test_simple_password_is_refused(self, client):
        response = client.post(
            self.URL,
            {
                "username": "citizen02",
                "full_name": "钱七",
                "password1": "password",
                "password2": "password",
            },
        )
        assert response.status_code == 400
        assert "密码至少8位" in response.content.decode()
        assert not User.objects.filter(username="citizen02").exists()

    def test_mismatch_and_taken_names_are_refused(self, client):
        CitizenFactory(username="taken")
        response = client.post(
            self.URL,
            {
                "username": "taken",
                "full_name": "孙八",
                "password1": "Good#Pass2026",
                "password2": "Good#Pass2027",
            },
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "该用户名已被使用" in html
        assert "两次输入的密码不一致" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["accounts:user_list", "accounts:assignment_list"])
def test_user_lists_cost_the_same_queries_for_more_users(
    client, system_admin, security_admin, name, django_assert_max_num_queries
):
    admin = system_admin if name == "accounts:user_list" else security_admin
    verified_login(client, admin)
    organisation = OrganisationFactory()
    UserFactory.create_batch(3, organisation=organisation, roles=[RoleFactory()])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    UserFactory.create_batch(30, organisation=organisation, roles=[RoleFactory()])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(name))
    assert response.status_code == 200
