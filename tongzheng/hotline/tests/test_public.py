import pytest
from django.urls import reverse

from tongzheng.audit.models import AuditEvent
from tongzheng.hotline.models import Channel, Ticket, TicketUpdate, UpdateKind
from tongzheng.hotline.tests.factories import DEFAULT_CODE, TicketFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = "工单编号或提取码不正确。"


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
    code = response.context["code"]
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
        intake_data(channel="12310", type="report", category="interference", anonymous="on"),
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.number.startswith("12310-")
    assert ticket.channel == Channel.R12310
    assert ticket.anonymous and ticket.reporter_name == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content": "   "}, "请填写内容"),
        ({"type": "spam"}, "选择一个有效的选项"),
        ({"channel": "12310", "type": "report", "category": ""}, "12310 举报必须选择举报类别。"),
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
    assert response.context["code"] not in response.get("Location", "")
