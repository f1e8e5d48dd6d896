"""In the browser: a city supervisor sees a red card, drills down, urges; the trend draws;
the department answers the bad rating; the public ratings page. Every page passes axe."""

import pytest
from django.utils import timezone

from tongzheng.accounts.tests.factories import confirmed_totp_device
from tongzheng.supervision import public, snapshots
from tongzheng.supervision.models import Urge
from tongzheng.supervision.tests.factories import (
    city_tree,
    department_user,
    errand,
    red_errand,
    supervisor,
)
from tongzheng.testing.browser import axe_check
from tongzheng.tests_matrix.cast import logged_in_client

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user):
    client = logged_in_client(user, confirmed_totp_device(user))
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_supervisor_sees_the_red_card_drills_down_and_urges(page, live_server):
    tree = city_tree()
    red_errand(tree.dept_a, title="锦江区超期事项")
    red_errand(tree.dept_b, title="青羊区超期事项")
    errand(tree.dept_b, limit=20, title="青羊区正常事项")
    red_errand(tree.other_dept, title="自贡超期事项")
    rating = public.record_rating(
        subject=errand(tree.dept_a, title="办证"),
        organisation=tree.dept_a,
        level=2,
        indicators={"attitude": 2},
        comment="等太久",
        rater=None,
    )
    snapshots.backfill(timezone.localdate() - timezone.timedelta(days=29), timezone.localdate())
    boss = supervisor(tree.city_bureau, full_name="效能办监察员")
    sign_in(page, live_server, boss)

    page.goto("/workbench/supervision/")
    red_card = page.locator(".tz-card-red")
    assert red_card.is_visible()
    assert red_card.locator("[data-count=red]").inner_text() == "2"
    assert page.get_by_role("link", name="锦江区超期事项").is_visible()
    assert page.get_by_text("自贡超期事项").count() == 0
    page.wait_for_selector("#tz-trend canvas")
    axe_check(page)

    page.get_by_role("link", name="青羊区", exact=True).click()
    page.wait_for_url("**division=510105")
    assert page.locator(".tz-card-red [data-count=red]").inner_text() == "1"
    assert page.get_by_role("link", name="青羊区超期事项").is_visible()
    assert page.get_by_text("锦江区超期事项").count() == 0
    axe_check(page)

    page.get_by_role("link", name=tree.dept_b.name).click()
    page.wait_for_url("**department=*")
    row = page.locator("tr.tz-task-red", has_text="青羊区超期事项")
    row.get_by_label("方式").select_option("supervise")
    row.get_by_role("button", name="发送").click()
    page.wait_for_selector("text=已督办")
    assert Urge.objects.get().organisation == tree.dept_b
    axe_check(page)

    page.goto("/workbench/supervision/warnings/")
    axe_check(page)
    page.goto("/workbench/supervision/performance/")
    axe_check(page)

    rectifier = department_user(tree.dept_a)
    sign_in(page, live_server, rectifier)
    page.goto(f"/workbench/supervision/rectifications/{rating.rectification.pk}/")
    axe_check(page)
    page.get_by_label("整改情况").fill("已调整窗口人员，缩短等候时间")
    page.get_by_role("button", name="提交整改情况").click()
    page.wait_for_selector("text=已整改待复评")

    page.context.clear_cookies()
    page.goto("/supervision/ratings/")
    assert page.get_by_role("rowheader", name=tree.dept_a.name).is_visible()
    axe_check(page)
