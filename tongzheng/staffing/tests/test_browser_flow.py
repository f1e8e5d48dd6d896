"""The whole issue-3 flow in one browser run: the unit's HR officer (built-in role
单位人事干部) applies for a slot, the staffing office approves it, the recruit is entered,
the division statistics count one more serving person, the unit submits its 实名制公示,
the office publishes it and the public portal lists the recruit — never their ID number."""

import datetime

import pytest
from django.utils import timezone

from tongzheng.accounts.models import Role
from tongzheng.accounts.roles import ensure_builtin_roles
from tongzheng.accounts.tests.factories import UserFactory
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.staffing.models import EstablishmentType, Person, QuotaLedgerEntry
from tongzheng.staffing.registrations import REVIEW_DISCLOSURE, VIEW_STATISTICS
from tongzheng.staffing.tests.factories import (
    OFFICE_PERMISSIONS,
    PersonFactory,
    resident_id,
    staffing_user,
)
from tongzheng.staffing.tests.test_browser_approval import signed_in_context
from tongzheng.testing.browser import axe_check

pytestmark = pytest.mark.browser


def occupied_on_statistics_page(page, type_name: str) -> int:
    """实有数 of ``type_name`` in the page's 按编制类型汇总 table."""
    summary = page.locator("main table").first
    row = summary.locator("tr", has=page.locator("th", has_text=type_name))
    return int(row.locator("td").nth(1).inner_text().strip())


def test_apply_approve_recruit_then_statistics_and_public_disclosure(browser, live_server):
    # A flush by an earlier transactional test removes the seeded types and roles.
    kind, _ = EstablishmentType.objects.get_or_create(
        code="administrative", defaults={"name": "行政编制", "order": 10}
    )
    ensure_builtin_roles()
    city = DivisionFactory(code="510100", name="成都市")
    unit = OrganisationFactory(name="成都市教育局", division=city)
    office_org = OrganisationFactory(name="中共成都市委机构编制委员会办公室", division=city)
    QuotaLedgerEntry.objects.create(
        organisation=unit,
        establishment_type=kind,
        date=datetime.date(2026, 1, 5),
        reason="三定",
        increase=3,
    )
    PersonFactory(organisation=unit, establishment_type=kind, name="王在编")
    clerk = UserFactory(
        username="flow_unit_hr", organisation=unit, roles=[Role.objects.get(code="unit_hr")]
    )
    officer = staffing_user(
        office_org,
        [*OFFICE_PERMISSIONS, VIEW_STATISTICS, REVIEW_DISCLOSURE],
        username="flow_office",
    )
    recruit_id = resident_id(7, birth="19990203", male=False)

    unit_context = signed_in_context(browser, live_server, clerk)
    office_context = signed_in_context(browser, live_server, officer)
    public_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    public_context.set_default_timeout(10_000)
    try:
        page = unit_context.new_page()
        page.goto(f"/workbench/staffing/applications/new/?unit={unit.pk}")
        page.get_by_label("编制类型").select_option(label="行政编制")
        page.get_by_label("申请用编数").fill("1")
        page.get_by_label("用编事由").fill("补充教育督导人员")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/workbench/staffing/applications/*/")
        application_url = page.url

        office = office_context.new_page()
        office.goto(application_url)
        office.get_by_role("button", name="核准并签发通知单").click()
        office.wait_for_url("**/workbench/staffing/notices/*/")
        number = f"成编控〔{timezone.localdate().year}〕1号"
        assert number in office.locator("main").inner_text()

        office.goto(f"/workbench/staffing/statistics/divisions/{city.code}/")
        before = occupied_on_statistics_page(office, "行政编制")
        assert before == 1  # 王在编

        office.goto(f"/workbench/staffing/units/{unit.pk}/enter/")
        office.get_by_label("入编方式").select_option(label="招录招聘")
        office.get_by_label("编制类型").select_option(label="行政编制")
        office.get_by_label("控编通知单（招录招聘必填）").select_option(index=1)
        office.get_by_label("姓名").fill("林新")
        office.get_by_label("性别").select_option(label="女")
        office.get_by_label("出生日期").fill("1999-02-03")
        office.get_by_label("身份证号码").fill(recruit_id)
        office.locator("main form button[type=submit]").click()
        office.wait_for_url("**/workbench/staffing/personnel/*/")
        assert "林新 已入编" in office.locator("main").inner_text()

        office.goto(f"/workbench/staffing/statistics/divisions/{city.code}/")
        assert occupied_on_statistics_page(office, "行政编制") == before + 1
        axe_check(office)

        page.goto("/workbench/staffing/disclosure/")
        page.get_by_label("提交公示的单位").select_option(label=unit.name)
        page.get_by_role("button", name="提交审核").click()
        page.wait_for_url("**/workbench/staffing/disclosure/*/")
        assert "已提交公示" in page.locator("main").inner_text()
        disclosure_url = page.url

        office.goto(disclosure_url)
        office.get_by_role("button", name="审核通过并发布").click()
        office.wait_for_url("**/workbench/staffing/disclosure/*/")

        public = public_context.new_page()
        public.goto(f"/gongshi/{unit.pk}/")
        assert public.get_by_role("cell", name="林新", exact=True).is_visible()
        assert public.get_by_role("cell", name="王在编", exact=True).is_visible()
        html = public.content()
        assert recruit_id not in html and recruit_id[:-1] not in html
        axe_check(public)
    finally:
        unit_context.close()
        office_context.close()
        public_context.close()
    assert Person.objects.get(name="林新").movements.get().notice.number == number
