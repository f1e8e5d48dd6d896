"""The staff pages: inbox order, detail with the allowed actions, every action by form,
the catalogue (new version on edit) and JSON import/export."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.services import actions
from tongzheng.services.models import ApplicationStatus, ServiceItem, TaskKind
from tongzheng.services.tests.factories import (
    handler,
    item_admin,
    published_item,
    submitted_application,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def login(client, user):
    verified_login(client, user)
    return client


def test_inbox_lists_tasks_in_scope_by_deadline(client):
    item = published_item(promised_limit=10)
    window = handler(item.organisation)
    first, _c = submitted_application(item)
    second, _c = submitted_application(item)
    other, _c = submitted_application(published_item())
    login(client, window)
    response = client.get(reverse("services:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert first.number in body and second.number in body
    assert other.number not in body
    assert body.index(first.number) < body.index(second.number)


def test_inbox_pages_without_counting(client, monkeypatch):
    from tongzheng.services import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    item = published_item()
    numbers = [submitted_application(item)[0].number for _n in range(3)]
    login(client, handler(item.organisation))
    first = client.get(reverse("services:inbox")).content.decode()
    assert numbers[0] in first and numbers[2] not in first and "下一页" in first
    second = client.get(reverse("services:inbox"), {"page": "2"}).content.decode()
    assert numbers[2] in second and "下一页" not in second and "上一页" in second
    beyond = client.get(reverse("services:inbox"), {"page": "9"}).content.decode()
    assert "没有更多待办任务" in beyond
    assert client.get(reverse("services:inbox"), {"page": "x"}).status_code == 200


def test_detail_shows_allowed_actions_and_accept_by_form(client):
    item = published_item()
    application, _code = submitted_application(item)
    login(client, handler(item.organisation))
    url = reverse("services:application_detail", args=[application.number])
    page = client.get(url).content.decode()
    assert "不予受理" in page and "作出决定" not in page
    action = reverse("services:application_action", args=[application.number, "accept"])
    response = client.post(action, {"simple-transaction_id": "t-1"})
    assert response.status_code == 302
    again = client.post(action, {"simple-transaction_id": "t-1"})  # a double click
    assert again.status_code == 302
    application.refresh_from_db()
    assert application.status == S.REVIEWING
    assert application.events.filter(action="accept").count() == 1
    twice = client.post(action, {"simple-transaction_id": "t-2"})
    assert twice.status_code == 400
    assert "不能重复受理" in twice.content.decode()


def test_refusal_without_reason_is_400_and_changes_nothing(client):
    item = published_item()
    application, _code = submitted_application(item)
    login(client, handler(item.organisation))
    url = reverse("services:application_action", args=[application.number, "refuse_acceptance"])
    response = client.post(url, {"refuse_acceptance-reason": ""})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_department_sees_the_case_and_decides_its_task(client):
    item = published_item()
    application, _code = submitted_application(item)
    actions.accept(actor=handler(item.organisation), application=application)
    task = application.tasks.filter(kind=TaskKind.REVIEW).order_by("pk").first()
    login(client, handler(task.organisation))
    page = client.get(reverse("services:application_detail", args=[application.number]))
    assert page.status_code == 200
    response = client.post(
        reverse("services:task_decide", args=[task.pk]),
        {f"task_{task.pk}-decision": "approve", f"task_{task.pk}-reason": "同意"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.outcome == "approved"


def test_item_edit_publishes_a_new_version_and_keeps_the_old(client):
    item = published_item()
    application, _code = submitted_application(item)
    admin = item_admin(item.organisation)
    login(client, admin)
    page = client.get(reverse("services:item_edit", args=[item.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["name"] = "建设工程规划许可（新）"
    data["fee_charged"] = ""
    data["online_required"] = "on"
    data.update(
        {
            "materials-TOTAL_FORMS": "1",
            "materials-INITIAL_FORMS": "0",
            "materials-0-name": "申请表",
            "materials-0-requirement": "required",
            "materials-0-form": "paper",
            "materials-0-source": "applicant",
            "materials-0-blank_form": SimpleUploadedFile("表.pdf", b"%PDF-1.7 test"),
            "stages-TOTAL_FORMS": "1",
            "stages-INITIAL_FORMS": "0",
            "stages-0-name": "联合审查",
            "stages-0-limit_working_days": "3",
            "stages-0-refusal_ends_stage": "on",
            "stages-0-departments": item.organisation.name,
        }
    )
    response = client.post(reverse("services:item_edit", args=[item.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.current_version.number == 2
    assert item.current_version.name == "建设工程规划许可（新）"
    application.refresh_from_db()
    assert application.version.number == 1  # filed under the old version
    assert item.current_version.materials.get().blank_form.name


def test_export_then_import_publishes_a_new_version(client):
    item = published_item()
    admin = item_admin(item.organisation)
    login(client, admin)
    exported = client.get(reverse("services:item_export"))
    assert exported.status_code == 200
    payload = json.loads(exported.content)
    assert payload["items"][0]["implementation_code"] == item.implementation_code
    payload["items"][0]["elements"]["name"] = "导入后的名称"
    upload = SimpleUploadedFile(
        "items.json", json.dumps(payload, ensure_ascii=False).encode(), "application/json"
    )
    response = client.post(reverse("services:item_import"), {"file": upload})
    assert response.status_code == 302
    item = ServiceItem.objects.get(pk=item.pk)
    assert item.current_version.number == 2 and item.current_version.name == "导入后的名称"


def test_bad_import_is_400_and_writes_nothing(client):
    item = published_item()
    login(client, item_admin(item.organisation))
    upload = SimpleUploadedFile("items.json", b'{"format": "other"}', "application/json")
    response = client.post(reverse("services:item_import"), {"file": upload})
    assert response.status_code == 400
    assert "不是通政事项导出文件" in response.content.decode()
    item.refresh_from_db()
    assert item.current_version.number == 1


def test_inbox_and_api_list_do_not_grow_queries_with_rows(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = published_item()
    window = handler(item.organisation)
    login(client, window)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    submitted_application(item)
    count(reverse("services:inbox"))  # warm the per-process caches (calendar, session)
    few = (count(reverse("services:inbox")), count("/api/services/tasks"))
    for _n in range(5):
        submitted_application(item)
    assert (count(reverse("services:inbox")), count("/api/services/tasks")) == few
