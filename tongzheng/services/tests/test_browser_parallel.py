"""Browser flow of 并联审批: the window accepts, two departments give their opinions on the
same stage at once, the window decides — every page checked with axe."""

import pytest
from django.test import Client

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.services.models import Application
from tongzheng.services.tests.factories import handler, published_item, submitted_application
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


def test_two_departments_approve_a_parallel_stage(browser, live_server):
    item = published_item(refusal_ends_stage=True)
    application, _code = submitted_application(item)
    first, second = item.current_version.stages.get().tasks.order_by("pk")
    window = signed_in_context(
        browser, live_server, handler(item.organisation, username="browser_window")
    )
    housing = signed_in_context(
        browser, live_server, handler(first.organisation, username="browser_housing")
    )
    ecology = signed_in_context(
        browser, live_server, handler(second.organisation, username="browser_ecology")
    )
    url = f"/workbench/services/applications/{application.number}/"
    try:
        page = window.new_page()
        page.goto("/workbench/services/")
        assert application.number in page.locator("main").inner_text()
        axe_check(page)
        page.goto(url)
        axe_check(page)
        page.get_by_role("button", name="受理", exact=True).click()
        page.wait_for_load_state()
        assert "审查中" in page.locator("#tz-application-status").inner_text()

        # Both departments have the case open at the same time.
        housing_page = housing.new_page()
        ecology_page = ecology.new_page()
        housing_page.goto(url)
        ecology_page.goto(url)
        axe_check(housing_page)
        for department_page, opinion in ((housing_page, "符合规划"), (ecology_page, "环评已批")):
            form = department_page.locator("#tz-department-opinions form")
            form.get_by_label("同意", exact=True).check()
            form.get_by_label("意见或理由（不同意时必填）").fill(opinion)
            form.get_by_role("button", name="提交意见").click()
            department_page.wait_for_load_state()
        assert "审查中" in housing_page.locator("#tz-application-status").inner_text()
        assert "待决定" in ecology_page.locator("#tz-application-status").inner_text()
        axe_check(ecology_page)

        page.goto(url)
        decision = page.locator("form", has=page.get_by_role("button", name="作出决定"))
        decision.get_by_label("同意", exact=True).check()
        decision.get_by_role("button", name="作出决定").click()
        page.wait_for_load_state()
        assert "准予许可" in page.locator("#tz-application-status").inner_text()
        axe_check(page)
    finally:
        window.close()
        housing.close()
        ecology.close()
    application = Application.objects.get(pk=application.pk)
    assert application.status == "approved"
    assert sorted(application.tasks.filter(kind="review").values_list("outcome", flat=True)) == [
        "approved",
        "approved",
    ]
