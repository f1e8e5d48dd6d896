"""Browser: the lead department's handler opens a non-confidential ticket, sees the phone
masked, states a reason and sees the full number once; axe on each page."""

import pytest

from tongzheng.accounts.roles import ensure_builtin_roles
from tongzheng.accounts.tests.factories import PASSWORD
from tongzheng.audit.models import AuditEvent, Outcome
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.tests.factories_handling import (
    REPORTER_PHONE,
    REPORTER_PHONE_MASKED,
    dispatched_ticket,
    handler_user,
    operator_user,
)
from tongzheng.testing.browser import axe_check, totp_token

pytestmark = pytest.mark.browser


def test_lead_department_reveals_the_phone_with_a_reason(page, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ensure_builtin_roles()  # a flush by an earlier transactional test removes them
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    department = OrganisationFactory(name="成都市城市管理委员会", division=city)
    ticket = dispatched_ticket(department, dispatcher=operator_user(centre), title="路灯不亮")
    handler = handler_user(department, username="browser_revealer")
    device = TOTPDevice.objects.get(user=handler)

    page.goto("/workbench/hotline/assignments/")
    page.locator("input[name=username]").fill(handler.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/otp/**")
    page.locator("input[name=token]").fill(totp_token(device))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/workbench/hotline/assignments/")

    page.get_by_role("link", name=ticket.number).click()
    page.wait_for_url("**/workbench/hotline/assignments/*/")
    reporter = page.get_by_test_id("reporter")
    assert REPORTER_PHONE_MASKED in reporter.inner_text()
    assert REPORTER_PHONE not in page.locator("main").inner_text()
    axe_check(page)

    reporter.get_by_text("查看完整号码", exact=True).first.click()  # opens the <details>
    page.get_by_label("查看理由").fill("电话联系反映人核实路灯位置")
    page.get_by_role("button", name="查看完整号码", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_test_id("revealed-phone").inner_text() == REPORTER_PHONE
    axe_check(page)

    event = AuditEvent.objects.get(action="personal_data.revealed", outcome=Outcome.SUCCESS)
    assert event.detail["reason"] == "电话联系反映人核实路灯位置"
