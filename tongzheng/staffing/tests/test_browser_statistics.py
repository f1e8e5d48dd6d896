"""Statistics, dashboard and public disclosure in the browser: charts draw, pages pass axe."""

import pytest

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory, confirmed_totp_device
from tongzheng.core.access import DataScope
from tongzheng.staffing import disclosure
from tongzheng.staffing.registrations import (
    REVIEW_DISCLOSURE,
    SUBMIT_DISCLOSURE,
    VIEW_STATISTICS,
    VIEW_SUPERVISION,
)
from tongzheng.staffing.tests.factories import PersonFactory, QuotaLedgerEntryFactory
from tongzheng.testing.browser import axe_check
from tongzheng.tests_matrix.cast import build_cast, logged_in_client

pytestmark = pytest.mark.browser


def test_statistics_dashboard_and_disclosure_pages(page, live_server):
    cast = build_cast()
    QuotaLedgerEntryFactory(organisation=cast.org_a, increase=3)
    for n in range(4):
        PersonFactory(organisation=cast.org_a, id_number=f"b{n}", name=f"李{n}")
    role = RoleFactory(
        code="browser_statistics",
        permissions=[VIEW_STATISTICS, VIEW_SUPERVISION, SUBMIT_DISCLOSURE, REVIEW_DISCLOSURE],
        scope=DataScope.DIVISION_AND_BELOW,
    )
    user = UserFactory(full_name="编办统计员", organisation=cast.org_admin, roles=[role])
    client = logged_in_client(user, confirmed_totp_device(user))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto("/workbench/staffing/statistics/")
    assert "成都市" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("link", name=cast.org_a.name).is_visible()
    axe_check(page)

    page.get_by_role("link", name="图表看板").click()
    page.wait_for_selector("#tz-chart-types canvas")
    page.wait_for_selector("#tz-chart-rows canvas")
    axe_check(page)

    page.goto("/workbench/staffing/statistics/supervision/")
    assert page.get_by_role("cell", name=cast.org_a.name).is_visible()  # 3 approved, 4 serving
    axe_check(page)

    publication = disclosure.submit(actor=user, organisation=cast.org_a)
    disclosure.publish(actor=user, publication_id=publication.pk)
    page.goto(f"/gongshi/{cast.org_a.pk}/")
    assert page.get_by_role("cell", name="李0").is_visible()
    assert page.get_by_text("举报电话：12310", exact=True).is_visible()
    axe_check(page)
