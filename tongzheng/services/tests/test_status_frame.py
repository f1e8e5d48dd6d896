"""The status lookup's page served through the portal frame (portal.frame): byte for byte
the normal render apart from the masked CSRF token, in both languages; a signed-in user
still sees their own header."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongzheng.portal import frame
from tongzheng.services import actions
from tongzheng.services.public import minute
from tongzheng.services.tests.factories import handler
from tongzheng.services.tests.test_public_pages import (
    PDF,
    apply_online,
    citizen_client,
    code_of,
    online_item,
    run_to_close,
)

pytestmark = pytest.mark.django_db

# A masked CSRF token (64 letters and digits) is different in every response.
TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def lookups():
    """(number, code) of a submitted, an accepted and a closed application with a
    result document (the download form carries a CSRF token inside the content)."""
    pairs = []
    for code in ("A", "B", "C"):
        item = online_item(code=f"FRAME{code}")
        application, receipt = apply_online(citizen_client()[0], item)
        pairs.append((application, code_of(receipt)))
    actions.accept(actor=handler(pairs[1][0].item.organisation), application=pairs[1][0])
    run_to_close(pairs[2][0], document=SimpleUploadedFile("许可证.pdf", PDF))
    return [(application.number, code) for application, code in pairs]


def page(client, number, code, language):
    response = client.post(
        reverse("services:public_status"),
        {"number": number, "code": code},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_frame_gives_the_normal_page(monkeypatch, language):
    pairs = lookups()
    framed = [page(Client(), number, code, language) for number, code in pairs]
    assert frame._frames, "the anonymous lookup went through the frame"
    assert all(f is not None for f in frame._frames.values())
    monkeypatch.setattr(frame.Frame, "build", classmethod(lambda cls, name: None))
    frame._frames.clear()
    normal = [page(Client(), number, code, language) for number, code in pairs]
    for framed_page, normal_page in zip(framed, normal, strict=True):
        assert TOKEN.findall(framed_page), "the page carries a token"
        assert TOKEN.sub("TOKEN", framed_page) == TOKEN.sub("TOKEN", normal_page)
    assert 'name="next" value="/services/status/"' in framed[0]
    assert ("下载结果文书" if language == "zh-hans" else 'lang="en"') in framed[2]


def test_each_visitor_gets_their_own_token():
    number, code = lookups()[0]
    first, second = Client(), Client()
    pages = [page(first, number, code, "zh-hans"), page(second, number, code, "zh-hans")]
    tokens = [set(TOKEN.findall(p)) for p in pages]
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]


def test_a_signed_in_user_still_sees_their_name():
    number, code = lookups()[0]
    page(Client(), number, code, "zh-hans")  # the anonymous frame exists
    client, user = citizen_client()
    signed_in = page(client, number, code, "zh-hans")
    assert user.full_name in signed_in and "退出登录" in signed_in
    assert "退出登录" not in page(Client(), number, code, "zh-hans")


@pytest.mark.parametrize(
    "data",
    [
        {"number": " SQ1 ", "code": " ab12 "},
        {"number": "", "code": "AB12"},
        {"number": "   ", "code": "AB12"},
        {"number": "SQ1"},
        {"number": "S" * 32, "code": "C" * 16},
        {"number": "S" * 33, "code": "C"},
        {"number": "SQ1", "code": "C" * 17},
        {"number": "SQ\x001", "code": "C"},
        {"number": "SQ1", "code": "\u3000C\u3000"},
    ],
)
def test_the_quick_pair_check_agrees_with_the_form(data):
    from django.http import QueryDict

    from tongzheng.services.forms_public import StatusForm
    from tongzheng.services.views_public import _lookup_pair

    query = QueryDict(mutable=True)
    query.update(data)
    form = StatusForm(query)
    if form.is_valid():
        assert _lookup_pair(query) == (form.cleaned_data["number"], form.cleaned_data["code"])
    else:
        assert _lookup_pair(query) is None


def test_the_event_list_tag_renders_what_the_loop_did():
    import datetime

    from django.template import engines

    from tongzheng.services.public import PublicEvent

    loop = engines["django"].from_string(
        '{% for event in events %}<li class="mb-2"><span class="text-body-secondary">'
        "{{ event.at_text }}</span> {{ event.status_label }}{% if event.note %}<br>"
        '<span class="small">{{ event.note|linebreaksbr }}</span>{% endif %}</li>{% endfor %}'
    )
    tag = engines["django"].from_string("{% load services_status %}{% status_events events %}")
    at = datetime.datetime(2026, 11, 28, tzinfo=datetime.UTC)
    events = [
        PublicEvent(at=at, status="a", status_label="受理", note="", at_text="2026-11-28 08:00"),
        PublicEvent(
            at=at,
            status="b",
            status_label="<补正>",
            note="缺\r\n材料 & '证明'\r二\n\"三\"",
            at_text=minute(at),
        ),
        PublicEvent(at=at, status="b", status_label="<补正>", note="", at_text=""),
    ]
    for _twice in range(2):  # the escaped labels are kept after the first page
        assert tag.render({"events": events}) == loop.render({"events": events})
    assert "<br>" in tag.render({"events": events}) and "&lt;补正&gt;" in tag.render(
        {"events": events}
    )


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "UTC", "Asia/Kathmandu"])
def test_minute_is_the_date_filter_and_needs_no_escaping(zone):
    """``public.minute`` gives what ``|date:"Y-m-d H:i"`` gave, isoformat and strftime too,
    and only characters escaping leaves alone (``events_html`` puts it in as it is)."""
    import datetime
    import html
    import zoneinfo

    from django.template import engines
    from django.utils import timezone

    tz = zoneinfo.ZoneInfo(zone)
    date_filter = engines["django"].from_string('{{ at|date:"Y-m-d H:i" }}')
    start = datetime.datetime(2026, 3, 7, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(minutes=97 * n) for n in range(400)]
    moments += [
        datetime.datetime(2025, 12, 31, 16, 0, tzinfo=datetime.UTC),  # Shanghai's new year
        datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC),  # New York's fall back
        datetime.datetime(1000, 1, 1, 12, 0, tzinfo=datetime.UTC),
        datetime.datetime(999, 6, 1, 12, 0, tzinfo=datetime.UTC),  # a padded year
    ]
    with timezone.override(tz):
        for at in moments:
            text = minute(at)
            assert text == date_filter.render({"at": at}), at
            assert text == at.astimezone(tz).isoformat(" ", "minutes")[:16]
            assert minute(at, tz) == text
            assert html.escape(text) == text and len(text) == 16
    assert minute(None) == ""
