"""/api/services/: the handling steps over JSON, idempotent retries, Chinese errors."""

import json

import pytest
from django.test import Client

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.services.models import ApplicationStatus, TaskKind
from tongzheng.services.tests.factories import (
    handler,
    item_admin,
    published_item,
    submitted_application,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def client_for(user) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def post(client, url, body=None, **headers):
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_accept_parallel_decide_issue_close_through_the_api():
    item = published_item()
    application, _code = submitted_application(item)
    window = client_for(handler(item.organisation))
    base = f"/api/services/applications/{application.number}"
    tasks = window.get("/api/services/tasks").json()
    assert [t["application_number"] for t in tasks["items"]] == [application.number]
    accepted = post(window, f"{base}/accept", **{"Idempotency-Key": "a-1"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == S.REVIEWING
    for task in application.tasks.filter(kind=TaskKind.REVIEW):
        department = client_for(handler(task.organisation))
        answer = post(department, f"/api/services/tasks/{task.pk}/decision", {"approve": True})
        assert answer.status_code == 200, answer.content
        assert answer.json()["outcome"] == "approved"
    decided = post(window, f"{base}/decision", {"approve": True})
    assert decided.json()["allowed_actions"] == ["issue_result"]
    assert post(window, f"{base}/result", {"licence_number": "建字第9号"}).status_code == 200
    closed = post(window, f"{base}/close")
    assert closed.json()["status"] == S.CLOSED
    events = window.get(f"{base}/events").json()
    assert [e["to_status"] for e in events][-1] == S.CLOSED


def test_a_retried_request_acts_once():
    item = published_item()
    application, _code = submitted_application(item)
    window = client_for(handler(item.organisation))
    url = f"/api/services/applications/{application.number}/accept"
    first = post(window, url, **{"Idempotency-Key": "k-1"})
    again = post(window, url, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert application.events.filter(action="accept").count() == 1


def test_illegal_moves_are_409_in_chinese_and_bad_input_422():
    item = published_item()
    application, _code = submitted_application(item)
    window = client_for(handler(item.organisation))
    base = f"/api/services/applications/{application.number}"
    refused = post(window, f"{base}/decision", {"approve": True})
    assert refused.status_code == 409
    assert "尚未受理" in refused.json()["detail"]
    no_reason = post(window, f"{base}/refuse-acceptance", {"reason": " "})
    assert no_reason.status_code == 422
    assert "理由" in no_reason.json()["detail"]
    assert post(window, f"{base}/accept").status_code == 200
    twice = post(window, f"{base}/accept")
    assert twice.status_code == 409 and "重复受理" in twice.json()["detail"]
    application.refresh_from_db()
    assert application.events.count() == 2


def test_another_organisation_gets_404():
    item = published_item()
    application, _code = submitted_application(item)
    stranger = client_for(handler(published_item().organisation))
    url = f"/api/services/applications/{application.number}"
    assert stranger.get(url).status_code == 404
    assert post(stranger, f"{url}/accept").status_code == 404


def test_export_and_import_items():
    item = published_item()
    admin = client_for(item_admin(item.organisation))
    exported = admin.get("/api/services/items/export").json()
    exported["items"][0]["elements"]["promised_limit"] = 5
    imported = post(admin, "/api/services/items/import", exported)
    assert imported.status_code == 201, imported.content
    item.refresh_from_db()
    assert item.current_version.promised_limit == 5 and item.current_version.number == 2
    exported["items"][0]["elements"]["promised_limit"] = 99  # over the legal limit
    bad = post(admin, "/api/services/items/import", exported)
    assert bad.status_code == 422 and "承诺办结时限" in bad.json()["detail"]


def test_task_pages_say_whether_more_follow(monkeypatch):
    from tongzheng.services import api

    monkeypatch.setattr(api, "TASK_PAGE_SIZE", 1)
    item = published_item()
    submitted_application(item)
    submitted_application(item)
    window = client_for(handler(item.organisation))
    first = window.get("/api/services/tasks").json()
    second = window.get("/api/services/tasks", {"page": 2}).json()
    assert (len(first["items"]), first["has_next"]) == (1, True)
    assert (len(second["items"]), second["has_next"]) == (1, False)
    assert window.get("/api/services/tasks", {"page": 0}).status_code == 422
