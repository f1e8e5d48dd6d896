"""core.middleware.LocaleMiddleware chooses the language as Django's does, remembered per
(language cookie, Accept-Language) pair."""

import pytest
from django.conf import settings
from django.urls import reverse

from tongzheng.core import middleware

CASES = [
    # (cookie, Accept-Language, expected)
    (None, "", "zh-hans"),
    (None, "en-US,en;q=0.9", "en"),
    (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
    (None, "fr-FR,fr;q=0.9", "zh-hans"),  # unsupported: the default
    (None, "*", "zh-hans"),
    ("en", "zh-CN", "en"),  # the cookie first (the language switcher sets it)
    ("zh-hans", "en", "zh-hans"),
    ("xx", "en", "en"),  # an unknown cookie value is ignored
]


@pytest.fixture(autouse=True)
def fresh_memo():
    middleware._chosen_languages.clear()
    yield
    middleware._chosen_languages.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("cookie,accept,expected", CASES)
def test_language_and_headers_as_django_chooses(client, cookie, accept, expected):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    for _ in range(2):  # worked out, then remembered
        response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == 200
        chosen = response.wsgi_request.LANGUAGE_CODE
        assert chosen == expected
        assert response["Content-Language"] == expected
        assert "Accept-Language" in response["Vary"]
    assert middleware._chosen_languages[(cookie, accept)] == expected


@pytest.mark.django_db
def test_the_memo_is_bounded(client, monkeypatch):
    monkeypatch.setattr(middleware, "CHOSEN_LANGUAGES_MAX", 2)
    for accept in ("en", "en-GB", "en-US"):
        response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=accept)
        assert response["Content-Language"] == "en"
    assert len(middleware._chosen_languages) == 2


@pytest.mark.django_db
def test_a_changed_language_setting_forgets_the_choices(client, settings):
    client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert middleware._chosen_languages
    settings.LANGUAGES = [("zh-hans", "简体中文")]
    assert not middleware._chosen_languages
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "zh-hans"
