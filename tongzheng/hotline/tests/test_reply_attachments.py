"""答复附件: the lead department's reply carries up to three files, checked as at intake,
linked to the reply's update and shown to the reporter on the track page."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.actions import intake
from tongzheng.hotline.models import (
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    TicketStatus,
    TicketUpdate,
)
from tongzheng.hotline.tests.factories_handling import (
    CODE,
    dispatched_ticket,
    handler_user,
    operator_user,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20
PDF = b"%PDF-1.4\n" + b"0" * 20


@pytest.fixture(autouse=True)
def _fresh_counters_and_media(settings, tmp_path):
    cache.clear()  # the track page's rate-limit counters live in the cache
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    other = OrganisationFactory(name="成都市教育局", division=city)
    operator = operator_user(centre)
    ticket = dispatched_ticket(lead, dispatcher=operator)
    assignment = ticket.assignments.get(role=AssignmentRole.LEAD)
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.save(update_fields=["status"])
    return {
        "ticket": ticket,
        "assignment": assignment,
        "lead_user": handler_user(lead),
        "other_user": handler_user(other),
    }


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def files_on_disk(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def post_reply(client, assignment, files):
    return client.post(
        reverse("hotline:assignment_reply", args=[assignment.pk]),
        {"reply-content": "路灯已修复，附现场照片和答复函。", "reply-attachments": files},
    )


def test_reply_page_form_is_multipart(world):
    page = client_for(world["lead_user"]).get(
        reverse("hotline:assignment_detail", args=[world["assignment"].pk])
    )
    body = page.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'name="reply-attachments"' in body


def test_reply_with_a_png_and_a_pdf_is_stored_and_shown_to_the_reporter(world, tmp_path):
    files = [
        SimpleUploadedFile("路灯.png", PNG, content_type="image/png"),
        SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf"),
    ]
    response = post_reply(client_for(world["lead_user"]), world["assignment"], files)
    assert response.status_code == 302
    ticket = world["ticket"]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    update = ticket.updates.get(kind="reply")
    stored = list(update.attachments.order_by("name"))
    assert [(a.name, a.content_type, a.ticket_id) for a in stored] == [
        ("答复函.pdf", "application/pdf", ticket.pk),
        ("路灯.png", "image/png", ticket.pk),
    ]
    assert all(attachment.file.read() in (PNG, PDF) for attachment in stored)
    assert len(files_on_disk(tmp_path)) == 2
    event = AuditEvent.objects.get(action="hotline.ticket_answered")
    assert event.detail["attachments"] == 2

    track = Client().post(reverse("hotline:track"), {"number": ticket.number, "code": CODE})
    body = track.content.decode()
    assert track.status_code == 200
    assert "路灯.png" in body and "答复函.pdf" in body
    wrong = Client().post(reverse("hotline:track"), {"number": ticket.number, "code": "WRONG2345"})
    assert "路灯.png" not in wrong.content.decode()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("fake.png", b"MZ not a picture")], "内容与扩展名不符"),
        ([("run.exe", b"MZ")], "只接受 JPG、PNG、PDF"),
        ([(f"{n}.pdf", PDF) for n in range(4)], "最多上传 3 个附件"),
    ],
)
def test_bad_files_refuse_the_whole_reply(world, tmp_path, files, message):
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    response = post_reply(client_for(world["lead_user"]), world["assignment"], uploads)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_written(world, tmp_path)


def test_oversize_file_refuses_the_whole_reply(world, tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "ATTACHMENT_MAX_BYTES", 100)
    monkeypatch.setattr("tongzheng.hotline.forms.ATTACHMENT_MAX_BYTES", 100)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 200)
    response = post_reply(client_for(world["lead_user"]), world["assignment"], [big])
    assert response.status_code == 400
    assert "大小限制" in response.content.decode()
    assert_nothing_written(world, tmp_path)


def assert_nothing_written(world, tmp_path):
    assert not TicketUpdate.objects.filter(kind="reply").exists()
    assert not Attachment.objects.exists()
    assert files_on_disk(tmp_path) == []
    world["ticket"].refresh_from_db()
    assert world["ticket"].status == TicketStatus.DISPATCHED
    world["assignment"].refresh_from_db()
    assert world["assignment"].status == AssignmentStatus.ACCEPTED


def test_the_action_checks_the_files_itself(world, tmp_path):
    uploads = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(4)]
    with pytest.raises(ValidationError, match="最多上传 3 个附件"):
        actions.reply(
            actor=world["lead_user"],
            assignment=world["assignment"],
            content="已修复。",
            attachments=uploads,
        )
    assert_nothing_written(world, tmp_path)


def test_a_failure_after_the_files_are_saved_leaves_no_file_behind(world, tmp_path, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(actions, "_audit", broken_audit)
    uploads = [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.pdf", PDF)]
    with pytest.raises(RuntimeError):
        actions.reply(
            actor=world["lead_user"],
            assignment=world["assignment"],
            content="已修复。",
            attachments=uploads,
        )
    assert_nothing_written(world, tmp_path)


def test_another_department_cannot_reply_with_files(world, tmp_path):
    uploads = [SimpleUploadedFile("a.png", PNG)]
    response = post_reply(client_for(world["other_user"]), world["assignment"], uploads)
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        actions.reply(
            actor=world["other_user"],
            assignment=world["assignment"],
            content="不是我们的。",
            attachments=[SimpleUploadedFile("a.png", PNG)],
        )
    assert_nothing_written(world, tmp_path)


def test_reply_without_files_still_works(world):
    response = post_reply(client_for(world["lead_user"]), world["assignment"], [])
    assert response.status_code == 302
    assert not Attachment.objects.exists()
