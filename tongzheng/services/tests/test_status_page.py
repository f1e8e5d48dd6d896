"""The status result's blocks written in Python (services.status_page) are the template's
markup (services/public/status_result.html with _status.html), byte for byte, in Chinese
and English, for every state the page shows; values escaped, CSRF token the visitor's."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import translation

from tongzheng.portal import frame
from tongzheng.services import actions, public, status_page
from tongzheng.services.models import Stage, TaskKind
from tongzheng.services.tests.factories import OrganisationFactory, handler
from tongzheng.services.tests.test_public_pages import (
    PDF,
    apply_online,
    citizen_client,
    code_of,
    online_item,
    run_to_close,
)
from tongzheng.services.views_public import STATUS_RESULT

pytestmark = pytest.mark.django_db

TOKEN = "Tk" * 32  # a masked CSRF token's length and alphabet
HOSTILE = "<script>alert('x')</script> & \"引号\""
REASON = '材料<不全> & "签章"\r\n第二行\r第三行\n<b>第四行</b>'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _applied(code, **item):
    application, receipt = apply_online(
        citizen_client()[0], online_item(code=f"PAGE{code}", **item)
    )
    return application, code_of(receipt)


def _through_review(application):
    window = handler(application.item.organisation)
    actions.accept(actor=window, application=application)
    for task in application.tasks.filter(kind=TaskKind.REVIEW).select_related("organisation"):
        actions.decide_task(actor=handler(task.organisation), task=task, approve=True)
    application.refresh_from_db()
    return window


def applications() -> dict[str, tuple]:
    """state -> (application, query code)."""
    made = {}
    made["received"] = _applied("A")
    made["accepted"] = _applied(
        "B", name=HOSTILE, organisation=OrganisationFactory(name=f"局 {HOSTILE}")
    )
    application = made["accepted"][0]
    actions.accept(actor=handler(application.item.organisation), application=application)
    Stage.objects.filter(version=application.version).update(name=f"审查 {HOSTILE}")
    made["supplement"] = _applied("C")
    application = made["supplement"][0]
    actions.request_supplement(
        actor=handler(application.item.organisation),
        application=application,
        materials=list(application.version.materials.filter(name="建设工程设计方案")),
        other_items=f"身份证明 {HOSTILE}",
    )
    made["refused"] = _applied("D")
    application = made["refused"][0]
    window = _through_review(application)
    actions.decide(actor=window, application=application, approve=False, reason=REASON)
    made["issued"] = _applied("E")
    application = made["issued"][0]
    window = _through_review(application)
    actions.decide(actor=window, application=application, approve=True)
    actions.issue_result(
        actor=window,
        application=application,
        licence_number=f"建字 {HOSTILE}",
        document=SimpleUploadedFile("许可证.pdf", PDF),
    )
    made["closed"] = _applied("F")
    run_to_close(made["closed"][0], document=SimpleUploadedFile("许可证.pdf", PDF))
    return made


def both(number, code):
    """(the page with the template's blocks, the page with the Python blocks), the
    visitor's token fixed."""
    request = RequestFactory().post(reverse("services:public_status"))
    request.user = AnonymousUser()
    view = public.application_status(public.find_application(number, code))
    context = {"view": view, "number": view.number, "code": code}
    reference = frame._render(request, STATUS_RESULT, context)
    written = frame.Frame.build(STATUS_RESULT).render(
        request,
        context,
        blocks=lambda token: status_page.blocks(view, code=code, csrf_token=token),
    )
    return reference, written


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_python_blocks_are_the_templates_markup(monkeypatch, language):
    monkeypatch.setattr(frame, "get_token", lambda request: TOKEN)
    made = applications()
    with translation.override(language):
        pages = {
            state: both(application.number, code) for state, (application, code) in made.items()
        }
    for state, (reference, written) in pages.items():
        assert written == reference, state
    # The states show what the page is for (so that the comparison covers it).
    heading = "办件进度：" if language == "zh-hans" else "Application progress: "
    assert all(heading in written for _reference, written in pages.values())
    days = re.compile(
        r"剩余 -?\d+ 个工作日" if language == "zh-hans" else r"-?\d+ working days? left"
    )
    assert days.search(pages["accepted"][1])
    assert "需要补正" in pages["supplement"][1] or "Supplement needed" in pages["supplement"][1]
    assert "建设工程设计方案" in pages["supplement"][1]
    assert "<br>第二行<br>第三行<br>&lt;b&gt;第四行&lt;/b&gt;" in pages["refused"][1]
    for state in ("issued", "closed"):
        assert f'name="csrfmiddlewaretoken" value="{TOKEN}"' in pages[state][1].split("<h1")[1]
    assert "csrfmiddlewaretoken" not in pages["accepted"][1].split("<h1")[1]
    hostile = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;引号&quot;"
    assert pages["accepted"][1].count(hostile) == 3  # item, organisation, stage
    assert hostile in pages["supplement"][1] and hostile in pages["issued"][1]
    assert all("<script>" not in written for _reference, written in pages.values())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("count", [-3, 0, 1, 2, 11, 1234])
def test_remaining_working_days_as_blocktranslate(language, count):
    template = engines["django"].from_string(
        "{% load i18n %}（{% blocktranslate count counter=days %}剩余 {{ counter }} 个工作日"
        "{% plural %}剩余 {{ counter }} 个工作日{% endblocktranslate %}）"
    )
    with translation.override(language):
        labels = status_page._page_labels()
        reference = template.render({"days": count})
        assert status_page._remaining(labels, count) == reference
        assert status_page._remaining(labels, count) == reference  # kept
    if language == "en":
        assert ("day left" in reference) == (count == 1)


def test_urls_follow_the_script_prefix(monkeypatch):
    monkeypatch.setattr(frame, "get_token", lambda request: TOKEN)
    application, code = _applied("G")
    run_to_close(application, document=SimpleUploadedFile("许可证.pdf", PDF))
    frame._frames.clear()
    set_script_prefix("/zhengwu/")
    try:
        reference, written = both(application.number, code)
    finally:
        set_script_prefix("/")
    assert written == reference
    assert 'action="/zhengwu/services/status/result/"' in written
    assert 'href="/zhengwu/services/status/"' in written
    reference, written = both(application.number, code)
    assert written == reference and 'href="/services/status/"' in written


def test_the_view_serves_the_python_blocks_and_its_download_form_passes_csrf(monkeypatch):
    application, code = _applied("H")
    run_to_close(application, document=SimpleUploadedFile("许可证.pdf", PDF))
    written = []
    real = status_page.blocks
    monkeypatch.setattr(
        status_page, "blocks", lambda *args, **kwargs: written.append(1) or real(*args, **kwargs)
    )
    client = Client(enforce_csrf_checks=True)
    form = client.get(reverse("services:public_status")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(
        reverse("services:public_status"),
        {"number": application.number, "code": code, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert written == [1]
    content = response.content.decode().split("<h1")[1]
    download_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    download = client.post(
        reverse("services:public_status_result"),
        {"number": application.number, "code": code, "csrfmiddlewaretoken": download_token},
    )
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    refused = Client(enforce_csrf_checks=True).post(
        reverse("services:public_status"), {"number": application.number, "code": code}
    )
    assert refused.status_code == 403
