"""Browser flow of the centre: an operator dispatches a ticket to a lead and an assisting
department; the lead signs for it and answers on its own pages; the revisit finds the
reporter unsatisfied and the ticket reopens. Every page is checked with axe."""

import pytest
from django.test import Client

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DispatchRule,
    Dispute,
    ExtensionRequest,
    TicketStatus,
)
from tongzheng.hotline.tests.factories_centre import centre_world, ticket
from tongzheng.testing.browser import axe_check

pytestmark = pytest.mark.browser


def signed_in(browser, live_server, user):
    client = Client()
    verified_login(client, user)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_dispatch_answer_revisit_unsatisfied_reopens(browser, live_server):
    world = centre_world("b")
    filed = ticket(world, content="人民路 12 号路灯连续一周不亮。", title="路灯不亮")
    operator_context = signed_in(browser, live_server, world.operator)
    handler_context = signed_in(browser, live_server, world.lead_handler)
    try:
        centre = operator_context.new_page()
        centre.goto("/workbench/hotline/tickets/?status=received")
        axe_check(centre)
        centre.get_by_role("link", name=filed.number).click()
        centre.wait_for_url(f"**/workbench/hotline/tickets/{filed.number}/")
        axe_check(centre)
        # The pickers search by name (htmx) instead of listing the whole division.
        centre.get_by_label("主办单位").fill("城市管理")
        centre.get_by_role("radio", name=world.lead_org.name).check()
        centre.get_by_label("协办单位").fill("交通")
        centre.get_by_role("checkbox", name=world.assist_org.name).check()
        centre.get_by_label("协办单位").fill("住房")
        centre.get_by_role("checkbox", name=world.third_org.name).wait_for()
        assert not centre.get_by_role("checkbox", name=world.third_org.name).is_checked()
        assert centre.get_by_role("checkbox", name=world.assist_org.name).is_checked()
        axe_check(centre)
        centre.get_by_label("派单意见").fill("请三个工作日内修复并答复。")
        centre.get_by_role("button", name="派单", exact=True).click()
        centre.wait_for_load_state()
        main = centre.locator("main").inner_text()
        assert "已派单" in main
        assert world.assist_org.name in main
        axe_check(centre)
        roles = dict(Assignment.objects.filter(ticket=filed).values_list("organisation_id", "role"))
        assert roles == {
            world.lead_org.pk: AssignmentRole.LEAD,
            world.assist_org.pk: AssignmentRole.ASSIST,
        }

        # The lead department reads the ticket, then works on its own assignment page.
        department = handler_context.new_page()
        department.goto(f"/workbench/hotline/tickets/{filed.number}/")
        axe_check(department)
        department.get_by_role("link", name="进入本单位的办理页面").click()
        department.wait_for_url("**/workbench/hotline/assignments/*/")
        axe_check(department)
        department.get_by_role("button", name="签收").click()
        department.wait_for_load_state()
        department.locator("form[action$='/reply/'] textarea").fill("已更换灯具，恢复照明。")
        department.locator("form[action$='/reply/'] button[type=submit]").click()
        department.wait_for_load_state()
        filed.refresh_from_db()
        assert filed.status == TicketStatus.ANSWERED

        centre.goto(f"/workbench/hotline/tickets/{filed.number}/")
        assert "已答复待回访" in centre.locator("main").inner_text()
        axe_check(centre)
        centre.get_by_label("满意度").select_option(label="不满意")
        centre.get_by_label("回访记录").fill("反映人称路灯仍时亮时灭。")
        centre.get_by_role("button", name="记录回访").click()
        centre.wait_for_load_state()
        main = centre.locator("main").inner_text()
        assert "办理中" in main
        assert "回访不满意" in main
        axe_check(centre)
        filed.refresh_from_db()
        assert filed.status == TicketStatus.HANDLING
        assert filed.reopen_count == 1
        assert filed.finished_at is None
    finally:
        operator_context.close()
        handler_context.close()


def test_the_decisions_and_suggestions_pass_axe(browser, live_server):
    world = centre_world("b2")
    DispatchRule.objects.create(subject=world.subject, organisation=world.lead_org)
    ticket(world, content="人民路 12 号路灯连续一周不亮。", address="人民路")
    fresh = ticket(world, content="人民路 12 号路灯连续一周不亮。", address="人民路")
    filed = ticket(world, content="锦江区某小区噪音扰民。")
    actions.dispatch_ticket(actor=world.operator, ticket=filed, lead=world.lead_org)
    lead = Assignment.objects.get(ticket=filed)
    lead.status = AssignmentStatus.DISPUTED
    lead.save()
    dispute = Dispute.objects.create(
        assignment=lead,
        reason="噪音执法属于生态环境部门职责。",
        suggested_organisation=world.third_org,
        raised_by=world.lead_handler,
    )
    ExtensionRequest.objects.create(
        ticket=filed,
        organisation=world.lead_org,
        working_days=5,
        reason="需夜间现场监测。",
        requested_by=world.lead_handler,
    )
    context = signed_in(browser, live_server, world.operator)
    try:
        page = context.new_page()
        page.goto(f"/workbench/hotline/tickets/{fresh.number}/")
        assert "派单规则建议" in page.locator("main").inner_text()
        axe_check(page)
        page.goto(f"/workbench/hotline/tickets/{filed.number}/")
        axe_check(page)
        form = page.locator(f"form[action$='/disputes/{dispute.pk}/decide/']")
        form.get_by_label("审核结果").select_option("approve")
        form.get_by_role("button", name="提交审核").click()
        page.wait_for_load_state()
        assert "派单异议已审核" in page.locator("main").inner_text()
        axe_check(page)
        filed.refresh_from_db()
        assert filed.organisation == world.third_org
        page.goto("/workbench/hotline/tickets/?clock=normal&q=路灯")
        assert fresh.number in page.locator("main").inner_text()
        axe_check(page)
    finally:
        context.close()
