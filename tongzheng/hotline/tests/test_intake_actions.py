"""create_ticket and append_information: clock, tokens, channels, accounts, attachments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core.calendar import add_working_days
from tongzheng.core.tests.factories import DivisionFactory
from tongzheng.hotline.actions.intake import append_information, create_ticket
from tongzheng.hotline.models import Attachment, Channel, Ticket, TicketUpdate, Urgency
from tongzheng.hotline.tests.factories import MailBoxFactory, SubjectFactory, TicketFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"x" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def data(**overrides):
    values = {
        "channel": "web",
        "type": "complaint",
        "title": "夜间施工噪音",
        "content": "工地每晚十一点后仍在施工，噪音扰民。",
        "address": "人民路 1 号",
        "reporter_name": "李四",
        "reporter_phone": "13800138000",
    }
    values.update(overrides)
    return values


def operator():
    return UserFactory(roles=[RoleFactory(permissions=["hotline.take_call"])])


def test_the_clock_starts_at_intake_with_the_limit_for_type_and_urgency():
    ticket, _code = create_ticket(data=data())
    ticket.refresh_from_db()
    assert ticket.started_at is not None
    assert ticket.limit_working_days == 13
    assert ticket.due_at.date() == add_working_days(ticket.started_at, 13)
    enquiry, _code = create_ticket(data=data(type="enquiry"))
    assert enquiry.limit_working_days == 3
    urgent, _code = create_ticket(data=data(type="enquiry", urgency=Urgency.EMERGENCY))
    assert urgent.limit_working_days == 0
    assert urgent.urgency == Urgency.EMERGENCY


def test_limits_come_from_settings(settings):
    settings.HOTLINE_LIMITS = {"complaint": 7}
    ticket, _code = create_ticket(data=data())
    assert ticket.limit_working_days == 7


def test_title_subject_and_search_tokens_are_stored():
    subject = SubjectFactory(name="城市管理")
    ticket, _code = create_ticket(data=data(subject=subject))
    ticket.refresh_from_db()
    assert ticket.subject == subject
    assert ticket.title == "夜间施工噪音"
    tokens = ticket.search_tokens.split()
    assert "噪音" in tokens
    assert "施工" in tokens
    assert "人民" in tokens


def test_an_anonymous_ticket_keeps_no_name_or_phone():
    ticket, _code = create_ticket(data=data(anonymous=True))
    ticket.refresh_from_db()
    assert ticket.reporter_name == ""
    assert Ticket.reporter_phone.unseal(ticket) == ""


def test_a_signed_in_citizen_becomes_the_account():
    citizen = CitizenFactory()
    ticket, _code = create_ticket(actor=citizen, data=data())
    assert ticket.account == citizen
    assert ticket.operator is None
    event = AuditEvent.objects.get(action="hotline.ticket_created")
    assert event.actor_id == citizen.pk


def test_staff_filing_on_the_web_is_not_the_account():
    staff = UserFactory()
    ticket, _code = create_ticket(actor=staff, data=data())
    assert ticket.account is None


def test_phone_intake_records_operator_and_recording():
    user = operator()
    ticket, _code = create_ticket(
        actor=user, data=data(channel="phone", recording_ref="REC-2026-0001")
    )
    assert ticket.operator == user
    assert ticket.recording_ref == "REC-2026-0001"
    assert ticket.channel == Channel.PHONE


def test_phone_intake_needs_take_call():
    with pytest.raises(PermissionDenied):
        create_ticket(actor=UserFactory(), data=data(channel="phone"))
    with pytest.raises(PermissionDenied):
        create_ticket(data=data(channel="phone"))
    assert not Ticket.objects.exists()


def test_recording_reference_is_ignored_outside_phone_intake():
    ticket, _code = create_ticket(data=data(recording_ref="REC-1"))
    assert ticket.recording_ref == ""


def test_a_letter_goes_to_its_mailbox_and_takes_its_division():
    mailbox = MailBoxFactory()
    ticket, _code = create_ticket(data=data(channel="mailbox", mailbox=mailbox))
    assert ticket.mailbox == mailbox
    assert ticket.division == mailbox.division
    assert ticket.division_path == mailbox.division.path


def test_a_letter_to_an_inactive_mailbox_or_a_report_is_refused():
    with pytest.raises(ValidationError):
        create_ticket(data=data(channel="mailbox", mailbox=MailBoxFactory(active=False)))
    with pytest.raises(ValidationError):
        create_ticket(data=data(channel="mailbox", mailbox=MailBoxFactory(), type="report"))
    assert not Ticket.objects.exists()


def test_division_given_wins_over_the_mailbox():
    division = DivisionFactory()
    ticket, _code = create_ticket(
        data=data(channel="mailbox", mailbox=MailBoxFactory(), division=division)
    )
    assert ticket.division == division


@pytest.mark.parametrize("matter", ["litigation", "personal", "repeat", "disclosure", "enquiry"])
def test_12310_matters_outside_the_scope_are_refused(matter):
    with pytest.raises(ValidationError) as error:
        create_ticket(data=data(channel="12310", type="report", category="other", matter=matter))
    assert error.value.code == "not_accepted"
    assert "12310 不受理" in error.value.messages[0]
    assert not Ticket.objects.exists()
    assert not AuditEvent.objects.exists()


def test_attachments_are_checked_and_stored():
    files = [
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
        SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
    ]
    ticket, _code = create_ticket(data=data(attachments=files))
    stored = list(ticket.attachments.order_by("pk"))
    assert [a.name for a in stored] == ["现场.png", "证明.pdf"]
    assert stored[0].content_type == "image/png"
    assert stored[0].size == len(PNG)
    assert stored[0].file.read() == PNG
    # The stored name is random, not the reporter's file name.
    assert "现场" not in stored[0].file.name


def test_a_bad_attachment_writes_nothing(tmp_path):
    files = [
        SimpleUploadedFile("ok.png", PNG),
        SimpleUploadedFile("fake.pdf", b"<script>alert(1)</script>"),
    ]
    with pytest.raises(ValidationError):
        create_ticket(data=data(attachments=files))
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_more_than_three_attachments_are_refused():
    files = [SimpleUploadedFile(f"{n}.png", PNG) for n in range(4)]
    with pytest.raises(ValidationError) as error:
        create_ticket(data=data(attachments=files))
    assert error.value.code == "count"


def test_open311_style_call_without_optional_keys_still_works():
    ticket, code = create_ticket(
        data={
            "channel": "web",
            "type": "help",
            "content": "路面塌陷。",
            "address": "",
            "latitude": None,
            "longitude": None,
            "reporter_name": "",
            "reporter_phone": "",
            "anonymous": True,
            "confidential": False,
            "division": None,
        }
    )
    assert ticket.check_code(code)
    assert ticket.started_at is not None


def test_append_with_attachment():
    ticket = TicketFactory()
    update = append_information(
        ticket=ticket,
        content="补充现场照片。",
        attachments=[SimpleUploadedFile("补充.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16)],
    )
    assert update.attachments.get().name == "补充.jpg"
    assert update.attachments.get().ticket == ticket
    assert AuditEvent.objects.filter(action="hotline.information_added").count() == 1


def test_append_refuses_empty_content_and_bad_files():
    ticket = TicketFactory()
    with pytest.raises(ValidationError):
        append_information(ticket=ticket, content="  ")
    with pytest.raises(ValidationError):
        append_information(
            ticket=ticket, content="x", attachments=[SimpleUploadedFile("a.png", b"GIF89a")]
        )
    assert not TicketUpdate.objects.exists()


def test_ticket_factory_starts_the_clock():
    ticket = TicketFactory(type="complaint")
    assert ticket.started_at is not None
    assert ticket.limit_working_days == 13
    assert TicketFactory(started=None).started_at is None
    assert Ticket.reporter_phone.unseal(TicketFactory(phone="13900139000")) == "13900139000"
