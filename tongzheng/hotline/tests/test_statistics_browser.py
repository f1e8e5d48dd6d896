"""热线统计 and 信件公开 in the browser: the charts draw, the pages pass axe."""

import pytest
from django.utils import timezone

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, confirmed_totp_device
from tongzheng.core.access import DataScope
from tongzheng.hotline.models import Channel, TicketStatus, TicketType
from tongzheng.hotline.tests.factories import MailBoxFactory, TicketFactory
from tongzheng.testing.browser import axe_check
from tongzheng.tests_matrix.cast import build_cast, logged_in_client

pytestmark = pytest.mark.browser


def test_statistics_charts_and_public_letters(page, live_server):
    cast = build_cast()
    for i, content in enumerate(["夜间施工噪音扰民", "油烟扰民严重", "路灯损坏", "噪音扰民"]):
        TicketFactory(
            content=content,
            division=cast.city,
            type=[TicketType.COMPLAINT, TicketType.HELP][i % 2],
            organisation=cast.org_a if i % 2 else None,
        )
    role = RoleFactory(
        code="browser_hotline_statistics",
        permissions=["hotline.view_statistics"],
        scope=DataScope.DIVISION_AND_BELOW,
    )
    user = UserFactory(full_name="热线统计员", organisation=cast.org_admin, roles=[role])
    client = logged_in_client(user, confirmed_totp_device(user))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto("/workbench/hotline/statistics/")
    assert page.get_by_role("heading", level=1).inner_text() == "热线统计"
    assert page.locator("#tz-total").inner_text() == "4"
    for key in ("channel", "type", "subject", "division", "department", "hot_topics"):
        page.wait_for_selector(f"#tz-chart-{key} canvas")
    axe_check(page)

    page.get_by_label("开始日期").fill("2026-02-01")
    page.get_by_label("结束日期").fill("2026-01-01")
    page.get_by_role("button", name="统计", exact=True).click()
    assert page.get_by_text("开始日期不能晚于结束日期。").is_visible()
    axe_check(page)

    letter = TicketFactory(
        channel=Channel.MAILBOX,
        mailbox=MailBoxFactory(title="市长信箱", organisation=cast.org_a),
        status=TicketStatus.ANSWERED,
        reporter_name="王五",
        content="我是王五，夜间施工噪音扰民。",
        published_at=timezone.now(),
        published_title="关于夜间施工噪音的来信",
        published_content="夜间施工噪音扰民。",
        published_reply="已责令停止夜间施工。",
    )
    page.goto("/hotline/letters/")
    page.get_by_label("检索来信").fill("噪音")
    page.get_by_role("button", name="检索", exact=True).click()
    page.get_by_role("link", name=letter.published_title).click()
    assert page.get_by_role("heading", level=1).inner_text() == letter.published_title
    assert "王五" not in page.content()
    axe_check(page)
