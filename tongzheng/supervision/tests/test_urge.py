"""催办 / 督办 of any red or yellow task: notification to the task's organisation, scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.models import Notification
from tongzheng.supervision import actions
from tongzheng.supervision.models import Urge
from tongzheng.supervision.tests.factories import (
    city_tree,
    department_user,
    errand,
    red_errand,
    supervisor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


def test_urging_a_red_task_notifies_its_organisation(tree):
    task = red_errand(tree.dept_a, title="超期事项")
    worker = department_user(tree.dept_a, permissions=("timedtest.handle_errand",))
    bystander = department_user(tree.dept_b, permissions=("timedtest.handle_errand",))
    boss = supervisor(tree.city_bureau)
    urge = actions.urge_task(
        actor=boss,
        task_type="timedtest.errand",
        task_id=task.pk,
        level="supervise",
        message="今日办结",
    )
    assert urge.organisation == tree.dept_a
    assert urge.task_status == "red"
    assert urge.notified == 1
    note = Notification.objects.get(recipient=worker)
    assert "督办" in note.subject and "今日办结" in note.body
    assert note.about_type == "timedtest.errand"
    assert not Notification.objects.filter(recipient=bystander).exists()
    assert AuditEvent.objects.filter(action="supervision.supervise").exists()


def test_a_normal_task_cannot_be_urged(tree):
    task = errand(tree.dept_a, limit=20)
    with pytest.raises(ValidationError, match="红牌或黄牌"):
        actions.urge_task(
            actor=supervisor(tree.city_bureau),
            task_type="timedtest.errand",
            task_id=task.pk,
            level="urge",
        )
    assert not Urge.objects.exists()


def test_out_of_scope_and_unknown_tasks(tree):
    task = red_errand(tree.other_dept)
    boss = supervisor(tree.city_bureau)
    with pytest.raises(Http404):
        actions.urge_task(actor=boss, task_type="timedtest.errand", task_id=task.pk, level="urge")
    with pytest.raises(ValidationError, match="未知的任务类型"):
        actions.urge_task(actor=boss, task_type="auth.user", task_id=1, level="urge")
    with pytest.raises(PermissionDenied):
        actions.urge_task(
            actor=department_user(tree.other_dept),
            task_type="timedtest.errand",
            task_id=task.pk,
            level="urge",
        )
    assert not Urge.objects.exists()


def test_urge_from_the_dashboard(client, tree):
    task = red_errand(tree.dept_a, title="超期事项")
    verified_login(client, supervisor(tree.city_bureau))
    dashboard = client.get(reverse("supervision:dashboard")).content.decode()
    assert f'name="task_id" value="{task.pk}"' in dashboard
    response = client.post(
        reverse("supervision:urge"),
        {
            "task_type": "timedtest.errand",
            "task_id": task.pk,
            "level": "urge",
            "next": "/workbench/supervision/",
        },
    )
    assert response.status_code == 302 and response.url == "/workbench/supervision/"
    assert Urge.objects.get().level == "urge"
    assert "通知 0 人" in client.get(reverse("supervision:dashboard")).content.decode()
    response = client.post(
        reverse("supervision:urge"),
        {
            "task_type": "timedtest.errand",
            "task_id": task.pk,
            "level": "urge",
            "next": "https://evil.example/",
        },
    )
    assert response.url == reverse("supervision:dashboard")
