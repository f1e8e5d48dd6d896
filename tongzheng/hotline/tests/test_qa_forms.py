"""QA walk findings on the public intake forms: styled fields, errors the user can find."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tongzheng.hotline.models import Ticket
from tongzheng.hotline.tests.factories import MailBoxFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path


def _tag(body: str, name: str) -> str:
    match = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', body)
    assert match, name
    return match.group(0)


def test_public_intake_fields_carry_bootstrap_classes(client):
    # Unstyled, the content box was a narrow 40-column textarea and the selects looked
    # browser-default next to the rest of the portal.
    body = client.get(reverse("hotline:new")).content.decode()
    assert 'class="form-control"' in _tag(body, "content")
    assert 'class="form-select"' in _tag(body, "channel")
    assert 'class="form-check-input"' in _tag(body, "anonymous")
    assert "form-control" in _tag(body, "attachments")


def test_track_form_fields_are_styled(client):
    body = client.get(reverse("hotline:track")).content.decode()
    assert 'class="form-control"' in _tag(body, "number")
    assert 'class="form-control"' in _tag(body, "code")


def test_an_invalid_letter_names_the_fields_at_the_top_and_marks_them(client):
    box = MailBoxFactory()
    response = client.post(
        reverse("hotline:mailbox_letter", args=[box.slug]),
        {"type": "suggestion", "title": "", "content": "建议增设夜间公交。", "reporter_name": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger" role="alert">(.*?)</div>', body, re.S)
    assert summary, "no error summary above the form"
    assert '<a href="#id_title" class="alert-link">标题</a>：请填写标题。' in summary.group(1)
    assert (
        '<a href="#id_reporter_name" class="alert-link">姓名</a>：实名反映请填写姓名'
        in summary.group(1)
    )
    assert "is-invalid" in _tag(body, "title")
    assert 'aria-invalid="true"' in _tag(body, "title")
    assert "is-invalid" not in _tag(body, "content")
    # The user's input is kept.
    assert "建议增设夜间公交。" in body
    assert not Ticket.objects.exists()


def test_a_missing_field_says_so_in_chinese_and_the_summary_names_it(client):
    response = client.post(reverse("hotline:new"), {"channel": "web", "content": "路灯不亮。"})
    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_type" class="alert-link">类型</a>：请选择此项。' in body
    assert "这个字段是必填项" not in body


def test_administration_forms_mark_fields_in_error_and_say_so_at_the_top():
    from tongzheng.accounts.tests.factories import (
        RoleFactory,
        UserFactory,
        confirmed_totp_device,
    )
    from tongzheng.tests_matrix.cast import logged_in_client

    role = RoleFactory(permissions=["hotline.manage_hotline"])
    user = UserFactory(roles=[role])
    client = logged_in_client(user, confirmed_totp_device(user))
    response = client.post(reverse("hotline:admin_subjects"), {"code": "", "name": ""})
    assert response.status_code == 400
    body = response.content.decode()
    # The create form sits below the list: the notice at the top links down to it.
    assert body.index('href="#tz-new"') < body.index("<table")
    assert 'id="tz-new"' in body
    assert "is-invalid" in _tag(body, "name")
