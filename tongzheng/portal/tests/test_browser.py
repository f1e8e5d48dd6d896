"""Browser checks of the public portal: accessible (axe, WCAG 2.1 AA) in both languages."""

import pytest

from tongzheng.testing.browser import axe_check

pytestmark = pytest.mark.browser


def test_portal_home_passes_axe_and_switches_to_english(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", level=1).inner_text() == "政务服务门户"
    assert page.locator("main").count() == 1
    axe_check(page)

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert page.get_by_role("heading", level=1).inner_text() == "Government Services Portal"
    assert page.get_by_text("Coming soon").first.is_visible()
    axe_check(page)

    # The choice sticks (language cookie) on the next page.
    page.get_by_role("link", name="About the platform").click()
    page.wait_for_selector("h1:text('About the platform')")
    axe_check(page)


def test_skip_link_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
