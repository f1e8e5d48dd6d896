"""Browser: a department's handler signs in (password + TOTP), opens 承办工单, accepts and
replies to a confidential ticket; axe on every page, and the reporter is never on screen."""

import pytest

from tongzheng.accounts.roles import ensure_builtin_roles
from tongzheng.accounts.tests.factories import PASSWORD
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.models import TicketStatus
from tongzheng.hotline.tests.factories_handling import (
    REPORTER_NAME,
    REPORTER_PHONE_MASKED,
    dispatched_ticket,
    handler_user,
    operator_user,
)
from tongzheng.testing.browser import axe_check, totp_token

pytestmark = pytest.mark.browser


def test_department_signs_in_accepts_and_replies(page, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ensure_builtin_roles()  # a flush by an earlier transactional test removes them
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    department = OrganisationFactory(name="成都市城市管理委员会", division=city)
    ticket = dispatched_ticket(
        department, dispatcher=operator_user(centre), confidential=True, title="路灯不亮"
    )
    handler = handler_user(department, username="browser_handler")
    device = TOTPDevice.objects.get(user=handler)

    page.goto("/workbench/hotline/assignments/")
    page.locator("input[name=username]").fill(handler.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/otp/**")
    page.locator("input[name=token]").fill(totp_token(device))
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url("**/workbench/hotline/assignments/")
    assert page.get_by_role("heading", level=1).inner_text() == "承办工单"
    assert page.get_by_text("正常", exact=True).is_visible()
    axe_check(page)

    page.get_by_role("link", name=ticket.number).click()
    page.wait_for_url("**/workbench/hotline/assignments/*/")
    assert "反映人要求保密" in page.get_by_test_id("reporter").inner_text()
    axe_check(page)

    page.get_by_role("button", name="签收", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").first.inner_text() == "已签收。"
    assert page.get_by_test_id("ticket-status").inner_text() == "办理中"
    axe_check(page)

    page.get_by_label("答复内容").fill("经核查，路灯线路老化，已于今日更换，恢复照明。")
    page.get_by_role("button", name="答复", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("ticket-status").inner_text() == "已答复待回访"
    assert page.get_by_text("经核查，路灯线路老化").first.is_visible()
    text = page.locator("main").inner_text()
    assert REPORTER_NAME not in text and REPORTER_PHONE_MASKED not in text
    axe_check(page)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    assert ticket.finished_at is not None
