"""Organisation pages in the browser: every page and the form's error state pass axe."""

import pytest

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, confirmed_totp_device
from tongzheng.core.access import DataScope
from tongzheng.testing.browser import axe_check
from tongzheng.tests_matrix.cast import build_cast, logged_in_client

pytestmark = pytest.mark.browser


def test_organisation_pages_are_accessible(page, live_server, settings):
    cast = build_cast()
    role = RoleFactory(
        code="browser_manager",
        permissions=["core.view_organisation", "core.manage_organisation"],
        scope=DataScope.DIVISION_AND_BELOW,
    )
    user = UserFactory(full_name="机构管理员", organisation=cast.org_admin, roles=[role])
    client = logged_in_client(user, confirmed_totp_device(user))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"/workbench/organisations/?division={cast.city.code}")
    assert page.get_by_role("heading", level=1).inner_text() == "机构"
    axe_check(page)

    page.get_by_role("link", name=cast.org_a.name, exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == cast.org_a.name
    assert page.get_by_role("link", name=cast.org_a_child.name).is_visible()
    axe_check(page)

    page.get_by_role("link", name="新建下级机构").click()
    page.wait_for_load_state()
    axe_check(page)
    page.locator("#id_name").fill("测试科")
    page.locator("#id_category").select_option(label="政府")
    page.locator("#id_rank").select_option(label="正科级")
    page.locator("#id_subordination").select_option(label="市、地区")
    page.locator("#id_uscc").fill("123")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.get_by_text("统一社会信用代码应为18位").first.is_visible()
    axe_check(page)
