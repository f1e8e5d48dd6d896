"""supervision.public: warnings, ratings and re-ratings as other modules call them."""

import pytest
from django.core.exceptions import ValidationError

from tongzheng.accounts.tests.factories import CitizenFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core import calendar
from tongzheng.core.models import Notification
from tongzheng.supervision import public
from tongzheng.supervision.actions import answer_rectification
from tongzheng.supervision.models import (
    Rating,
    Rectification,
    RectificationStatus,
    SystemWarning,
)
from tongzheng.supervision.tests.factories import city_tree, department_user, errand

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


def test_raise_warning_records_the_subject_without_a_foreign_key(tree):
    task = errand(tree.dept_a, title="营业执照")
    warning = public.raise_warning(
        kind="refused_without_reason", subject=task, organisation=tree.dept_a, detail="未写理由"
    )
    warning.refresh_from_db()
    assert warning.subject_type == "timedtest.errand"
    assert warning.subject_id == str(task.pk)
    assert warning.subject_repr == "营业执照"
    assert warning.division_path == tree.dept_a.division_path
    assert list(public.warnings_for(task)) == [warning]
    assert AuditEvent.objects.filter(action="supervision.raise_warning").count() == 1


def test_unknown_warning_kind_is_refused_and_nothing_written(tree):
    task = errand(tree.dept_a)
    with pytest.raises(ValidationError, match="未登记的预警类型"):
        public.raise_warning(kind="nonsense", subject=task, organisation=tree.dept_a)
    assert not SystemWarning.objects.exists()


def test_modules_can_register_their_own_warning_kinds(tree):
    public.register_warning_kind("timedtest.late_copy", "抄送超时")
    task = errand(tree.dept_a)
    public.raise_warning(kind="timedtest.late_copy", subject=task, organisation=tree.dept_a)
    assert "timedtest.late_copy" in {kind.code for kind in public.warning_kinds()}


def test_every_rule_of_the_domain_is_a_builtin_kind():
    codes = {kind.code for kind in public.warning_kinds()}
    assert {
        "refused_without_reason",
        "wrongly_accepted",
        "wrongly_refused",
        "over_promised_limit",
        "stage_over_limit",
        "preliminary_review_late",
        "not_online",
        "fee_without_basis",
    } <= codes


def test_a_good_rating_opens_no_rectification(tree):
    task = errand(tree.dept_a)
    rating = public.record_rating(
        subject=task,
        organisation=tree.dept_a,
        level=5,
        indicators={"platform": 5, "result": "4"},
        comment="很好",
        rater=CitizenFactory(),
    )
    assert rating.indicators == {"platform": 5, "result": 4}
    assert not Rectification.objects.exists()
    assert public.rating_state(task).can_rate is False


@pytest.mark.parametrize("level", [1, 2])
def test_a_bad_rating_opens_a_rectification_due_in_15_working_days(tree, level):
    rectifier = department_user(tree.dept_a)
    task = errand(tree.dept_a)
    rating = public.record_rating(
        subject=task, organisation=tree.dept_a, level=level, indicators={}, rater=CitizenFactory()
    )
    rectification = Rectification.objects.get(rating=rating)
    expected = calendar.add_working_days(rating.rated_at, 15)
    assert rectification.due_at.date() == expected
    assert rectification.status == RectificationStatus.OPEN
    assert Notification.objects.filter(recipient=rectifier, about_type="supervision.rectification")


def test_the_limit_is_configurable(tree, settings):
    settings.SUPERVISION_RECTIFICATION_LIMIT_WORKING_DAYS = 5
    task = errand(tree.dept_a)
    rating = public.record_rating(
        subject=task, organisation=tree.dept_a, level=1, indicators={}, rater=None
    )
    assert rating.rectification.limit_working_days == 5


@pytest.mark.parametrize(
    ("level", "indicators", "message"),
    [
        (0, {}, "评价等级"),
        ("x", {}, "评价等级"),
        (3, {"colour": 3}, "未知的评价指标"),
        (3, {"platform": 9}, "1 至 5"),
    ],
)
def test_bad_input_is_refused_in_chinese(tree, level, indicators, message):
    task = errand(tree.dept_a)
    with pytest.raises(ValidationError, match=message):
        public.record_rating(
            subject=task, organisation=tree.dept_a, level=level, indicators=indicators, rater=None
        )
    assert not Rating.objects.exists()


def test_a_subject_is_rated_once(tree):
    task = errand(tree.dept_a)
    public.record_rating(subject=task, organisation=tree.dept_a, level=4, indicators={}, rater=None)
    with pytest.raises(ValidationError, match="已经评价过"):
        public.record_rating(
            subject=task, organisation=tree.dept_a, level=1, indicators={}, rater=None
        )
    assert Rating.objects.count() == 1


def test_rerating_after_the_answer_closes_the_rectification(tree):
    citizen = CitizenFactory()
    rectifier = department_user(tree.dept_a)
    task = errand(tree.dept_a)
    rating = public.record_rating(
        subject=task, organisation=tree.dept_a, level=1, indicators={}, rater=citizen
    )
    with pytest.raises(ValidationError, match="没有待复评"):
        public.rerate(subject=task, level=4, indicators={}, rater=citizen)
    answer_rectification(actor=rectifier, pk=rating.rectification.pk, answer="已约谈窗口人员")
    assert Notification.objects.filter(recipient=citizen).exists()
    assert public.rating_state(task).can_rerate
    with pytest.raises(ValidationError, match="原评价人"):
        public.rerate(subject=task, level=4, indicators={}, rater=CitizenFactory())
    second = public.rerate(subject=task, level=4, indicators={"result": 4}, rater=citizen)
    assert second.rerating_of == rating
    state = public.rating_state(task)
    assert state.level == 4
    assert state.rectification_status == RectificationStatus.CLOSED
    assert not state.can_rerate
    with pytest.raises(ValidationError):
        public.rerate(subject=task, level=5, indicators={}, rater=citizen)
