"""Browser flow of 用编审批: a unit's clerk applies for a slot, the staffing office approves
and issues the notice, the office enters the recruit citing it — each page checked with axe."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing.models import EstablishmentType, Person, QuotaLedgerEntry
from tongzheng.staffing.tests.factories import (
    OFFICE_PERMISSIONS,
    UNIT_HR_PERMISSIONS,
    resident_id,
    staffing_user,
)
from tongzheng.testing.browser import axe_check

pytestmark = pytest.mark.browser


def signed_in_context(browser, live_server, user):
    client = Client()
    verified_login(client, user)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_clerk_applies_office_approves_unit_enters_a_recruit(browser, live_server):
    # A flush by an earlier transactional test removes the seeded types.
    kind, _ = EstablishmentType.objects.get_or_create(
        code="administrative", defaults={"name": "行政编制", "order": 10}
    )
    city = DivisionFactory(code="510100", name="成都市")
    unit = OrganisationFactory(name="成都市教育局", division=city)
    office_org = OrganisationFactory(name="中共成都市委机构编制委员会办公室", division=city)
    QuotaLedgerEntry.objects.create(
        organisation=unit,
        establishment_type=kind,
        date=datetime.date(2026, 1, 5),
        reason="三定",
        increase=2,
    )
    clerk = staffing_user(
        unit, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION, username="browser_unit_clerk"
    )
    officer = staffing_user(office_org, OFFICE_PERMISSIONS, username="browser_office")

    unit_context = signed_in_context(browser, live_server, clerk)
    office_context = signed_in_context(browser, live_server, officer)
    try:
        page = unit_context.new_page()
        page.goto(f"/workbench/staffing/applications/new/?unit={unit.pk}")
        axe_check(page)
        page.get_by_label("编制类型").select_option(label="行政编制")
        page.get_by_label("申请用编数").fill("1")
        page.get_by_label("用编事由").fill("补充教育督导人员")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/workbench/staffing/applications/*/")
        assert "待审核" in page.locator("main").inner_text()
        axe_check(page)
        application_url = page.url

        office = office_context.new_page()
        office.goto(application_url)
        assert "可用空编" in office.locator("main").inner_text()
        axe_check(office)
        office.get_by_role("button", name="核准并签发通知单").click()
        office.wait_for_url("**/workbench/staffing/notices/*/")
        number = f"成编控〔{timezone.localdate().year}〕1号"
        assert number in office.locator("main").inner_text()
        axe_check(office)

        office.goto(f"/workbench/staffing/units/{unit.pk}/enter/")
        office.get_by_label("入编方式").select_option(label="招录招聘")
        office.get_by_label("编制类型").select_option(label="行政编制")
        office.get_by_label("控编通知单（招录招聘必填）").select_option(index=1)
        office.get_by_label("姓名").fill("林新")
        office.get_by_label("性别").select_option(label="女")
        office.get_by_label("出生日期").fill("1998-01-01")
        office.get_by_label("身份证号码").fill(resident_id(3, birth="19980101", male=False))
        axe_check(office)
        office.locator("main form button[type=submit]").click()
        office.wait_for_url("**/workbench/staffing/personnel/*/")
        assert "林新 已入编" in office.locator("main").inner_text()
        axe_check(office)

        page.goto(f"/workbench/staffing/units/{unit.pk}/")
        assert "林新" in page.locator("main").inner_text()
        axe_check(page)
    finally:
        unit_context.close()
        office_context.close()
    assert Person.objects.get().movements.get().notice.number == number
