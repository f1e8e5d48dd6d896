"""The intake receipt's blocks written in Python (``receipt_page``) against the template."""

import re

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tongzheng.hotline import receipt_page
from tongzheng.hotline.models import Channel, Ticket, TicketType
from tongzheng.hotline.tests.factories import MailBoxFactory, TicketFactory
from tongzheng.portal import frame

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path


def _part(pattern: str, html: str) -> str:
    return re.search(pattern, html, re.S).group(1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("mailbox", [False, True])
@pytest.mark.parametrize("started", [False, True])
@pytest.mark.parametrize("count", [0, 2])
def test_the_python_blocks_are_the_templates(language, mailbox, started, count):
    ticket = TicketFactory(
        type=TicketType.COMPLAINT,
        channel=Channel.MAILBOX if mailbox else Channel.WEB,
        mailbox=MailBoxFactory(title="<市长>信箱") if mailbox else None,
        **({} if started else {"started": None}),
    )
    assert (ticket.due_at is not None) == started
    context = {"ticket": ticket, "code": "AB<C&D", "attachment_count": count}
    with translation.override(language):
        template = render_to_string("hotline/receipt.html", context)
        written = frame.render_page(
            _anonymous_request(),
            "hotline/receipt.html",
            context,
            blocks=lambda _token: {
                "title": receipt_page.title(),
                "content": receipt_page.content(ticket, code="AB<C&D", attachment_count=count),
            },
        )
    # The shell's header differs between a bare render and a request's: compare the blocks.
    for pattern in (r"<title>(.*?)</title>", r"<main[^>]*>(.*?)</main>"):
        assert _part(pattern, written) == _part(pattern, template)
    assert "AB&lt;C&amp;D" in written
    assert ("&lt;市长&gt;信箱" in written) == mailbox


def _anonymous_request():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().post("/hotline/new/")
    request.user = AnonymousUser()
    request.session = {}
    return request


def test_the_intake_answers_with_the_receipt_in_the_frame(client):
    frame._frames.clear()
    response = client.post(
        reverse("hotline:new"),
        {
            "channel": "web",
            "type": "complaint",
            "content": "路灯不亮。",
            "reporter_name": "王芳",
            "reporter_phone": "13912345678",
        },
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    html = response.content.decode()
    assert f'data-testid="ticket-number">{ticket.number}</code>' in html
    kept = [shell for key, shell in frame._frames.items() if key[0] == "hotline/receipt.html"]
    assert kept and kept[0] is not None
    reference = render_to_string(
        "hotline/receipt.html",
        {
            "ticket": ticket,
            "code": re.search(r'extraction-code">([^<]+)<', html).group(1),
            "attachment_count": 0,
        },
        request=response.wsgi_request,
    )
    masked = re.compile(r"[A-Za-z0-9]{64}")
    assert masked.sub("TOKEN", html) == masked.sub("TOKEN", reference)
