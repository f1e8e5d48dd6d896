"""Browser flow of 热线配置: add a subject, a dispatch rule and a mailbox, issue an Open311
key (shown once) and file a request with it, then revoke it. Every page is checked with axe."""

import re

import pytest
from django.test import Client

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, verified_login
from tongzheng.core.models import DivisionLevel
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.models import DispatchRule, MailBox, Open311Client, Subject, Ticket
from tongzheng.testing.browser import axe_check

pytestmark = pytest.mark.browser


def test_configure_the_hotline_and_use_a_key(browser, live_server):
    province = DivisionFactory(code="510000", name="四川省", level=DivisionLevel.PROVINCE)
    city = DivisionFactory(code="510100", name="成都市", parent=province)
    bureau = OrganisationFactory(name="成都市城市管理委员会", division=city)
    role = RoleFactory(code="hotline_admin_browser", permissions=["hotline.manage_hotline"])
    manager = UserFactory(organisation=bureau, roles=[role])
    client = Client()
    verified_login(client, manager)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        page = context.new_page()
        page.goto("/workbench/hotline/admin/")
        axe_check(page)

        page.get_by_role("link", name="诉求分类", exact=True).first.click()
        page.wait_for_url("**/admin/subjects/")
        axe_check(page)
        page.get_by_label("分类代码").fill("PARK")
        page.get_by_label("分类名称").fill("停车管理")
        page.get_by_role("button", name="新增").click()
        page.wait_for_load_state()
        assert "停车管理" in page.locator("main").inner_text()
        subject = Subject.objects.get(code="PARK")

        page.goto("/workbench/hotline/admin/rules/")
        axe_check(page)
        page.get_by_label("诉求分类").select_option(label="停车管理")
        page.get_by_label("行政区划代码").fill("510100")
        page.get_by_label("承办单位").fill(bureau.name)
        page.get_by_role("button", name="新增").click()
        page.wait_for_load_state()
        axe_check(page)
        assert DispatchRule.objects.get().subject == subject

        page.goto("/workbench/hotline/admin/mailboxes/")
        axe_check(page)
        page.get_by_label("信箱标识").fill("mayor")
        page.get_by_label("信箱名称").fill("市长信箱")
        page.get_by_label("所属机关").fill(bureau.name)
        page.get_by_label("行政区划代码").fill("510100")
        page.get_by_role("button", name="新增").click()
        page.wait_for_load_state()
        axe_check(page)
        assert MailBox.objects.get().slug == "mayor"

        page.goto("/workbench/hotline/admin/open311/")
        axe_check(page)
        page.get_by_label("客户端名称").fill("随手拍")
        page.get_by_role("button", name="签发").click()
        page.wait_for_load_state()
        axe_check(page)
        key = page.locator("#tz-open311-key").inner_text().strip()
        assert len(key) == 40

        filed = page.request.post(
            "/open311/v2/requests.json",
            form={"api_key": key, "service_code": "PARK", "address_string": "人民南路"},
        )
        assert filed.status == 200
        assert Ticket.objects.get().subject == subject

        page.goto("/workbench/hotline/admin/open311/")
        assert key not in page.content()
        page.get_by_role("button", name=re.compile("吊销.*随手拍")).click()
        page.wait_for_load_state()
        axe_check(page)
        assert Open311Client.objects.get().revoked_at is not None
        refused = page.request.post(
            "/open311/v2/requests.json",
            form={"api_key": key, "service_code": "PARK", "address_string": "人民南路"},
        )
        assert refused.status == 403
    finally:
        context.close()
