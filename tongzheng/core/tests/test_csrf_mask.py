"""The CSRF mask drawn from one random read (core/csrf.py): Django's token, cheaper."""

from collections import Counter

import pytest
from django.middleware import csrf as django_csrf
from django.test import Client, RequestFactory
from django.urls import reverse

from tongzheng.core import csrf

pytestmark = pytest.mark.django_db


def test_get_token_uses_the_installed_mask():
    assert django_csrf._mask_cipher_secret is csrf.mask_cipher_secret


def test_django_unmasks_the_token_to_the_secret():
    secret = django_csrf._get_new_csrf_string()
    for _ in range(200):
        token = csrf.mask_cipher_secret(secret)
        assert len(token) == django_csrf.CSRF_TOKEN_LENGTH
        assert set(token) <= set(django_csrf.CSRF_ALLOWED_CHARS)
        assert django_csrf._unmask_cipher_token(token) == secret


def test_the_cipher_is_djangos():
    secret = django_csrf._get_new_csrf_string()
    for _ in range(50):
        token = csrf.mask_cipher_secret(secret)
        chars = django_csrf.CSRF_ALLOWED_CHARS
        mask, cipher = token[:32], token[32:]
        expected = "".join(
            chars[(chars.index(s) + chars.index(m)) % len(chars)]
            for s, m in zip(secret, mask, strict=True)
        )
        assert cipher == expected


def test_every_page_gets_a_fresh_mask():
    request = RequestFactory().get("/")
    tokens = {django_csrf.get_token(request) for _ in range(50)}
    assert len(tokens) == 50
    secrets = {django_csrf._unmask_cipher_token(token) for token in tokens}
    assert len(secrets) == 1  # one cookie secret, many masks


def test_the_mask_covers_every_character_evenly():
    counts = Counter(char for _ in range(2_000) for char in csrf.random_mask())
    assert set(counts) == set(django_csrf.CSRF_ALLOWED_CHARS)
    expected = 2_000 * 32 / 62  # ~1,032 each
    # Rejection sampling leaves no bias; a modulo bias would give the first 8 characters
    # ~4/3 of the others (~1,290 against ~1,000), far outside this band.
    assert all(0.85 * expected < count < 1.15 * expected for count in counts.values())


def test_the_middleware_accepts_a_masked_token_and_refuses_a_forged_one():
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("services:public_status"))
    secret = page.cookies["csrftoken"].value
    token = csrf.mask_cipher_secret(secret)
    url = reverse("services:public_status")
    good = client.post(url, {"csrfmiddlewaretoken": token, "number": "", "code": ""})
    assert good.status_code == 400  # past CSRF: the empty form's own answer
    forged = client.post(url, {"csrfmiddlewaretoken": "A" * 64, "number": "", "code": ""})
    assert forged.status_code == 403
