"""The CSRF cookie is sent when the visitor does not hold its secret, and only then
(core.csrf.process_response on Django's CsrfViewMiddleware)."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.middleware import csrf as django_csrf
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from tongzheng.accounts.tests.factories import PASSWORD, CitizenFactory
from tongzheng.core import csrf

STATUS = reverse("services:public_status")
NAME = settings.CSRF_COOKIE_NAME


def vary(response) -> list[str]:
    return [v.strip() for v in response.get("Vary", "").split(",")]


def test_the_middleware_keeps_djangos_name_and_gets_this_process_response():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert django_csrf.CsrfViewMiddleware.process_response is csrf.process_response


def test_a_first_visit_gets_the_cookie():
    page = Client().get(STATUS)
    assert page.status_code == 200
    assert len(page.cookies[NAME].value) == django_csrf.CSRF_SECRET_LENGTH
    assert page.cookies[NAME]["max-age"] == settings.CSRF_COOKIE_AGE
    assert "Cookie" in vary(page)


def test_a_visitor_holding_the_cookie_is_not_sent_it_again():
    client = Client(enforce_csrf_checks=True)
    secret = client.get(STATUS).cookies[NAME].value
    again = client.get(STATUS)
    assert NAME not in again.cookies  # no Set-Cookie header
    assert "Set-Cookie" not in again.headers
    assert vary(again) == ["Cookie", "Accept-Language"]  # as when the cookie was sent
    token = django_csrf.get_token(again.wsgi_request)
    assert django_csrf._unmask_cipher_token(token) == secret
    # The page's token still works with the cookie the visitor kept.
    answer = client.post(STATUS, {"csrfmiddlewaretoken": token, "number": "", "code": ""})
    assert answer.status_code == 400  # past CSRF: the empty form's own answer
    assert NAME not in answer.cookies


@pytest.mark.parametrize("cookie", ["", "not-a-token!", "A" * 31])
def test_a_malformed_cookie_is_replaced(cookie):
    client = Client()
    client.cookies[NAME] = cookie
    page = client.get(STATUS)
    assert page.cookies[NAME].value not in ("", cookie)
    assert len(page.cookies[NAME].value) == django_csrf.CSRF_SECRET_LENGTH


def test_an_old_masked_cookie_is_replaced_by_its_secret():
    secret = django_csrf._get_new_csrf_string()
    client = Client()
    client.cookies[NAME] = django_csrf._mask_cipher_secret(secret)  # Django < 4.0's format
    page = client.get(STATUS)
    assert page.cookies[NAME].value == secret


def test_posts_without_a_valid_token_are_refused():
    client = Client(enforce_csrf_checks=True)
    client.get(STATUS)  # holds the cookie
    data = {"number": "SQ1", "code": "ABCDEF"}
    assert client.post(STATUS, data).status_code == 403
    forged = {**data, "csrfmiddlewaretoken": "A" * 64}
    assert client.post(STATUS, forged).status_code == 403
    assert Client(enforce_csrf_checks=True).post(STATUS, data).status_code == 403


@pytest.mark.django_db
def test_signing_in_rotates_the_secret_and_sends_the_new_cookie():
    user = CitizenFactory()
    client = Client()
    old = client.get(reverse("accounts:login")).cookies[NAME].value
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    new = response.cookies[NAME].value
    assert new and new != old
    assert client.cookies[NAME].value == new


def run_middleware(request, view):
    middleware = django_csrf.CsrfViewMiddleware(view)
    return middleware(request)


def test_rotation_within_a_request_sends_the_new_secret():
    request = RequestFactory().get("/")
    request.COOKIES[NAME] = "B" * 32

    def view(request):
        django_csrf.rotate_token(request)
        django_csrf.get_token(request)
        return HttpResponse("ok")

    response = run_middleware(request, view)
    assert response.cookies[NAME].value not in ("", "B" * 32)
    assert vary(response) == ["Cookie"]


def test_an_existing_vary_header_gets_cookie_added():
    request = RequestFactory().get("/")
    request.COOKIES[NAME] = "B" * 32

    def view(request):
        django_csrf.get_token(request)
        response = HttpResponse("ok")
        response["Vary"] = "Accept-Encoding"
        return response

    response = run_middleware(request, view)
    assert NAME not in response.cookies
    assert vary(response) == ["Accept-Encoding", "Cookie"]


def test_a_page_without_a_token_gets_neither_header():
    request = RequestFactory().get("/")
    request.COOKIES[NAME] = "B" * 32
    response = run_middleware(request, lambda request: HttpResponse("ok"))
    assert NAME not in response.cookies
    assert "Vary" not in response


@override_settings(CSRF_USE_SESSIONS=True)
@pytest.mark.django_db
def test_secrets_kept_in_the_session_take_djangos_path():
    client = Client(enforce_csrf_checks=True)
    page = client.get(STATUS)
    assert NAME not in page.cookies
    secret = client.session[django_csrf.CSRF_SESSION_KEY]
    token = django_csrf.get_token(page.wsgi_request)
    assert django_csrf._unmask_cipher_token(token) == secret
