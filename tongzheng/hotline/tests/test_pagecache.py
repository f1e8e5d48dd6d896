"""公开页缓存: cached public pages keep each visitor's own CSRF token and go stale at once
when a letter is published or unpublished; a cache of one process's own stores none."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import UserFactory
from tongzheng.hotline import pagecache
from tongzheng.hotline.models import Channel, TicketStatus
from tongzheng.hotline.tests.factories import MailBoxFactory, TicketFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def shared_cache(settings, tmp_path):
    """A cache every process would share (files; production uses Redis), empty."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    return tmp_path


def published(title="关于路灯的来信"):
    return TicketFactory(
        channel=Channel.MAILBOX,
        mailbox=MailBoxFactory(title="市长信箱"),
        status=TicketStatus.ANSWERED,
        published_at=timezone.now(),
        published_title=title,
        published_content="路灯不亮。",
        published_reply="已修复。",
    )


def test_a_cached_form_carries_each_visitors_own_working_token(django_assert_num_queries):
    track = reverse("hotline:track")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(track).content.decode()
    with django_assert_num_queries(0):
        second_page = second.get(track).content.decode()
    assert pagecache.CSRF_PLACEHOLDER not in first_page + second_page
    first_token, second_token = TOKEN.search(first_page)[1], TOKEN.search(second_page)[1]
    assert first_token != second_token
    assert second.cookies["csrftoken"].value  # the cookie is set as on a rendered page
    data = {"number": "12345-20260101-000001", "code": "ABCDEF"}
    # Each visitor's token works for them (404: no such ticket), not for the other.
    assert second.post(track, {**data, "csrfmiddlewaretoken": second_token}).status_code == 404
    assert first.post(track, {**data, "csrfmiddlewaretoken": first_token}).status_code == 404
    assert (
        Client(enforce_csrf_checks=True)
        .post(track, {**data, "csrfmiddlewaretoken": first_token})
        .status_code
        == 403
    )


def test_the_intake_form_is_cached_and_still_files(django_assert_num_queries):
    new = reverse("hotline:new")
    Client().get(new)
    visitor = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        page = visitor.get(new).content.decode()
    assert 'name="content"' in page
    response = visitor.post(
        new,
        {
            "csrfmiddlewaretoken": TOKEN.search(page)[1],
            "channel": "web",
            "type": "complaint",
            "content": "小区路灯不亮。",
            "reporter_name": "王芳",
            "reporter_phone": "13900000000",
        },
    )
    assert response.status_code == 200 and 'data-testid="ticket-number"' in response.text


def test_publishing_or_unpublishing_makes_every_letters_page_stale():
    letter = published()
    letters, detail = reverse("hotline:letters"), reverse("hotline:letter", args=[letter.number])
    assert "关于路灯的来信" in Client().get(letters).text
    assert Client().get(detail).status_code == 200
    letter.published_at = None
    letter.save()
    # Without the signal the stored pages are served (the action's view sends it) ...
    assert "关于路灯的来信" in Client().get(letters).text
    pagecache.letters_changed()
    # ... and with it the letter is gone from both at once.
    assert "关于路灯的来信" not in Client().get(letters).text
    assert Client().get(detail).status_code == 404


def test_a_lost_version_never_brings_back_an_old_page():
    letter = published()
    letters = reverse("hotline:letters")
    Client().get(letters)
    letter.published_at = None
    letter.save()
    cache.delete(pagecache.LETTERS_VERSION)  # evicted, say
    assert "关于路灯的来信" not in Client().get(letters).text


def test_signed_in_visitors_searches_and_odd_queries_are_rendered_each_time(shared_cache):
    published()
    letters = reverse("hotline:letters")
    citizen = UserFactory(kind="citizen", full_name="张三丰")
    signed_in = Client()
    signed_in.force_login(citizen)
    Client().get(letters)
    assert "张三丰" in signed_in.get(letters).text
    assert "张三丰" not in Client().get(letters).text
    stored = set(shared_cache.iterdir())  # the letters version and page, among others
    for query in ({"q": "路灯"}, {"page": "abc"}, {"page": "2", "x": "1"}):
        Client().get(letters, query)
    assert set(shared_cache.iterdir()) == stored


def test_a_cache_of_one_process_stores_no_page(settings):
    """Without a shared cache another worker's unpublishing would go unseen here."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    letter = published()
    letters = reverse("hotline:letters")
    assert "关于路灯的来信" in Client().get(letters).text
    letter.published_at = None
    letter.save()  # as another worker's action would: this process's version stays
    assert "关于路灯的来信" not in Client().get(letters).text
    assert not [key for key in cache._cache if ":hotline:page:" in key]  # locmem
