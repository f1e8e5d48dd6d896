"""查询工单 read in one query (``queries_public``): what it shows and what it never shows."""

import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from tongzheng.accounts.tests.factories import CitizenFactory
from tongzheng.hotline import queries, track_page
from tongzheng.hotline.forms import TrackForm
from tongzheng.hotline.models import Attachment, TicketUpdate, UpdateKind
from tongzheng.hotline.queries_public import public_ticket
from tongzheng.hotline.tests.factories import DEFAULT_CODE, TicketFactory
from tongzheng.hotline.views import public
from tongzheng.portal import frame

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters_and_media(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path
    yield
    cache.clear()


def attach(ticket, name, *, update=None, public=True):
    attachment = Attachment(
        ticket=ticket, update=update, name=name, content_type="application/pdf", size=2048
    )
    attachment.public = public
    attachment.file.save(name, ContentFile(b"%PDF-1.4\n"), save=True)
    return attachment


@pytest.fixture
def ticket():
    ticket = TicketFactory(
        title="路灯",
        reporter_name="保密的张三",
        confidential=True,
        phone="13800138000",
    )
    reply = TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.REPLY, content="已修复。")
    note = TicketUpdate.objects.create(
        ticket=ticket, kind=UpdateKind.NOTE, content="内部记录", public=False
    )
    attach(ticket, "公开现场.pdf")
    attach(ticket, "内部照片.pdf", public=False)
    attach(ticket, "答复函.pdf", update=reply)
    attach(ticket, "内部附件.pdf", update=note)
    # Another ticket's public update and file never join this one's page.
    other = TicketFactory()
    TicketUpdate.objects.create(ticket=other, kind=UpdateKind.REPLY, content="别人的答复")
    attach(other, "别人的附件.pdf")
    return ticket


def test_the_record_holds_only_what_the_reporter_sees(ticket):
    shown = public_ticket(ticket.number)
    assert (shown.pk, shown.number, shown.title) == (ticket.pk, ticket.number, "路灯")
    assert shown.get_status_display() == "待派单"
    assert [update.content for update in shown.updates] == ["已修复。"]
    assert [file.name for file in shown.updates[0].files] == ["答复函.pdf"]
    assert [(file.name, file.size) for file in shown.files] == [("公开现场.pdf", 2048)]
    assert not hasattr(shown, "reporter_name")
    assert public_ticket("12345-20990101-000001") is None


def test_public_history_reads_the_same(ticket):
    updates, own = queries.public_history(ticket)
    assert [update.get_kind_display() for update in updates] == ["答复"]
    assert [file.name for file in updates[0].files] == ["答复函.pdf"]
    assert [file.name for file in own] == ["公开现场.pdf"]


def test_track_page_is_one_query_and_hides_the_rest(client, ticket, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.post(
            reverse("hotline:track"), {"number": ticket.number, "code": DEFAULT_CODE}
        )
    assert response.status_code == 200
    body = response.content.decode()
    for shown in ("已修复。", "答复函.pdf", "公开现场.pdf", "路灯", ticket.content):
        assert shown in body
    for hidden in ("内部记录", "内部照片.pdf", "内部附件.pdf", "别人的", "保密的张三", "138"):
        assert hidden not in body
    # The time as the template shows a datetime: local time, the language's format.
    created = formats.date_format(timezone.localtime(ticket.created_at), "DATETIME_FORMAT")
    assert created in body


def test_a_wrong_code_reads_nothing_of_the_page(client, ticket):
    response = client.post(reverse("hotline:track"), {"number": ticket.number, "code": "WRONG1234"})
    assert response.status_code == 404
    assert "已修复。" not in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("appended", [False, True])
def test_the_python_content_is_the_templates_markup(ticket, language, appended):
    TicketUpdate.objects.create(ticket=ticket, kind=UpdateKind.ADDITION, content="<b>补充</b>")
    with translation.override(language):
        shown = public_ticket(ticket.number)
        context = {
            "ticket": shown,
            "updates": shown.updates,
            "attachments": shown.files,
            "appended": appended,
            "code": DEFAULT_CODE,
            "csrf_token": "tok&en",
            "append_fields": mark_safe("<input name=number>"),  # noqa: S308 - a test's own markup
        }
        body = track_page.content(
            shown,
            code=DEFAULT_CODE,
            csrf_token="tok&en",
            append_fields=context["append_fields"],
            appended=appended,
        )
        reference = render_to_string("hotline/tracked.html", context)
        fast = render_to_string("hotline/tracked.html", {**context, "body": mark_safe(body)})  # noqa: S308
    assert fast == reference
    assert "&lt;b&gt;补充&lt;/b&gt;" in fast and "tok&amp;en" in fast


def test_no_history_and_no_title(client):
    ticket = TicketFactory()
    response = client.post(
        reverse("hotline:track"), {"number": ticket.number, "code": DEFAULT_CODE}
    )
    assert "暂无答复。" in response.content.decode()
    assert "<dt>标题</dt>" not in response.content.decode()


@given(number=st.text(max_size=40), code=st.text(max_size=40))
def test_the_plain_pair_is_what_the_form_cleans(number, code):
    data = QueryDict(mutable=True)
    data.update({"number": number, "code": code})
    pair = public._plain_pair(data)
    if pair is not None:
        form = TrackForm(data)
        assert form.is_valid(), form.errors
        assert pair == (form.cleaned_data["number"], form.cleaned_data["code"])


@pytest.mark.parametrize(
    ("number", "code"), [("", "ABC"), ("12345", " "), ("1" * 33, "ABC"), ("12\x0045", "ABC")]
)
def test_the_form_judges_anything_else(client, number, code):
    assert public._plain_pair(QueryDict(f"number={number}&code={code}")) is None
    response = client.post(reverse("hotline:track"), {"number": number, "code": code})
    assert response.status_code == 400


def test_the_track_page_is_spliced_into_the_portal_frame(client, ticket):
    # A shell that reads something per request is not kept (portal.frame): this page's is.
    frame._frames.clear()
    response = client.post(
        reverse("hotline:track"), {"number": ticket.number, "code": DEFAULT_CODE}
    )
    assert response.status_code == 200
    kept = [shell for key, shell in frame._frames.items() if key[0] == "hotline/tracked.html"]
    assert kept and kept[0] is not None


def _masked(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html)


def _reference_page(request, number: str) -> str:
    shown = public_ticket(number)
    context = {
        "ticket": shown,
        "updates": shown.updates,
        "attachments": shown.files,
        "appended": False,
        "code": DEFAULT_CODE,
        "append_fields": public._empty_append_fields(number, DEFAULT_CODE),
    }
    return render_to_string("hotline/tracked.html", context, request=request)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_framed_page_is_the_templates_page_with_one_token(client, ticket, language):
    # Title and content are written in Python into the portal frame with the shell's token.
    frame._frames.clear()
    response = client.post(
        reverse("hotline:track"),
        {"number": ticket.number, "code": DEFAULT_CODE},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    html = response.content.decode()
    assert len(set(re.findall(r"[A-Za-z0-9]{64}", html))) == 1
    with translation.override(language):
        reference = _reference_page(response.wsgi_request, ticket.number)
    assert _masked(html) == _masked(reference)


def test_a_signed_in_reporter_gets_the_templates_page(client, ticket):
    # No frame for a signed-in visitor (their name is in the header): the template shows
    # the content written in Python, as ``body``.
    client.force_login(CitizenFactory())
    response = client.post(
        reverse("hotline:track"), {"number": ticket.number, "code": DEFAULT_CODE}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已修复。" in html and "内部记录" not in html
    assert _masked(html) == _masked(_reference_page(response.wsgi_request, ticket.number))
