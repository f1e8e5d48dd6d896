"""Browser tests of the accounts pages: TOTP enrolment, forced password change, the 三员
forms, registration — each page checked with axe."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.models import User
from tongzheng.accounts.tests.factories import (
    PASSWORD,
    RoleFactory,
    UserFactory,
    builtin_role,
    verified_login,
)
from tongzheng.testing.browser import axe_check, totp_token

pytestmark = pytest.mark.browser


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()


def hand_over_session(page, user, live_server):
    client = Client()
    verified_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_first_login_enrols_totp_then_changes_the_reset_password(page):
    user = UserFactory(full_name="周九", must_change_password=True)
    sign_in(page, user.username)

    page.wait_for_url("**/accounts/otp/setup/**")
    assert page.get_by_role("heading", level=1).inner_text() == "绑定动态口令"
    assert page.get_by_role("img", name="动态口令绑定二维码").is_visible()
    assert page.locator("#otp-uri").inner_text().startswith("otpauth://totp/")
    axe_check(page)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.locator("input[name=token]").fill(totp_token(device))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url("**/accounts/password/**")
    axe_check(page)
    page.locator("input[name=old_password]").fill(PASSWORD)
    page.locator("input[name=new_password1]").fill("Fresh#Pass2026")
    page.locator("input[name=new_password2]").fill("Fresh#Pass2026")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url("**/workbench/")
    user.refresh_from_db()
    assert not user.must_change_password
    assert TOTPDevice.objects.get(user=user).confirmed


def test_wrong_password_shows_the_generic_error_accessibly(page):
    sign_in(page, "nobody", "Wrong#Pass1")
    assert "用户名或密码错误" in page.locator("main .alert-danger").inner_text()
    axe_check(page)


def test_citizen_registers_and_logs_in_without_totp(page):
    page.goto("/accounts/register/")
    axe_check(page)
    page.locator("input[name=username]").fill("citizen_browser")
    page.locator("input[name=full_name]").fill("吴十")
    page.locator("input[name=password1]").fill("simple")
    page.locator("input[name=password2]").fill("simple")
    page.locator("main form button[type=submit]").click()
    assert "密码至少8位" in page.locator("main").inner_text()
    axe_check(page)  # the form with its errors
    page.locator("input[name=password1]").fill("Citizen#2026")
    page.locator("input[name=password2]").fill("Citizen#2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")
    sign_in(page, "citizen_browser", "Citizen#2026")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert User.objects.get(username="citizen_browser").kind == "citizen"


def test_system_admin_pages(page, live_server):
    admin = UserFactory(roles=[builtin_role("system_admin")])
    subject = UserFactory(organisation=admin.organisation, full_name="郑十一")
    hand_over_session(page, admin, live_server)
    page.goto("/accounts/users/new/")
    axe_check(page)
    page.goto(f"/accounts/users/{subject.pk}/")
    axe_check(page)
    page.locator("textarea[name=reason]").fill("调离本单位")
    page.get_by_role("button", name="停用并结束其全部会话").click()
    page.wait_for_url(f"**/accounts/users/{subject.pk}/")
    assert "账户已停用" in page.locator("main").inner_text()
    axe_check(page)
    page.get_by_role("button", name="重置密码").click()
    assert page.locator("#temporary-password").inner_text()
    axe_check(page)


def test_security_admin_pages(page, live_server):
    admin = UserFactory(roles=[builtin_role("security_admin")])
    subject = UserFactory(organisation=admin.organisation)
    role = RoleFactory(name="业务角色")
    hand_over_session(page, admin, live_server)
    for url in [
        f"/accounts/roles/{role.pk}/",
        "/accounts/roles/new/",
        f"/accounts/assignments/{subject.pk}/",
    ]:
        page.goto(url)
        axe_check(page)
    page.goto(f"/accounts/roles/{role.pk}/")
    page.get_by_label("管理用户账户（系统管理员）").check()
    page.get_by_label("管理角色与权限（安全管理员）").check()
    page.get_by_role("button", name="保存").click()
    assert "三员分立" in page.locator("main .alert-danger").inner_text()
    axe_check(page)


def test_sessions_table_is_clean_after_logout(page):
    user = UserFactory(roles=[RoleFactory()])
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    sign_in(page, user.username)
    page.wait_for_url("**/accounts/otp/**")
    page.get_by_role("button", name="取消并退出").click()
    page.wait_for_url("**/accounts/login/")
    assert not Session.objects.exists()
