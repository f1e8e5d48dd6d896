"""Browser walk of the workbench: login with password + TOTP, navigation, axe on every page."""

import pytest
from django.test import Client

from tongzheng.accounts.tests.factories import PASSWORD, RoleFactory, UserFactory
from tongzheng.core.registry import platform
from tongzheng.testing.browser import axe_check, totp_token
from tongzheng.testing.clients import login_verified

pytestmark = pytest.mark.browser


def test_anonymous_workbench_visit_lands_on_login(page):
    page.goto("/workbench/")
    assert page.url.split("?")[0].endswith("/accounts/login/")
    assert "next=%2Fworkbench%2F" in page.url or "next=/workbench/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "登录"
    axe_check(page)


@pytest.fixture
def staff_with_device():
    """A staff user holding every registered permission, so the walk reaches every page.

    Test-only: the factory writes the role directly; a real role is bound by 三员分立.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    role = RoleFactory(name="全部权限（测试）", permissions=sorted(platform.permissions))
    user = UserFactory(full_name="王五", roles=[role])
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user, device


def test_staff_logs_in_with_totp_and_walks_the_workbench(page, staff_with_device):
    user, device = staff_with_device

    page.goto("/workbench/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    page.wait_for_url("**/accounts/otp/**")
    axe_check(page)
    page.locator("input[name=token]").fill(totp_token(device))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url("**/workbench/")
    assert page.get_by_role("heading", level=1).inner_text() == "您好，王五"
    assert page.get_by_role("heading", name="待办").is_visible()
    axe_check(page)

    nav_links = page.locator("#tz-navbar-menu .navbar-nav").first.get_by_role("link")
    labels = nav_links.all_inner_texts()
    assert labels[0] == "工作台"
    assert len(labels) > 1, "the walk should reach the registered module pages"
    for label in labels[1:]:
        page.locator("#tz-navbar-menu").get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        current = page.locator("#tz-navbar-menu [aria-current=page]")
        assert current.inner_text() == label, f"{label} is not highlighted on {page.url}"
        assert page.locator("main").count() == 1
        assert page.get_by_role("heading", level=1).count() == 1, page.url
        axe_check(page)

    # Switch to English from the user menu: the same page comes back in English.
    before = page.url
    page.locator("#tz-user-menu").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert page.url == before
    assert page.locator("#tz-navbar-menu [aria-current=page]").count() == 1
    # Every module's entry in the longer English labels, and still no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)

    # Sign out from the user menu.
    page.locator("#tz-user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def signed_in_context_cookie(user, live_server) -> dict:
    """Open a verified session through Django's test client and hand its cookie over."""
    client = Client()
    login_verified(client, user)
    session = client.cookies["sessionid"]
    return {"name": "sessionid", "value": session.value, "url": live_server.url}


def test_mobile_navbar_is_collapsed_until_toggled(mobile_page, live_server):
    user = UserFactory(full_name="赵六")
    mobile_page.context.add_cookies([signed_in_context_cookie(user, live_server)])

    mobile_page.goto("/workbench/")
    toggler = mobile_page.locator(".navbar-toggler")
    menu = mobile_page.locator("#tz-navbar-menu")
    assert toggler.is_visible()
    assert not menu.is_visible()
    assert toggler.get_attribute("aria-expanded") == "false"
    axe_check(mobile_page)

    toggler.click()
    mobile_page.wait_for_selector("#tz-navbar-menu.show")
    assert menu.get_by_role("link", name="工作台").is_visible()
    assert toggler.get_attribute("aria-expanded") == "true"
    # No horizontal scrolling at phone width.
    assert mobile_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
