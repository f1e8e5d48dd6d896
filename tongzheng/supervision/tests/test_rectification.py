"""差评整改 and 申诉: answer, appeal (the clock stops), review, scope, pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tongzheng.accounts.tests.factories import CitizenFactory, verified_login
from tongzheng.audit.models import AuditEvent
from tongzheng.core.timed import TimedStatus, timed_task_models
from tongzheng.supervision import actions, public
from tongzheng.supervision.models import (
    Appeal,
    AppealDecision,
    Rectification,
    RectificationStatus,
)
from tongzheng.supervision.tests.factories import (
    city_tree,
    department_user,
    errand,
    supervisor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


@pytest.fixture
def bad(tree):
    task = errand(tree.dept_a, title="办证")
    rating = public.record_rating(
        subject=task, organisation=tree.dept_a, level=1, indicators={}, rater=CitizenFactory()
    )
    return rating.rectification


def test_rectification_is_a_registered_timed_task():
    assert Rectification in timed_task_models()


def test_the_department_answers_and_the_clock_stops(tree, bad):
    user = department_user(tree.dept_a)
    actions.answer_rectification(actor=user, pk=bad.pk, answer="已整改")
    bad.refresh_from_db()
    assert bad.status == RectificationStatus.ANSWERED
    assert bad.status_at() == TimedStatus.FINISHED
    assert bad.answered_by == user
    assert AuditEvent.objects.filter(action="supervision.answer_rectification").exists()
    with pytest.raises(ValidationError, match="只有待整改"):
        actions.answer_rectification(actor=user, pk=bad.pk, answer="再答一次")


def test_another_department_cannot_see_or_answer(tree, bad):
    outsider = department_user(tree.dept_b)
    with pytest.raises(Http404):
        actions.answer_rectification(actor=outsider, pk=bad.pk, answer="x")
    bad.refresh_from_db()
    assert bad.status == RectificationStatus.OPEN


def test_an_empty_answer_is_refused(tree, bad):
    with pytest.raises(ValidationError, match="请填写整改情况"):
        actions.answer_rectification(actor=department_user(tree.dept_a), pk=bad.pk, answer=" ")


def test_a_supervisor_cannot_answer_without_the_permission(tree, bad):
    with pytest.raises(PermissionDenied):
        actions.answer_rectification(actor=supervisor(tree.city_bureau), pk=bad.pk, answer="x")


def test_appeal_pauses_and_an_upheld_appeal_excludes_the_rating(tree, bad):
    user = department_user(tree.dept_a)
    appeal = actions.file_appeal(actor=user, pk=bad.pk, reason="评价人评价的是其他部门")
    bad.refresh_from_db()
    assert bad.status == RectificationStatus.APPEALED
    assert bad.status_at() == TimedStatus.PAUSED
    with pytest.raises(ValidationError):
        actions.answer_rectification(actor=user, pk=bad.pk, answer="x")
    boss = supervisor(tree.city_bureau)
    actions.review_appeal(actor=boss, pk=appeal.pk, upheld=True, comment="属实")
    bad.refresh_from_db()
    assert bad.status == RectificationStatus.WITHDRAWN
    assert bad.finished_at is not None
    assert bad.rating.excluded
    assert Appeal.objects.get().decision == AppealDecision.UPHELD


def test_a_rejected_appeal_restarts_the_clock_and_one_appeal_only(tree, bad):
    user = department_user(tree.dept_a)
    appeal = actions.file_appeal(actor=user, pk=bad.pk, reason="不同意")
    actions.review_appeal(
        actor=supervisor(tree.city_bureau), pk=appeal.pk, upheld=False, comment="不成立"
    )
    bad.refresh_from_db()
    assert bad.status == RectificationStatus.OPEN
    assert bad.paused_since is None
    with pytest.raises(ValidationError, match="只能申诉一次"):
        actions.file_appeal(actor=user, pk=bad.pk, reason="再申诉")


def test_a_supervisor_of_another_division_cannot_review(tree, bad):
    appeal = actions.file_appeal(actor=department_user(tree.dept_a), pk=bad.pk, reason="不同意")
    with pytest.raises(Http404):
        actions.review_appeal(
            actor=supervisor(tree.other_dept), pk=appeal.pk, upheld=True, comment="x"
        )
    appeal.refresh_from_db()
    assert appeal.decision == AppealDecision.PENDING


def test_pages_answer_and_review(client, tree, bad):
    user = department_user(tree.dept_a)
    verified_login(client, user)
    detail = reverse("supervision:rectification_detail", args=[bad.pk])
    assert "办证" in client.get(reverse("supervision:rectification_list")).content.decode()
    assert "提交整改情况" in client.get(detail).content.decode()
    response = client.post(
        reverse("supervision:rectification_answer", args=[bad.pk]), {"answer": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("supervision:rectification_appeal", args=[bad.pk]), {"reason": "不同意"}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    boss = supervisor(tree.city_bureau)
    client.logout()
    verified_login(client, boss)
    assert "不同意" in client.get(reverse("supervision:appeal_list")).content.decode()
    assert "提交审核" in client.get(detail).content.decode()
    response = client.post(
        reverse("supervision:appeal_review", args=[appeal.pk]),
        {"decision": "upheld", "comment": ""},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("supervision:appeal_review", args=[appeal.pk]),
        {"decision": "rejected", "comment": "理由不足"},
    )
    assert response.status_code == 302
    assert Rectification.objects.get().status == RectificationStatus.OPEN


def test_another_department_gets_404_on_the_detail_page(client, tree, bad):
    verified_login(client, department_user(tree.dept_b))
    response = client.get(reverse("supervision:rectification_detail", args=[bad.pk]))
    assert response.status_code == 404
    assert "办证" not in client.get(reverse("supervision:rectification_list")).content.decode()


def test_the_rectification_is_in_the_departments_inbox(tree, bad):
    from tongzheng.core.timed import open_tasks_for

    user = department_user(tree.dept_a)
    rows = [row for row in open_tasks_for(user) if row.model == "supervision.rectification"]
    assert [row.pk for row in rows] == [bad.pk]
    assert "办证" in rows[0].title
    assert rows[0].url == reverse("supervision:rectification_detail", args=[bad.pk])
    assert not [
        row
        for row in open_tasks_for(department_user(tree.dept_b))
        if row.model == "supervision.rectification"
    ]


def test_supervisors_see_rectifications_of_their_division_only(client, tree, bad):
    verified_login(client, supervisor(tree.city_bureau))
    assert "办证" in client.get(reverse("supervision:rectification_list")).content.decode()
    detail = reverse("supervision:rectification_detail", args=[bad.pk])
    assert client.get(detail).status_code == 200
    client.logout()
    verified_login(client, supervisor(tree.other_dept))
    assert "办证" not in client.get(reverse("supervision:rectification_list")).content.decode()
    assert client.get(detail).status_code == 404
