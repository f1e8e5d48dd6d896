"""在办计数: the trigger-kept counters equal a recount of the tasks after every clock move.

Every registered timed-task model gets tasks opened, paused, resumed, extended, moved to
another department, finished, reopened and deleted (through the model and through bulk
updates), and after each step ``OpenTaskCount`` must equal a count of the open tasks
made in Python. The dashboard read from the counters must equal the live count for every
data scope. Runs on SQLite (row triggers) and PostgreSQL (statement triggers).
"""

import datetime
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.core.access import DataScope
from tongzheng.core.timed import CLOCK_FIELDS, timed_task_models
from tongzheng.hotline.tests.factories import TicketFactory
from tongzheng.services import actions as services_actions
from tongzheng.services.tests.factories import handler, published_item, submitted_application
from tongzheng.staffing import actions as staffing_actions
from tongzheng.staffing.tests.factories import (
    UNIT_HR_PERMISSIONS,
    establishment_type,
    staffing_user,
)
from tongzheng.supervision import open_counts, public, queries
from tongzheng.supervision.models import OpenTaskCount
from tongzheng.supervision.tests.factories import city_tree, errand, red_errand, supervisor

pytestmark = pytest.mark.django_db(transaction=False)

DAY = datetime.timedelta(days=1)


def recount() -> dict:
    """The open tasks of every counted model, grouped as the counter groups them."""
    expected = Counter()
    for spec in open_counts.specs():
        for task in spec.model.objects.filter(finished_at__isnull=True, due_at__isnull=False):
            key = (
                spec.label,
                getattr(task, spec.organisation),
                getattr(task, spec.division_path) if spec.division_path else "",
                task.due_at,
                task.warning_at,
                task.paused_since is not None,
            )
            expected[key] += 1
    return dict(expected)


def stored() -> dict:
    return {
        (
            row.model,
            row.organisation_id,
            row.division_path,
            row.due_at,
            row.warning_at,
            row.paused,
        ): (row.tasks)
        for row in OpenTaskCount.objects.all()
    }


def assert_exact():
    assert stored() == recount()
    assert not OpenTaskCount.objects.filter(tasks=0).exists()


@pytest.fixture
def tree():
    return city_tree()


def open_one_of_each(tree) -> None:
    """At least one open task of every registered model, made the way its module makes it."""
    long_ago = timezone.now() - 30 * DAY
    errand(tree.dept_a, title="锦江正常", limit=20)
    red_errand(tree.dept_b, title="青羊超期")
    TicketFactory(started=long_ago, division=tree.county_a, organisation=tree.dept_a)
    TicketFactory(started=timezone.now(), division=tree.county_b)  # not dispatched yet
    item = published_item(organisation=tree.city_bureau, departments=[tree.dept_a])
    application, _code = submitted_application(item)
    services_actions.accept(actor=handler(tree.city_bureau), application=application)
    hr = staffing_user(tree.dept_b, UNIT_HR_PERMISSIONS, DataScope.OWN_ORGANISATION)
    staffing_actions.create_application(  # submitted at once: its review clock runs
        actor=hr,
        organisation=tree.dept_b,
        establishment_type=establishment_type("administrative"),
        slots=1,
        reason="补充人员",
    )
    rater = UserFactory()
    public.record_rating(
        subject=errand(tree.dept_a, title="被评价事项"),
        organisation=tree.dept_a,
        level=1,
        indicators={"attitude": 1},
        comment="很差",
        rater=rater,
    )


def test_every_registered_model_is_counted_and_has_an_open_task(tree):
    open_one_of_each(tree)
    labels = {model._meta.label_lower for model in timed_task_models()}
    assert open_counts.counted_labels() == labels
    assert {key[0] for key in recount()} == labels
    assert_exact()


def test_counts_follow_every_clock_move_in_every_module(tree):
    open_one_of_each(tree)
    assert_exact()
    now = timezone.now()
    for spec in open_counts.specs():
        for task in spec.model.objects.filter(finished_at__isnull=True, due_at__isnull=False):
            task.pause(now)
            task.save(update_fields=CLOCK_FIELDS)
            assert_exact()
            task.resume(now + 3 * DAY)
            task.save(update_fields=CLOCK_FIELDS)
            assert_exact()
            task.extend(2)
            task.save(update_fields=CLOCK_FIELDS)
            assert_exact()
            # Handed to another department (a plain save of every field).
            setattr(task, spec.organisation, tree.dept_b.pk)
            task.save()
            assert_exact()
            task.finish(now + 4 * DAY)
            task.save(update_fields=CLOCK_FIELDS)
            assert_exact()
        tasks = spec.model.objects.all()
        # Bulk statements: reopen every task, pause them all, move every deadline.
        tasks.update(finished_at=None)
        assert_exact()
        tasks.filter(due_at__isnull=False).update(paused_since=now)
        assert_exact()
        tasks.update(paused_since=None, due_at=now - DAY, warning_at=now - 2 * DAY)
        assert_exact()
        nullable = spec.model._meta.get_field(spec.organisation.removesuffix("_id")).null
        tasks.update(**{spec.organisation: None if nullable else tree.dept_a.pk})
        assert_exact()


def test_deleting_and_a_rolled_back_write_leave_the_counts_exact(tree):
    keep = errand(tree.dept_a, limit=5)
    gone = red_errand(tree.dept_a)
    assert_exact()
    gone.delete()
    assert_exact()
    with pytest.raises(RuntimeError), transaction.atomic():
        red_errand(tree.dept_b)
        keep.pause(timezone.now())
        keep.save()
        raise RuntimeError
    assert_exact()
    assert sum(stored().values()) == 1


def _viewer(organisation, scope):
    role = RoleFactory(
        code=f"viewer-{scope}", permissions=["supervision.view_dashboard"], scope=scope
    )
    return UserFactory(organisation=organisation, roles=[role])


def _figures(board):
    def c(counts):
        return (counts.red, counts.yellow, counts.normal, counts.paused)

    return (
        [(m.label, c(m.counts)) for m in board.modules],
        [(d.key, c(d.counts)) for d in board.divisions],
        [(d.key, c(d.counts)) for d in board.departments],
    )


def test_the_dashboard_from_the_counters_equals_the_live_count(tree, monkeypatch):
    open_one_of_each(tree)
    now = timezone.now()
    yellow = errand(tree.dept_b, limit=20)
    yellow.due_at, yellow.warning_at = now + datetime.timedelta(hours=2), now - DAY
    yellow.save()
    paused = errand(tree.other_dept, limit=5)
    paused.pause(timezone.now())
    paused.save()
    TicketFactory(started=now - 30 * DAY, division=tree.other_city)
    cases = [
        (supervisor(tree.city_bureau), {}),
        (supervisor(tree.city_bureau), {"division_code": tree.county_a.code}),
        (supervisor(tree.city_bureau), {"department_id": str(tree.dept_b.pk)}),
        (_viewer(tree.city_bureau, DataScope.ALL), {}),
        (_viewer(tree.dept_a, DataScope.OWN_ORGANISATION), {}),
        (_viewer(tree.city_bureau, DataScope.ORGANISATION_AND_BELOW), {}),
        (_viewer(tree.dept_b, DataScope.OWN_RECORDS), {}),
    ]
    for user, place in cases:
        counted = _figures(queries.dashboard(user, now=now, **place))
        with monkeypatch.context() as m:
            m.setattr(queries, "_counted_rows", lambda *args: ([], set()))
            live = _figures(queries.dashboard(user, now=now, **place))
        assert counted == live, (user, place)
    everything = queries.dashboard(_viewer(tree.city_bureau, DataScope.ALL), now=now)
    assert sum(m.counts.open for m in everything.modules) == sum(recount().values())
    assert sum(m.counts.yellow for m in everything.modules) >= 1
    assert sum(m.counts.paused for m in everything.modules) >= 1


def test_install_recounts_a_counter_that_went_wrong(tree):
    errand(tree.dept_a)
    OpenTaskCount.objects.update(tasks=99)
    open_counts.install()
    assert_exact()


def test_a_compiled_statement_is_reused_with_the_time_of_each_request(tree):
    """The dashboard keeps its compiled SQL per user and place; "now" is still per request."""
    task = errand(tree.dept_a, limit=3)
    user = supervisor(tree.city_bureau)
    before, after = task.warning_at - DAY, task.due_at + DAY
    for now, red in ((before, 0), (after, 1), (before, 0)):
        board = queries.dashboard(user, now=now)
        assert (board.totals.red, board.totals.normal) == (red, 1 - red)
        lists = queries.task_pages(user, ("red",), now=now)
        assert [row.pk for row in lists["red"]["rows"]] == ([task.pk] if red else [])


def test_after_a_failed_migrate_the_dashboard_counts_live_until_reinstalled(tree, caplog):
    """A migrate that fails after ``pre_migrate`` leaves the triggers dropped: the counter
    rows go stale, so the dashboard must not read them until ``install`` recounts."""
    open_one_of_each(tree)
    user = _viewer(tree.city_bureau, DataScope.ALL)
    now = timezone.now()
    before = _figures(queries.dashboard(user, now=now))
    open_counts.drop()  # what pre_migrate does; post_migrate never comes
    assert open_counts.counted_labels() == frozenset()
    assert "counted live" in caplog.text
    red_errand(tree.dept_b, title="迁移失败后新增")
    stale = sum(stored().values())
    assert stale < sum(recount().values())  # the counter missed the new task
    board = queries.dashboard(user, now=now)
    assert sum(m.counts.open for m in board.modules) == sum(recount().values())
    assert _figures(board) != before
    open_counts.install()  # the next successful migrate
    assert open_counts.counted_labels() == open_counts.countable_labels()
    assert_exact()
    assert _figures(queries.dashboard(user, now=now)) == _figures(board)


def test_on_postgresql_no_index_holds_the_count_so_updates_stay_in_their_page():
    """HOT updates need ``tasks`` in no index and room in the page (migration 0005)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's row triggers delete zeros through the partial index")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [OpenTaskCount._meta.db_table]
        )
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", [OpenTaskCount._meta.db_table]
        )
        options = cursor.fetchone()[0]
    assert definitions and not [d for d in definitions if "(tasks)" in d or "tasks =" in d]
    assert "fillfactor=70" in options
