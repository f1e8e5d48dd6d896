"""A citizen files a complaint with a photo, gets number and 提取码, follows it and adds
information (追加) with another file; axe on every page."""

import pytest
from django.core.cache import cache

from tongzheng.hotline.models import Ticket, TicketUpdate
from tongzheng.testing.browser import axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


def test_citizen_files_with_an_attachment_tracks_and_adds_information(page, tmp_path):
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    letter = tmp_path / "补充材料.pdf"
    letter.write_bytes(PDF)

    page.goto("/hotline/new/")
    assert page.locator("main").count() == 1
    axe_check(page)
    page.get_by_label("类型").select_option("complaint")
    page.get_by_label("标题").fill("夜间施工噪音")
    page.get_by_label("内容").fill("人民路工地每晚十一点以后仍在施工，噪音扰民。")
    page.get_by_label("地点").fill("人民路 1 号")
    page.get_by_label("附件").set_input_files(str(photo))
    page.get_by_label("姓名").fill("李四")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交", exact=True).click()

    page.wait_for_selector("h1:text('提交成功')")
    axe_check(page)
    number = page.get_by_test_id("ticket-number").inner_text()
    code = page.get_by_test_id("extraction-code").inner_text()
    ticket = Ticket.objects.get(number=number)
    assert ticket.attachments.get().name == "现场照片.png"
    assert ticket.started_at is not None
    assert code not in page.url

    page.get_by_role("link", name="查询工单").click()
    page.wait_for_selector("h1:text('查询工单')")
    axe_check(page)
    page.get_by_label("工单编号").fill(number)
    page.get_by_label("提取码").fill(code.lower())
    page.get_by_role("button", name="查询").click()

    page.wait_for_selector("h1:text('工单办理情况')")
    axe_check(page)
    assert page.get_by_test_id("ticket-status").inner_text() == "待派单"
    assert page.get_by_text("现场照片.png").is_visible()
    page.get_by_label("追加信息").fill("补充：周末白天也在施工。")
    page.get_by_label("追加附件").set_input_files(str(letter))
    page.get_by_role("button", name="提交追加信息").click()

    page.wait_for_selector("text=追加信息已提交。")
    axe_check(page)
    assert page.get_by_text("补充：周末白天也在施工。").is_visible()
    update = TicketUpdate.objects.get(ticket=ticket)
    assert update.attachments.get().name == "补充材料.pdf"
    assert code not in page.url


def test_mailbox_pages_pass_axe(page):
    from tongzheng.hotline.tests.factories import MailBoxFactory

    box = MailBoxFactory(title="市长信箱")
    page.goto("/hotline/mailbox/")
    axe_check(page)
    page.get_by_role("link", name="市长信箱").click()
    page.wait_for_selector("h1:text('给市长信箱写信')")
    axe_check(page)
    assert box.slug in page.url
