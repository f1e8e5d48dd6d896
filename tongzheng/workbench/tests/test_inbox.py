"""The inbox reads every registered timed-task model through core.timed.open_tasks_for.

The stand-in model below implements only the contract a module's model offers the
inbox (``inbox_for_user``, ``timed_module_label``, ``timed_title``, ``status_at``,
``get_absolute_url``), so these tests do not depend on any business module.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tongzheng.accounts.tests.factories import CitizenFactory, UserFactory
from tongzheng.core.timed import TimedStatus
from tongzheng.testing.clients import login_verified
from tongzheng.workbench.queries import inbox_for

pytestmark = pytest.mark.django_db


class FakeQuerySet(list):
    def filter(self, finished_at__isnull):
        return FakeQuerySet(t for t in self if (t.finished_at is None) == finished_at__isnull)


class Task:
    def __init__(self, title, due_in=None, finished=False, pk=1):
        self.title = title
        self.pk = pk
        self.due_at = timezone.now() + due_in if due_in is not None else None
        self.finished_at = timezone.now() if finished else None

    def timed_title(self):
        return self.title

    def get_absolute_url(self):
        return f"/tasks/{self.pk}/"

    def status_at(self, now):
        if self.due_at is not None and now > self.due_at:
            return TimedStatus.RED
        return TimedStatus.NORMAL


def fake_model(module, tasks, calls=None):
    class Model:
        _meta = SimpleNamespace(label_lower="fake.task")

        @classmethod
        def inbox_for_user(cls, user):
            if calls is not None:
                calls.append(user)
            return FakeQuerySet(tasks)

        @classmethod
        def timed_module_label(cls):
            return module

    return Model


def test_staff_inbox_merges_models_by_deadline(registry_timed_models):
    registry_timed_models.append(
        fake_model(
            "政务服务",
            [Task("营业执照申请", timedelta(days=3), pk=1), Task("已办结", finished=True, pk=2)],
        )
    )
    registry_timed_models.append(fake_model("热线", [Task("噪音投诉", timedelta(days=-1), pk=3)]))

    inbox = inbox_for(UserFactory())

    assert [r.title for r in inbox.rows] == ["噪音投诉", "营业执照申请"]
    assert inbox.rows[0].status == TimedStatus.RED
    assert inbox.rows[0].module == "热线"
    assert inbox.more is False


def test_inbox_is_cut_at_the_limit_and_says_so(registry_timed_models):
    tasks = [Task(f"件{n}", timedelta(days=n), pk=n) for n in range(1, 6)]
    registry_timed_models.append(fake_model("政务服务", tasks))
    inbox = inbox_for(UserFactory(), limit=3)
    assert [r.title for r in inbox.rows] == ["件1", "件2", "件3"]
    assert inbox.more is True


def test_citizens_have_no_inbox_and_no_model_is_asked(registry_timed_models):
    calls = []
    registry_timed_models.append(fake_model("政务服务", [Task("a")], calls))
    assert inbox_for(CitizenFactory()).rows == []
    assert calls == []


def test_home_shows_inbox_rows(client, registry_timed_models):
    registry_timed_models.append(fake_model("热线", [Task("噪音投诉", timedelta(days=-1), pk=7)]))
    login_verified(client, UserFactory())
    body = client.get("/workbench/").content.decode()
    assert '<a href="/tasks/7/">噪音投诉</a>' in body
    assert "红牌" in body
    assert "暂无待办事项" not in body


def test_home_shows_empty_state(client, registry_timed_models):
    login_verified(client, UserFactory())
    body = client.get("/workbench/").content.decode()
    assert "暂无待办事项" in body


def test_home_lists_real_timed_tasks_in_scope_only(client):
    """End to end with the test-only timed-task model registered in test mode."""
    from tongzheng.accounts.tests.factories import RoleFactory
    from tongzheng.core.tests.factories import OrganisationFactory
    from tongzheng.core.tests.timedtest.models import PERMISSION, Errand

    mine, other = OrganisationFactory(), OrganisationFactory()
    user = UserFactory(organisation=mine, roles=[RoleFactory(permissions=[PERMISSION])])
    overdue = Errand(title="本机构的超期事项", organisation=mine)
    overdue.start(timezone.now() - timedelta(days=30), limit_working_days=3)
    overdue.save()
    Errand.objects.create(title="别的机构的事项", organisation=other)
    done = Errand(title="已办结的事项", organisation=mine)
    done.start(timezone.now() - timedelta(days=3), limit_working_days=5)
    done.finish(timezone.now())
    done.save()

    login_verified(client, user)
    body = client.get("/workbench/").content.decode()

    assert f'<a href="/errands/{overdue.pk}/">本机构的超期事项</a>' in body
    assert "红牌" in body
    assert "别的机构的事项" not in body
    assert "已办结的事项" not in body
