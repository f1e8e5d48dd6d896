"""The TimedTask mixin: deadlines on the official calendar, pauses, status in Python and SQL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tongzheng.accounts.tests.factories import CitizenFactory, RoleFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.core.tests.timedtest.models import PERMISSION, Errand
from tongzheng.core.timed import (
    CLOCK_FIELDS,
    TimedStatus,
    deadline,
    open_tasks_for,
    timed_querysets_for,
    timed_task_models,
)

pytestmark = pytest.mark.django_db


def at(month, day, hour=0, minute=0, second=0):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute, second))


def errand(started=None, limit=3, **kwargs):
    kwargs.setdefault("organisation", OrganisationFactory())
    task = Errand(title=kwargs.pop("title", "测试事项"), **kwargs)
    task.start(started or at(9, 29, 10), limit)
    task.save()
    return task


# 2026: 9-25 中秋 (Fri) off; 10-1..10-7 国庆 off; Saturday 10-10 is a working day (调休).


def test_due_is_the_end_of_the_nth_working_day_strictly_after_the_start():
    due_at, warning_at = deadline(at(9, 29, 10), 3)  # Tue; 9-30, 10-8, 10-9
    assert timezone.localtime(due_at).date() == datetime.date(2026, 10, 9)
    assert timezone.localtime(due_at).time() == datetime.time.max
    assert warning_at == at(10, 8)  # from the last working day before the due date


def test_a_limit_of_zero_is_due_the_same_day():
    due_at, warning_at = deadline(at(9, 29, 10), 0)
    assert timezone.localtime(due_at).date() == datetime.date(2026, 9, 29)
    assert warning_at == at(9, 28)


def test_status_is_derived_from_the_deadline_at_read_time():
    task = errand()
    assert task.status_at(at(9, 29, 12)) == TimedStatus.NORMAL
    assert task.status_at(at(10, 5, 12)) == TimedStatus.NORMAL  # holiday: 2 working days left
    assert task.status_at(at(10, 8, 9)) == TimedStatus.YELLOW
    assert task.status_at(at(10, 9, 23, 59)) == TimedStatus.YELLOW
    assert task.status_at(at(10, 10, 0, 0, 1)) == TimedStatus.RED


def test_remaining_working_days():
    task = errand()
    assert task.remaining_working_days(at(9, 29, 12)) == 3
    assert task.remaining_working_days(at(10, 3, 12)) == 2
    assert task.remaining_working_days(at(10, 9, 8)) == 0
    assert task.remaining_working_days(at(10, 12, 8)) == -2  # 10-10 (调休) and 10-12 overdue


def test_pause_stops_the_clock_and_resume_moves_the_deadline_by_the_working_days_paused():
    task = errand()
    task.pause(at(9, 30, 10))
    assert task.status_at(at(10, 20)) == TimedStatus.PAUSED
    assert task.remaining_working_days(at(10, 20)) == 2  # frozen where it stopped
    task.resume(at(10, 9, 10))  # stopped over 10-8 and 10-9: two working days
    assert task.paused_working_days == 2
    assert task.paused_since is None
    assert timezone.localtime(task.due_at).date() == datetime.date(2026, 10, 12)
    assert task.warning_at == at(10, 10)
    task.save(update_fields=CLOCK_FIELDS)
    task.refresh_from_db()
    assert timezone.localtime(task.due_at).date() == datetime.date(2026, 10, 12)


def test_wrong_moves_are_refused_in_chinese():
    task = errand()
    with pytest.raises(ValidationError, match="没有暂停"):
        task.resume(at(9, 30))
    task.pause(at(9, 30))
    with pytest.raises(ValidationError, match="已经暂停"):
        task.pause(at(9, 30, 11))
    with pytest.raises(ValidationError, match="不能早于"):
        task.resume(at(9, 29))
    task.finish(at(10, 8))  # a paused clock is resumed, then finished
    assert task.paused_since is None
    assert task.status_at(at(12, 1)) == TimedStatus.FINISHED
    with pytest.raises(ValidationError, match="已办结"):
        task.finish(at(10, 9))
    with pytest.raises(ValidationError, match="已办结"):
        task.pause(at(10, 9))


def test_extension_lengthens_the_limit():
    task = errand()
    task.extend(2)
    assert task.limit_working_days == 5
    assert timezone.localtime(task.due_at).date() == datetime.date(2026, 10, 12)
    with pytest.raises(ValidationError):
        task.extend(0)


def test_finished_late():
    on_time, late = errand(), errand()
    on_time.finish(at(10, 9, 18))
    late.finish(at(10, 10, 9))
    on_time.save()
    late.save()
    assert not on_time.finished_late and late.finished_late
    assert list(Errand.objects.finished_late()) == [late]


@pytest.fixture
def board():
    """One task in every state at NOW = 2026-10-08 09:00."""
    tasks = {
        "normal": errand(limit=10, title="normal"),
        "yellow": errand(limit=3, title="yellow"),
        "red": errand(limit=1, title="red"),  # due 9-30
        "paused": errand(limit=1, title="paused"),
        "finished": errand(limit=1, title="finished"),
    }
    tasks["paused"].pause(at(9, 29, 11))
    tasks["finished"].finish(at(9, 30, 12))
    for task in tasks.values():
        task.save()
    return tasks


NOW = at(10, 8, 9)


def test_sql_filters_match_the_python_status(board):
    assert list(Errand.objects.red(NOW)) == [board["red"]]
    assert list(Errand.objects.yellow(NOW)) == [board["yellow"]]
    assert list(Errand.objects.normal(NOW)) == [board["normal"]]
    assert list(Errand.objects.paused()) == [board["paused"]]
    assert list(Errand.objects.finished()) == [board["finished"]]
    for name, task in board.items():
        assert task.status_at(NOW) == name


def test_annotation_and_counts_agree_with_python_at_many_moments(board):
    moments = [at(9, 29, 12), at(9, 30, 23), at(10, 1, 0, 0, 1), NOW, at(10, 9, 20), at(10, 14)]
    for now in moments:
        annotated = dict(Errand.objects.with_clock_status(now).values_list("pk", "clock_status"))
        assert annotated == {t.pk: str(t.status_at(now)) for t in Errand.objects.all()}
        counts = Errand.objects.status_counts(now)
        assert sum(counts.values()) == len(board)
        for status, count in counts.items():
            assert count == list(annotated.values()).count(status)
    assert Errand.objects.status_counts(NOW) == {s: 1 for s in TimedStatus.values}


def test_the_test_model_is_registered():
    assert Errand in timed_task_models()


def test_open_tasks_for_is_scoped_merged_by_due_date_and_skips_finished():
    home, other = OrganisationFactory(), OrganisationFactory()
    role = RoleFactory(permissions=[PERMISSION], scope=DataScope.OWN_ORGANISATION)
    clerk = UserFactory(organisation=home, roles=[role])
    late = errand(limit=8, title="晚", organisation=home)
    early = errand(limit=2, title="早", organisation=home)
    done = errand(limit=1, title="完", organisation=home)
    done.finish(at(9, 30))
    done.save()
    errand(limit=1, title="他人", organisation=other)
    rows = open_tasks_for(clerk, now=NOW)
    assert [r.title for r in rows] == ["早", "晚"]
    assert rows[0].url == f"/errands/{early.pk}/"
    assert rows[0].status == TimedStatus.YELLOW
    assert rows[0].module == "测试模块"
    assert rows[1].due_at == late.due_at
    assert open_tasks_for(UserFactory(organisation=other), now=NOW) == []  # no permission
    assert open_tasks_for(CitizenFactory(), now=NOW) == []
    assert len(open_tasks_for(clerk, now=NOW, limit=1)) == 1


def test_supervision_reads_every_model_scoped_with_its_own_permission():
    home, other = OrganisationFactory(), OrganisationFactory()
    red_here = errand(limit=1, title="本单位超期", organisation=home)
    errand(limit=1, title="外单位超期", organisation=other)
    errand(limit=10, title="本单位正常", organisation=home)
    role = RoleFactory(permissions=["supervision.view_task"], scope=DataScope.OWN_ORGANISATION)
    supervisor = UserFactory(organisation=home, roles=[role])
    [(model, queryset)] = [
        pair
        for pair in timed_querysets_for(supervisor, "supervision.view_task")
        if pair[0] is Errand
    ]
    assert list(queryset.red(NOW)) == [red_here]
    assert queryset.status_counts(NOW)["normal"] == 1
    [(_model, nothing)] = [
        pair for pair in timed_querysets_for(supervisor, "timedtest.other") if pair[0] is Errand
    ]
    assert not nothing.exists()
