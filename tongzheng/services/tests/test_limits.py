"""Time limits on the official calendar across the 2026 Spring Festival.

2026: 春节 holidays 15–23 February; Saturday 14 February and Saturday 28 February are
adjusted working days (调休). So from Thursday 12 February the working days are
13 (Fri), 14 (Sat, 调休), 24, 25, 26, 27, 28 (Sat, 调休), 2 March …
"""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from tongzheng.services import actions
from tongzheng.services.models import LimitUnit, TaskKind
from tongzheng.services.tests.factories import handler, published_item, submitted_application

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def local_due(task):
    return task.due_at.astimezone(TZ).date()


def test_working_day_limit_skips_the_festival_and_counts_the_adjusted_saturdays():
    item = published_item(promised_limit=5)
    with mock.patch.object(actions, "now", lambda: at(2, 12)):
        application, _code = submitted_application(item)
        actions.accept(actor=handler(item.organisation), application=application)
    application.refresh_from_db()
    # 13, 14 (调休), 24, 25, 26
    assert local_due(application) == datetime.date(2026, 2, 26)
    assert application.warning_at.astimezone(TZ).date() == datetime.date(2026, 2, 25)
    assert application.status_at(at(2, 24)) == "normal"
    assert application.status_at(at(2, 25)) == "yellow"
    assert application.status_at(at(2, 27)) == "red"
    assert application.remaining_working_days(at(2, 13)) == 4


def test_ten_working_days_reach_into_march():
    item = published_item(promised_limit=10)
    with mock.patch.object(actions, "now", lambda: at(2, 12)):
        application, _code = submitted_application(item)
        actions.accept(actor=handler(item.organisation), application=application)
    application.refresh_from_db()
    # 13, 14, 24, 25, 26, 27, 28 (调休), 2, 3, 4 March
    assert local_due(application) == datetime.date(2026, 3, 4)


def test_natural_day_limit_ending_in_the_holiday_runs_to_the_next_working_day():
    # An item whose limit is 5 natural days, from 12 February: the period ends on
    # 17 February (a holiday) and runs to the first working day after it, 24 February.
    item = published_item(promised_limit=5, limit_unit=LimitUnit.DAYS)
    with mock.patch.object(actions, "now", lambda: at(2, 12)):
        application, _code = submitted_application(item)
        actions.accept(actor=handler(item.organisation), application=application)
    application.refresh_from_db()
    assert application.limit_working_days == 3  # 13, 14 (调休), 24
    assert local_due(application) == datetime.date(2026, 2, 24)
    # An ordinary week: 5 days from Monday 2 March end on Saturday 7 March → Monday 9.
    assert actions.limit_in_working_days(at(3, 2), 5, LimitUnit.DAYS) == 5


def test_the_law_s_own_periods_are_working_days():
    # 行政许可法 第八十二条: 5 days to accept from Thursday 12 February are 13, 14 (调休),
    # 24, 25, 26 February.
    item = published_item()
    with mock.patch.object(actions, "now", lambda: at(2, 12)):
        application, _code = submitted_application(item)
    acceptance = application.tasks.get(kind=TaskKind.ACCEPTANCE)
    assert local_due(acceptance) == datetime.date(2026, 2, 26)


def test_an_extension_is_once_and_within_the_law():
    item = published_item(promised_limit=5)
    window = handler(item.organisation)
    with mock.patch.object(actions, "now", lambda: at(2, 12)):
        application, _code = submitted_application(item)
        actions.accept(actor=window, application=application)
        with pytest.raises(ValidationError, match="1至15"):  # two departments: joint
            actions.extend_limit(
                actor=window, application=application, working_days=16, reason="经负责人批准"
            )
        actions.extend_limit(
            actor=window, application=application, working_days=3, reason="经负责人批准"
        )
        with pytest.raises(ValidationError, match="一次"):
            actions.extend_limit(
                actor=window, application=application, working_days=1, reason="再延"
            )
    application.refresh_from_db()
    assert application.limit_working_days == 8
    assert local_due(application) == datetime.date(2026, 3, 2)  # 27, 28 (调休), 2 March


def test_a_hearing_over_the_festival_moves_the_deadline_by_its_working_days():
    item = published_item(promised_limit=5)
    window = handler(item.organisation)
    clock = {"now": at(2, 11)}
    with mock.patch.object(actions, "now", lambda: clock["now"]):
        application, _code = submitted_application(item)
        actions.accept(actor=window, application=application)
        application.refresh_from_db()
        assert local_due(application) == datetime.date(2026, 2, 25)  # 12,13,14,24,25
        clock["now"] = at(2, 13)
        actions.start_special_procedure(
            actor=window, application=application, kind="hearing", reason="申请听证"
        )
        clock["now"] = at(2, 24)
        actions.end_special_procedure(actor=window, application=application)
    application.refresh_from_db()
    # Paused from Friday 13 to Tuesday 24: the working days 14 (调休) and 24 are added.
    assert application.paused_working_days == 2
    assert local_due(application) == datetime.date(2026, 2, 27)


def test_a_stage_late_while_the_total_is_not_raises_a_supervision_warning():
    from tongzheng.supervision.public import warnings_for

    item = published_item(promised_limit=10, stage_limit=1)
    window = handler(item.organisation)
    clock = {"now": at(2, 12)}
    with mock.patch.object(actions, "now", lambda: clock["now"]):
        application, _code = submitted_application(item)
        actions.accept(actor=window, application=application)
        first, second = application.tasks.filter(kind=TaskKind.REVIEW).order_by("pk")
        actions.decide_task(actor=handler(first.organisation), task=first, approve=True)
        clock["now"] = at(2, 25)  # the stage's 1 working day ended on 13 February
        actions.decide_task(actor=handler(second.organisation), task=second, approve=True)
    kinds = [w.kind for w in warnings_for(application)]
    assert kinds == ["stage_over_limit"]
