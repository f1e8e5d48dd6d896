"""Rate limits: anonymous intake per address, named reporters and accounts not blocked by it,
extraction-code guessing per address and per ticket number."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory
from tongzheng.hotline.models import Ticket, TicketUpdate
from tongzheng.hotline.tests.factories import DEFAULT_CODE, TicketFactory

pytestmark = pytest.mark.django_db

LIMITED = "提交过于频繁"
TOO_MANY_FAILURES = "查询失败次数过多"


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    settings.HOTLINE_RATE_ANONYMOUS = (3, 3600)
    settings.HOTLINE_RATE_NAMED = (5, 3600)
    settings.HOTLINE_RATE_NAMED_ADDRESS = (8, 3600)
    settings.HOTLINE_RATE_ACCOUNT = (4, 3600)
    settings.HOTLINE_RATE_LOOKUP_FAILURES = (3, 900)
    yield
    cache.clear()


def anonymous(**overrides):
    data = {"channel": "web", "type": "complaint", "content": "广告短信骚扰。", "anonymous": "on"}
    data.update(overrides)
    return data


def named(phone="13800138000", **overrides):
    data = {
        "channel": "web",
        "type": "complaint",
        "content": "小区噪音。",
        "reporter_name": "李四",
        "reporter_phone": phone,
    }
    data.update(overrides)
    return data


def post(client, data, address="10.0.0.1"):
    return client.post(reverse("hotline:new"), data, REMOTE_ADDR=address)


def test_anonymous_intake_is_limited_per_address(client):
    for _n in range(3):
        assert post(client, anonymous()).status_code == 200
    response = post(client, anonymous())
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert Ticket.objects.count() == 3
    # Another address is not affected.
    assert post(client, anonymous(), address="10.0.0.2").status_code == 200


def test_invalid_submissions_are_not_counted(client):
    for _n in range(5):
        assert post(client, anonymous(content="")).status_code == 400
    assert post(client, anonymous()).status_code == 200


def test_a_named_reporter_is_not_blocked_by_anonymous_spam_from_the_same_address(client):
    for _n in range(3):
        post(client, anonymous())
    assert post(client, anonymous()).status_code == 429
    assert post(client, named()).status_code == 200


def test_a_named_reporter_has_a_higher_per_phone_limit(client):
    for _n in range(5):
        assert post(client, named()).status_code == 200
    assert post(client, named()).status_code == 429
    # The same phone from another address is the same reporter.
    assert post(client, named(), address="10.0.0.9").status_code == 429
    # Another reporter at the same address still files.
    assert post(client, named(phone="13900139000")).status_code == 200


def test_invented_phone_numbers_hit_the_named_ceiling_of_the_address(client):
    for n in range(8):
        assert post(client, named(phone=f"1380013{n:04d}")).status_code == 200
    assert post(client, named(phone="13800139999")).status_code == 429


def test_a_signed_in_account_has_its_own_limit(client):
    for _n in range(3):
        post(client, anonymous())
    citizen = CitizenFactory()
    signed_in = Client()
    signed_in.force_login(citizen)
    for _n in range(4):
        assert post(signed_in, anonymous()).status_code == 200
    assert post(signed_in, anonymous()).status_code == 429
    assert Ticket.objects.filter(account=citizen).count() == 4


def test_the_mailbox_letter_form_is_limited_too(client):
    from tongzheng.hotline.tests.factories import MailBoxFactory

    box = MailBoxFactory()
    url = reverse("hotline:mailbox_letter", args=[box.slug])
    letter = {"type": "suggestion", "title": "建议", "content": "增设公交线路。", "anonymous": "on"}
    for _n in range(3):
        assert client.post(url, letter).status_code == 200
    assert client.post(url, letter).status_code == 429


def track(client, number, code, address="10.0.0.1"):
    return client.post(
        reverse("hotline:track"), {"number": number, "code": code}, REMOTE_ADDR=address
    )


def test_code_guessing_is_limited_per_address(client):
    ticket = TicketFactory()
    other = TicketFactory()
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"):
        assert track(client, ticket.number, guess).status_code == 404
    # Blocked even with the right code, and for another ticket, from this address.
    response = track(client, other.number, DEFAULT_CODE)
    assert response.status_code == 429
    assert TOO_MANY_FAILURES in response.content.decode()
    assert other.content not in response.content.decode()


def test_code_guessing_is_limited_per_ticket_number_across_addresses(client):
    ticket = TicketFactory()
    for n, guess in enumerate(("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC")):
        assert track(client, ticket.number, guess, address=f"10.1.0.{n}").status_code == 404
    assert track(client, ticket.number, DEFAULT_CODE, address="10.2.0.1").status_code == 429
    # Another ticket from a fresh address is unaffected.
    assert track(client, TicketFactory().number, DEFAULT_CODE, "10.3.0.1").status_code == 200


def test_successful_lookups_are_not_counted(client):
    ticket = TicketFactory()
    for _n in range(6):
        assert track(client, ticket.number, DEFAULT_CODE).status_code == 200


def test_append_counts_and_respects_the_same_failures(client):
    ticket = TicketFactory()
    url = reverse("hotline:append")
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"):
        response = client.post(url, {"number": ticket.number, "code": guess, "content": "x"})
        assert response.status_code == 404
    response = client.post(url, {"number": ticket.number, "code": DEFAULT_CODE, "content": "x"})
    assert response.status_code == 429
    assert not TicketUpdate.objects.exists()


def test_the_window_ends(client, settings):
    settings.HOTLINE_RATE_LOOKUP_FAILURES = (1, 1)
    ticket = TicketFactory()
    track(client, ticket.number, "AAAAAAAAAA")
    assert track(client, ticket.number, DEFAULT_CODE).status_code == 429
    time.sleep(1.1)
    assert track(client, ticket.number, DEFAULT_CODE).status_code == 200


def test_codes_have_enough_entropy():
    from math import log2

    from tongzheng.hotline.models import CODE_ALPHABET, CODE_LENGTH

    assert CODE_LENGTH * log2(len(set(CODE_ALPHABET))) >= 48
