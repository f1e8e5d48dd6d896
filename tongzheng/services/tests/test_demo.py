"""The demo catalogue and application generator (``services.demo``) at the ``test`` scale.

Every generated application must be one the actions could have produced: its status is
the last event's, its events chain from status to status, its clock and its tasks' clocks
are what ``core.timed`` computes, its open tasks are the ones its status waits for, and
its 查询码 opens the status lookup.
"""

from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from tongzheng.core.demo import generate
from tongzheng.core.registry import platform
from tongzheng.core.timed import deadline
from tongzheng.services.demo import SCALE_APPLICATIONS, demo_query_code, generate_applications
from tongzheng.services.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationTask,
    ItemVersion,
    Result,
    ServiceItem,
    Stage,
    StageTask,
    TaskKind,
    TaskOutcome,
)

SEED = 23
S = ApplicationStatus
#: The kind of the task each status waits for (None: nothing is open).
OPEN_KIND = {
    S.SUBMITTED: TaskKind.ACCEPTANCE,
    S.REVIEWING: TaskKind.REVIEW,
    S.DECIDING: TaskKind.DECISION,
    S.APPROVED: TaskKind.RESULT,
    S.ISSUED: None,
    S.REFUSED: None,
    S.CLOSED: None,
    S.NOT_ACCEPTED: None,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One generation shared by the module's tests, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        report, _logins = generate("test", seed=SEED, options={"applications": 1500})
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def demo_db(demo, db):
    return demo


def test_the_demo_command_calls_the_registered_generator(demo_db):
    assert generate_applications in platform.demo_generators
    counts = demo_db.counts
    assert counts["services_applications"] == Application.objects.count() == 1500
    assert counts["services_tasks"] == ApplicationTask.objects.count()
    assert counts["services_events"] == ApplicationEvent.objects.count()
    assert counts["services_results"] == Result.objects.count()
    assert counts["services_items"] == ServiceItem.objects.count() > 10
    assert SCALE_APPLICATIONS["county"] <= 10_000  # `make run` stays quick


def test_catalogue_items_versions_and_parallel_stages(demo_db):
    for item in ServiceItem.objects.select_related("current_version"):
        numbers = list(item.versions.values_list("number", flat=True))
        assert item.current_version.number == max(numbers)
        assert item.division_path == item.organisation.division_path
    assert ItemVersion.objects.filter(number=2).exists()
    assert not Stage.objects.filter(tasks__isnull=True).exists()
    parallel = [s for s in Stage.objects.all() if StageTask.objects.filter(stage=s).count() > 1]
    assert parallel
    for version in ItemVersion.objects.all():
        assert version.materials.exists()
        assert version.promised_limit <= version.legal_limit


def test_every_status_occurs(demo_db):
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert statuses[S.CLOSED] > 700
    for status in (S.SUBMITTED, S.REVIEWING, S.NOT_ACCEPTED):
        assert statuses[status] > 0, status
    assert set(statuses) <= set(OPEN_KIND)


def test_status_events_clock_and_tasks_agree(demo_db):
    now = timezone.now()
    events = defaultdict(list)
    for event in ApplicationEvent.objects.order_by("application_id", "sequence"):
        events[event.application_id].append(event)
    tasks = defaultdict(list)
    for task in ApplicationTask.objects.all():
        tasks[task.application_id].append(task)
        # Each task's clock is core.timed's, stopped before now when finished.
        assert (task.due_at, task.warning_at) == deadline(task.started_at, task.limit_working_days)
        assert (task.finished_at is None) == (task.outcome == TaskOutcome.PENDING)
        assert task.finished_at is None or task.started_at <= task.finished_at <= now
        assert task.division_path == task.organisation.division_path
    results = set(Result.objects.values_list("application_id", flat=True))
    for application in Application.objects.select_related("version"):
        chain = events[application.pk]
        # The status is the last event's; each event starts where the previous ended.
        assert [e.sequence for e in chain] == list(range(1, len(chain) + 1))
        assert chain[0].action == "submit" and chain[0].from_status == S.DRAFT
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status
            assert before.at <= after.at <= now
        assert application.status == chain[-1].to_status == application.replay_status()
        assert application.submitted_at == application.created_at == chain[0].at
        # The clock runs from 受理 with the version's promised limit; stops at 办结.
        if application.accepted_at is None:
            assert application.started_at is None and application.due_at is None
        else:
            assert application.started_at == application.accepted_at
            assert application.limit_working_days == application.version.promised_limit
            assert (application.due_at, application.warning_at) == deadline(
                application.started_at, application.limit_working_days
            )
        assert (application.finished_at is not None) == (application.status == S.CLOSED)
        if application.status == S.CLOSED:
            assert application.finished_at == application.closed_at == chain[-1].at
        if application.status == S.NOT_ACCEPTED:
            assert application.closed_at == chain[-1].at and application.decision_reason
        # The open tasks are exactly those the status waits for.
        open_kinds = {t.kind for t in tasks[application.pk] if t.finished_at is None}
        wanted = OPEN_KIND[application.status]
        assert open_kinds == ({wanted} if wanted else set()), application.status
        if application.status == S.REVIEWING:
            assert application.current_stage is not None
            assert {t.stage_id for t in tasks[application.pk] if t.finished_at is None} == {
                application.current_stage_id
            }
        else:
            assert application.current_stage_id is None
        issued = any(e.action == "issue_result" for e in chain)
        assert issued == (application.pk in results)
        # The version current when it was filed.
        filed = application.version
        later = ItemVersion.objects.filter(
            item=application.item_id, number__gt=filed.number, published_at__lte=chain[0].at
        )
        assert not later.exists()
        assert filed.published_at <= chain[0].at


def test_demo_query_codes_open_the_lookup(demo_db):
    for application in Application.objects.order_by("?")[:50]:
        assert application.check_code(demo_query_code(SEED, application.number))
        assert not application.check_code("AAAAAAAA")


def test_some_tasks_are_red_and_parallel_stages_run_together(demo_db):
    assert ApplicationTask.objects.red().exists() or ApplicationTask.objects.finished_late()
    review = defaultdict(set)
    for task in ApplicationTask.objects.filter(kind=TaskKind.REVIEW):
        review[(task.application_id, task.stage_id)].add(task.started_at)
    # Every department of one stage starts at the same moment (并联).
    assert all(len(starts) == 1 for starts in review.values())
