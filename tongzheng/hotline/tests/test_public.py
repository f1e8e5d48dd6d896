import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzheng.audit.models import AuditEvent
from tongzheng.hotline.models import Channel, Ticket, TicketUpdate, UpdateKind
from tongzheng.hotline.tests.factories import DEFAULT_CODE, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters_and_media(settings, tmp_path):
    cache.clear()  # rate-limit counters live in the cache
    settings.MEDIA_ROOT = tmp_path


NOT_FOUND = "工单编号或提取码不正确。"


def receipt_code(response) -> str:
    """The 提取码 as the receipt shows it (the page comes from portal.frame: no context)."""
    return re.search(r'data-testid="extraction-code">([^<]+)<', response.content.decode())[1]


def intake_data(**overrides):
    data = {
        "channel": "web",
        "type": "complaint",
        "content": "小区噪音扰民。",
        "address": "人民路 1 号",
        "reporter_name": "李四",
        "reporter_phone": "13800138000",
    }
    data.update(overrides)
    return data


def test_intake_creates_one_ticket_and_one_audit_event(client):
    response = client.post(reverse("hotline:new"), intake_data())
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert AuditEvent.objects.filter(action="hotline.ticket_created").count() == 1
    assert ticket.number.startswith("12345-")
    code = receipt_code(response)
    assert len(code) >= 8
    assert code not in ticket.code_hash
    assert ticket.check_code(code)
    assert ticket.number in response.content.decode()
    assert code in response.content.decode()
    # The phone is sealed: the attribute is masked, the plain value only through unseal.
    assert ticket.reporter_phone != "13800138000"
    assert Ticket.reporter_phone.unseal(ticket) == "13800138000"


def test_12310_intake_gets_a_12310_number(client):
    response = client.post(
        reverse("hotline:new"),
        intake_data(
            channel="12310",
            type="complaint",
            matter="violation",
            category="interference",
            anonymous="on",
        ),
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.number.startswith("12310-")
    assert ticket.channel == Channel.R12310
    assert ticket.anonymous and ticket.reporter_name == ""
    assert ticket.type == "report"  # a 12310 report is always 举报
    assert ticket.category == "interference"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content": "   "}, "请填写内容"),
        ({"type": "spam"}, "选择一个有效的选项"),
        (
            {"channel": "12310", "type": "report", "matter": "violation", "category": ""},
            "12310 举报必须选择举报类别。",
        ),
        ({"channel": "12310", "type": "report", "category": "other"}, "请说明所反映事项的性质"),
        ({"reporter_name": ""}, "实名反映请填写姓名"),
        ({"reporter_phone": "12345"}, "请填写正确的手机号码"),
        ({"latitude": "30.1"}, "经度和纬度须同时填写"),
        ({"division": "999999"}, "没有这个行政区划代码"),
    ],
)
def test_bad_input_gives_400_and_writes_nothing(client, overrides, message):
    response = client.post(reverse("hotline:new"), intake_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="hotline.").exists()


def test_html_in_content_is_shown_escaped(client):
    ticket = TicketFactory(content="<script>alert(1)</script>")
    response = client.post(
        reverse("hotline:track"), {"number": ticket.number, "code": DEFAULT_CODE}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_tracking_with_the_right_pair_shows_status_and_public_replies(client):
    ticket = TicketFactory()
    TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.REPLY, content="已转交城管局。")
    TicketUpdate.objects.create(
        ticket=ticket, kind=UpdateKind.REPLY, content="内部意见", public=False
    )
    response = client.post(
        reverse("hotline:track"), {"number": ticket.number, "code": DEFAULT_CODE.lower()}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "待派单" in body
    assert "已转交城管局。" in body
    assert "内部意见" not in body


def test_wrong_code_and_unknown_number_give_the_same_404(client):
    ticket = TicketFactory()
    wrong = client.post(reverse("hotline:track"), {"number": ticket.number, "code": "WRONGCODE9"})
    unknown = client.post(
        reverse("hotline:track"), {"number": "12345-20990101-000001", "code": DEFAULT_CODE}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert NOT_FOUND in wrong.content.decode()
    assert NOT_FOUND in unknown.content.decode()
    assert ticket.content not in wrong.content.decode()


def test_append_adds_an_update_and_an_audit_event(client):
    ticket = TicketFactory()
    response = client.post(
        reverse("hotline:append"),
        {"number": ticket.number, "code": DEFAULT_CODE, "content": "补充：晚上十点后更严重。"},
    )
    assert response.status_code == 200
    update = TicketUpdate.objects.get(ticket=ticket)
    assert update.kind == UpdateKind.ADDITION
    assert update.content == "补充：晚上十点后更严重。"
    assert AuditEvent.objects.filter(action="hotline.information_added").count() == 1


def test_append_with_a_wrong_code_writes_nothing(client):
    ticket = TicketFactory()
    response = client.post(
        reverse("hotline:append"),
        {"number": ticket.number, "code": "WRONGCODE9", "content": "补充"},
    )
    assert response.status_code == 404
    assert not TicketUpdate.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="hotline.").exists()


def test_the_code_is_never_in_a_url(client):
    response = client.post(reverse("hotline:new"), intake_data())
    assert response.status_code == 200  # rendered, not redirected
    assert receipt_code(response) not in response.get("Location", "")


@pytest.mark.parametrize(
    ("matter", "where"),
    [
        ("litigation", "人民法院、仲裁机构或行政复议机关"),
        ("personal", "组织人事、人力资源社会保障部门"),
        ("repeat", "追加信息"),
        ("disclosure", "依申请公开"),
        ("enquiry", "12345"),
    ],
)
def test_12310_matters_not_accepted_are_refused_with_where_to_go(client, matter, where):
    response = client.post(
        reverse("hotline:new"),
        intake_data(channel="12310", type="report", category="other", matter=matter),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "12310 不受理" in body
    assert where in body
    assert not Ticket.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_form_lists_the_accepted_categories_and_the_not_accepted_list(client):
    body = client.get(reverse("hotline:new")).content.decode()
    assert "上级部门干预下级机构编制" in body
    assert "个人安置、待遇问题" in body


def test_web_intake_stores_title_subject_division_clock_and_tokens(client):
    from tongzheng.core.tests.factories import DivisionFactory
    from tongzheng.hotline.tests.factories import SubjectFactory

    subject = SubjectFactory(name="城市管理")
    division = DivisionFactory(code="510104")
    response = client.post(
        reverse("hotline:new"),
        intake_data(
            title="夜间噪音",
            subject=subject.pk,
            division="510104",
            latitude="30.657",
            longitude="104.066",
            confidential="on",
        ),
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.subject, ticket.division) == ("夜间噪音", subject, division)
    assert ticket.division_path == division.path
    assert ticket.confidential
    assert ticket.started_at is not None and ticket.due_at is not None
    assert "噪音" in ticket.search_tokens.split()
    assert response["Cache-Control"] == "no-store"


def test_intake_with_attachments(client):
    files = [
        SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png"),
        SimpleUploadedFile("b.pdf", b"%PDF-1.4\n" + b"0" * 20, content_type="application/pdf"),
    ]
    response = client.post(reverse("hotline:new"), {**intake_data(), "attachments": files})
    assert response.status_code == 200
    assert sorted(Ticket.objects.get().attachments.values_list("name", flat=True)) == [
        "a.png",
        "b.pdf",
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("fake.jpg", b"MZ not a picture")], "内容与扩展名不符"),
        ([("run.exe", b"MZ")], "只接受 JPG、PNG、PDF"),
        ([(f"{n}.pdf", b"%PDF-1.4 x") for n in range(4)], "最多上传 3 个附件"),
    ],
)
def test_bad_attachments_give_400_and_write_nothing(client, tmp_path, files, message):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = client.post(reverse("hotline:new"), {**intake_data(), "attachments": uploads})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_oversize_attachment_is_refused(client, monkeypatch):
    from tongzheng.hotline.actions import intake

    monkeypatch.setattr(intake, "ATTACHMENT_MAX_BYTES", 100)
    monkeypatch.setattr("tongzheng.hotline.forms.ATTACHMENT_MAX_BYTES", 100)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 200)
    response = client.post(reverse("hotline:new"), {**intake_data(), "attachments": [big]})
    assert response.status_code == 400
    assert "大小限制" in response.content.decode()
    assert not Ticket.objects.exists()


def test_append_with_an_attachment_shows_it_on_the_ticket(client):
    ticket = TicketFactory()
    response = client.post(
        reverse("hotline:append"),
        {
            "number": ticket.number,
            "code": DEFAULT_CODE,
            "content": "补充照片。",
            "attachments": [SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)],
        },
    )
    assert response.status_code == 200
    update = TicketUpdate.objects.get(ticket=ticket)
    assert update.attachments.get().name == "现场.jpg"
    assert "现场.jpg" in response.content.decode()


def test_append_with_a_bad_attachment_writes_nothing(client):
    ticket = TicketFactory()
    response = client.post(
        reverse("hotline:append"),
        {
            "number": ticket.number,
            "code": DEFAULT_CODE,
            "content": "补充",
            "attachments": [SimpleUploadedFile("x.pdf", b"<html>")],
        },
    )
    assert response.status_code == 400
    assert "内容与扩展名不符" in response.content.decode()
    assert not TicketUpdate.objects.exists()


def test_a_signed_in_citizen_files_under_the_account(client):
    from tongzheng.accounts.tests.factories import CitizenFactory

    citizen = CitizenFactory()
    client.force_login(citizen)
    response = client.post(reverse("hotline:new"), intake_data())
    assert response.status_code == 200
    assert Ticket.objects.get().account == citizen


def test_a_signed_in_citizen_sees_the_name_filled_in_and_12310_can_be_preselected(client):
    from tongzheng.accounts.tests.factories import CitizenFactory

    client.force_login(CitizenFactory(full_name="赵六"))
    form = client.get(reverse("hotline:new"), {"line": "12310"}).context["form"]
    assert form.initial == {"reporter_name": "赵六", "channel": "12310"}
