"""Browser: a citizen finds the guide, applies (draft, upload, check, submit, receipt), looks
up the status by number + code without login, and rates after completion; the staff's
steps are the actions called directly. axe on every page visited."""

import pytest
from django.core.cache import cache
from django.test import Client

from tongzheng.services import actions
from tongzheng.services.models import Application, ApplicationStatus
from tongzheng.services.tests.factories import applicant, handler
from tongzheng.services.tests.test_public_pages import PDF, apply_online, online_item, run_to_close
from tongzheng.testing.browser import axe_check

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_citizen_applies_tracks_and_rates(page, live_server, tmp_path):
    online_item()
    citizen = applicant()
    sign_in(page, live_server, citizen)

    page.goto("/services/")
    axe_check(page)
    page.get_by_label("关键词").fill("规划许可")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="建设工程规划许可").click()
    axe_check(page)
    page.get_by_test_id("apply-online").click()
    axe_check(page)
    page.get_by_role("button", name="开始申请").click()

    page.get_by_role("link", name="申请人信息").click()
    axe_check(page)
    page.get_by_label("联系人").fill("张三")
    page.get_by_label("联系电话").fill("1234")  # wrong: the form says so in Chinese
    page.get_by_label("通讯地址").fill("成都市锦江区红星路一段1号")
    page.get_by_role("button", name="保存并继续").click()
    assert page.get_by_text("请填写正确的手机号码或固定电话。").is_visible()
    axe_check(page)
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_role("button", name="保存并继续").click()
    assert page.get_by_role("heading", name="申请内容").is_visible()  # the next question
    axe_check(page)
    page.get_by_label("申请内容").fill("新建厂房一栋。")
    page.get_by_role("button", name="保存并继续").click()
    axe_check(page)  # the task list, both parts done

    # The draft is kept between visits.
    page.goto("/services/mine/")
    axe_check(page)
    page.get_by_role("link", name=Application.objects.get(applicant=citizen).number).click()
    page.get_by_role("link", name="上传申请材料").click()
    axe_check(page)
    upload = tmp_path / "申请表.pdf"
    upload.write_bytes(PDF)
    page.get_by_label("建设工程规划许可申请表（必要）").set_input_files(str(upload))
    page.get_by_role("button", name="保存并继续").click()
    page.get_by_role("link", name="核对并提交").click()
    axe_check(page)
    assert page.get_by_text("申请表.pdf").is_visible()
    page.get_by_role("button", name="确认提交").click()

    assert page.get_by_role("heading", name="申请已提交").is_visible()
    axe_check(page)
    number = page.get_by_test_id("application-number").inner_text()
    code = page.get_by_test_id("query-code").inner_text()
    application = Application.objects.get(number=number)
    assert application.status == ApplicationStatus.SUBMITTED

    # Anyone with number + code sees the progress, without login.
    anonymous = page.context.browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        lookup = anonymous.new_page()
        lookup.goto("/services/status/")
        axe_check(lookup)
        lookup.get_by_label("申请编号").fill(number)
        lookup.get_by_label("查询码").fill("WRONG234")
        lookup.get_by_role("button", name="查询").click()
        assert lookup.get_by_text("没有找到该办件。").is_visible()
        axe_check(lookup)
        lookup.get_by_label("查询码").fill(code)
        lookup.get_by_role("button", name="查询").click()
        assert lookup.get_by_test_id("status").inner_text() == "待受理"
        axe_check(lookup)

        run_to_close(application)  # the staff's steps, as actions
        lookup.goto("/services/status/")
        lookup.get_by_label("申请编号").fill(number)
        lookup.get_by_label("查询码").fill(code)
        lookup.get_by_role("button", name="查询").click()
        assert lookup.get_by_test_id("status").inner_text() == "已办结"
    finally:
        anonymous.close()

    page.goto(f"/services/applications/{number}/")
    axe_check(page)
    page.get_by_label("非常满意").check()
    for select in page.locator("main select").all():
        select.select_option("5")
    page.get_by_label("评价意见").fill("网上办理很方便。")
    page.get_by_role("button", name="提交评价").click()
    assert page.get_by_test_id("rating-level").inner_text().startswith("您的评价：5 星")
    axe_check(page)

    page.goto("/services/powers/")
    axe_check(page)
    page.goto("/services/status/")
    axe_check(page)


def test_citizen_supplements_then_rates_badly_and_rerates(page, live_server, tmp_path):
    from tongzheng.supervision.actions import answer_rectification
    from tongzheng.supervision.public import ratings_for
    from tongzheng.supervision.tests.factories import department_user

    item = online_item()
    citizen = applicant()
    client = Client()
    client.force_login(citizen)
    application, _receipt = apply_online(client, item)
    wanted = item.current_version.materials.get(name="建设工程设计方案")
    actions.request_supplement(
        actor=handler(item.organisation),
        application=application,
        materials=[wanted],
        other_items="法定代表人身份证明",
    )
    sign_in(page, live_server, citizen)
    page.goto(f"/services/applications/{application.number}/")
    assert page.get_by_test_id("status").inner_text() == "待补正"
    axe_check(page)
    page.get_by_role("link", name="提交补正材料").click()
    axe_check(page)
    page.get_by_role("button", name="提交补正").click()
    assert page.get_by_text("请上传需补正的材料：建设工程设计方案。").is_visible()
    axe_check(page)
    upload = tmp_path / "方案.pdf"
    upload.write_bytes(PDF)
    page.get_by_label("建设工程设计方案").set_input_files(str(upload))
    page.get_by_role("button", name="提交补正").click()
    assert page.get_by_test_id("status").inner_text() == "待受理"

    run_to_close(application)
    page.reload()
    page.get_by_label("非常不满意").check()
    for select in page.locator("main select").all():
        select.select_option("1")
    page.get_by_role("button", name="提交评价").click()
    assert page.get_by_text("受理部门正在整改").is_visible()
    axe_check(page)
    (bad,) = ratings_for(application)
    answer_rectification(
        actor=department_user(item.organisation), pk=bad.rectification.pk, answer="已整改"
    )
    page.reload()
    axe_check(page)
    page.get_by_label("满意", exact=True).check()
    for select in page.locator("main select").all():
        select.select_option("4")
    page.get_by_role("button", name="提交复评").click()
    assert page.get_by_test_id("rating-level").inner_text().startswith("您的评价：4 星")
    assert [r.level for r in ratings_for(application)] == [1, 4]
