"""附件下载: staff download a ticket's files within their scope; the reporter downloads the
files of the track page with number + 提取码 (POST, rate-limited, generic 404)."""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory, verified_login
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory
from tongzheng.hotline.actions import handling, intake
from tongzheng.hotline.models import AssignmentRole, AssignmentStatus, Attachment
from tongzheng.hotline.tests.factories_handling import (
    CODE,
    dispatched_ticket,
    handler_user,
    operator_user,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 40
PDF = b"%PDF-1.4\n" + b"2" * 40


@pytest.fixture(autouse=True)
def _fresh_counters_and_media(settings, tmp_path):
    cache.clear()  # the lookup failures are counted in the cache
    settings.MEDIA_ROOT = tmp_path
    yield
    cache.clear()


@pytest.fixture
def world():
    city = DivisionFactory(code="510100", name="成都市")
    centre = OrganisationFactory(name="成都市12345热线中心", division=city)
    lead = OrganisationFactory(name="成都市城市管理委员会", division=city)
    other = OrganisationFactory(name="成都市教育局", division=city)
    operator = operator_user(centre)
    ticket = dispatched_ticket(lead, dispatcher=operator, confidential=True)
    assignment = ticket.assignments.get(role=AssignmentRole.LEAD)
    assignment.status = AssignmentStatus.ACCEPTED
    assignment.save(update_fields=["status"])
    lead_user = handler_user(lead)
    # An intake file the centre keeps from the track page (not public) and a reply file.
    stored = Attachment(ticket=ticket, name="现场.png", content_type="image/png", size=len(PNG))
    stored.public = False
    stored.file.save("现场.png", ContentFile(PNG), save=True)
    handling.reply(
        actor=lead_user,
        assignment=assignment,
        content="路灯已修复。",
        attachments=[SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")],
    )
    return {
        "ticket": ticket,
        "operator": operator,
        "lead_user": lead_user,
        "other_user": handler_user(other),
        "intake_file": Attachment.objects.get(name="现场.png"),
        "reply_file": Attachment.objects.get(name="答复函.pdf"),
    }


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def staff_get(client, attachment):
    return client.get(reverse("hotline:attachment", args=[attachment.pk]))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def citizen_post(client, ticket, attachment, code=CODE):
    return client.post(
        reverse("hotline:track_attachment"),
        {"number": ticket.number, "code": code, "attachment": attachment.pk},
    )


def assert_download(response, content: bytes, content_type: str, name: str):
    assert response.status_code == 200
    assert body(response) == content
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(name)}" in disposition  # the Chinese name, encoded


def test_centre_downloads_both_files(world):
    client = client_for(world["operator"])
    intake_file, reply_file = world["intake_file"], world["reply_file"]
    assert_download(staff_get(client, intake_file), PNG, intake_file.content_type, "现场.png")
    assert_download(staff_get(client, reply_file), PDF, "application/pdf", "答复函.pdf")


def test_lead_department_downloads_the_files_of_its_confidential_ticket(world):
    client = client_for(world["lead_user"])
    assert_download(staff_get(client, world["intake_file"]), PNG, "image/png", "现场.png")
    assert_download(staff_get(client, world["reply_file"]), PDF, "application/pdf", "答复函.pdf")


def test_department_page_links_the_files(world):
    assignment = world["ticket"].assignments.get(role=AssignmentRole.LEAD)
    page = client_for(world["lead_user"]).get(
        reverse("hotline:assignment_detail", args=[assignment.pk])
    )
    assert reverse("hotline:attachment", args=[world["intake_file"].pk]) in page.content.decode()


def test_another_department_gets_404(world):
    client = client_for(world["other_user"])
    assert staff_get(client, world["intake_file"]).status_code == 404
    assert staff_get(client, world["reply_file"]).status_code == 404


def test_anonymous_staff_url_redirects_to_sign_in(world):
    response = staff_get(Client(), world["reply_file"])
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_file_missing_on_disk_is_404(world):
    attachment = world["reply_file"]
    attachment.file.storage.delete(attachment.file.name)
    assert staff_get(client_for(world["operator"]), attachment).status_code == 404


def test_citizen_downloads_a_public_file_from_the_track_page(world):
    client = Client()
    track = client.post(reverse("hotline:track"), {"number": world["ticket"].number, "code": CODE})
    page = track.content.decode()
    assert f'name="attachment" value="{world["reply_file"].pk}"' in page
    assert f'name="attachment" value="{world["intake_file"].pk}"' not in page
    response = citizen_post(client, world["ticket"], world["reply_file"])
    assert_download(response, PDF, "application/pdf", "答复函.pdf")


def test_citizen_gets_404_for_a_file_the_track_page_does_not_show(world):
    response = citizen_post(Client(), world["ticket"], world["intake_file"])
    assert response.status_code == 404
    assert str(intake.NOT_FOUND_MESSAGE) in response.content.decode()
    assert PNG not in response.content


def test_citizen_with_a_wrong_code_gets_the_generic_404(world):
    response = citizen_post(Client(), world["ticket"], world["reply_file"], code="WRONG23456")
    assert response.status_code == 404
    assert str(intake.NOT_FOUND_MESSAGE) in response.content.decode()
    assert PDF not in response.content


def test_wrong_codes_count_against_the_track_rate_limit(world, settings):
    settings.HOTLINE_RATE_LOOKUP_FAILURES = (2, 900)
    client = Client()
    for _ in range(2):
        response = citizen_post(client, world["ticket"], world["reply_file"], code="WRONG23456")
        assert response.status_code == 404
    assert citizen_post(client, world["ticket"], world["reply_file"]).status_code == 429
    track = client.post(reverse("hotline:track"), {"number": world["ticket"].number, "code": CODE})
    assert track.status_code == 429


def test_citizen_post_without_an_attachment_id_is_400(world):
    response = Client().post(
        reverse("hotline:track_attachment"), {"number": world["ticket"].number, "code": CODE}
    )
    assert response.status_code == 400


def mine_get(client, ticket, attachment):
    return client.get(reverse("hotline:mine_attachment", args=[ticket.number, attachment.pk]))


@pytest.fixture
def filer(world):
    """The citizen account the ticket was filed from (我的诉求)."""
    citizen = CitizenFactory()
    world["ticket"].account = citizen
    world["ticket"].save(update_fields=["account"])
    client = Client()
    client.force_login(citizen)
    return client


def test_filing_account_downloads_a_public_file_without_the_code(world, filer):
    response = mine_get(filer, world["ticket"], world["reply_file"])
    assert_download(response, PDF, "application/pdf", "答复函.pdf")


def test_filing_account_page_links_its_files(world, filer):
    page = filer.get(reverse("hotline:mine_ticket", args=[world["ticket"].number]))
    html = page.content.decode()
    assert (
        reverse("hotline:mine_attachment", args=[world["ticket"].number, world["reply_file"].pk])
        in html
    )
    assert f"/attachments/{world['intake_file'].pk}/" not in html


def test_filing_account_gets_404_for_a_file_its_page_does_not_show(world, filer):
    assert mine_get(filer, world["ticket"], world["intake_file"]).status_code == 404


def test_another_citizen_gets_404(world, filer):
    client = Client()
    client.force_login(CitizenFactory())
    assert mine_get(client, world["ticket"], world["reply_file"]).status_code == 404


def test_a_file_of_another_ticket_is_404_through_the_own_ticket(world, filer):
    other = dispatched_ticket(OrganisationFactory(), dispatcher=world["operator"])
    stranger = Attachment(
        ticket=other, name="他人.pdf", content_type="application/pdf", size=len(PDF)
    )
    stranger.file.save("他人.pdf", ContentFile(PDF), save=True)
    assert mine_get(filer, world["ticket"], stranger).status_code == 404


def test_staff_are_refused_the_citizen_download(world):
    response = mine_get(client_for(world["operator"]), world["ticket"], world["reply_file"])
    assert response.status_code == 403
