"""Error pages: Chinese text, a way home, and never a stack trace (DEBUG is off)."""

import pytest
from django.test import Client

from tongzheng.portal.tests.urls_errors import SECRET_DETAIL

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tongzheng.portal.tests.urls_errors")]

TRACE_MARKERS = ("Traceback", "RuntimeError", SECRET_DETAIL, 'File "', "site-packages")


@pytest.fixture
def quiet_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def assert_no_trace(body: str):
    for marker in TRACE_MARKERS:
        assert marker not in body, marker


def test_server_error_page_has_no_traceback(quiet_client):
    response = quiet_client.get("/test-errors/crash/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器内部错误" in body
    assert 'href="/"' in body
    assert '<html lang="zh-hans">' in body
    assert_no_trace(body)


def test_bad_request_page(quiet_client):
    response = quiet_client.get("/test-errors/bad/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请求有误" in body
    assert_no_trace(body)


def test_forbidden_page(quiet_client):
    response = quiet_client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body and "返回首页" in body
    assert_no_trace(body)


def test_not_found_page(quiet_client):
    response = quiet_client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'href="/"' in body
    assert body.count("<main") == 1


def test_csrf_failure_page(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body
    assert "CSRF verification failed" not in body  # Django's default page
    assert "cookie not set" not in body  # the reason stays in the log
