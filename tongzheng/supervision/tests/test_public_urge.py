"""supervision.public.urge: the one record of a 催办 / 督办, as other modules call it."""

import pytest
from django.core.exceptions import ValidationError

from tongzheng.core.models import Notification
from tongzheng.supervision import public
from tongzheng.supervision.models import Urge
from tongzheng.supervision.tests.factories import (
    city_tree,
    department_user,
    errand,
    red_errand,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


def test_a_module_urges_its_task_and_the_organisations_staff_are_told(tree):
    task = red_errand(tree.dept_a, title="超期事项")
    worker = department_user(tree.dept_a)
    bystander = department_user(tree.dept_b)
    urge = public.urge(task=task, level=public.UrgeLevel.SUPERVISE, message=" 今日办结 ")
    assert (urge.level, urge.message, urge.task_status) == ("supervise", "今日办结", "red")
    assert urge.urged_by is None  # the system
    assert urge.organisation == tree.dept_a
    assert urge.task_type == "timedtest.errand" and urge.task_id == str(task.pk)
    assert urge.notified == 1
    assert Notification.objects.filter(recipient=worker, subject__contains="督办").exists()
    assert not Notification.objects.filter(recipient=bystander).exists()
    assert list(public.urges_for(task)) == [urge]


def test_the_caller_chooses_the_recipients_and_the_subject_any_status(tree):
    task = errand(tree.dept_a)  # normal: a module may press before the card turns
    worker = department_user(tree.dept_a)
    other = department_user(tree.dept_b)
    urge = public.urge(
        task=task,
        level=public.UrgeLevel.URGE,
        message="请尽快签收。",
        by=worker,
        recipients=[other],
        subject="催办：第 1 号",
    )
    assert urge.urged_by == worker and urge.task_status == "normal"
    note = Notification.objects.get(recipient=other, channel="site")
    assert (note.subject, note.body) == ("催办：第 1 号", "请尽快签收。")
    assert not Notification.objects.filter(recipient=worker).exists()


def test_a_wrong_level_or_subject_is_refused_and_nothing_written(tree):
    task = red_errand(tree.dept_a)
    with pytest.raises(ValidationError, match="请选择催办或督办"):
        public.urge(task=task, level="催促")
    with pytest.raises(ValidationError, match="未知的任务类型"):
        public.urge(task=tree.dept_a, level="urge")
    assert not Urge.objects.exists()


def test_subjects_warned_answers_for_a_batch_in_one_query(tree, django_assert_num_queries):
    first, second = errand(tree.dept_a), errand(tree.dept_a)
    public.raise_warning(kind="dispatch_overdue", subject=first, organisation=None)
    with django_assert_num_queries(1):
        warned = public.subjects_warned("dispatch_overdue", type(first), [first.pk, second.pk])
    assert warned == {str(first.pk)}
