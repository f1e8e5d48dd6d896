"""The demo catalogue and application generator (``services.demo``) at the ``test`` scale.

Every generated application must be one the actions could have produced: its status is
the last event's, its events chain from status to status, its clock and its tasks' clocks
are what ``core.timed`` computes, its open tasks are the ones its status waits for, and
its 查询码 opens the status lookup. The same holds for what stops a clock (补正 notices and
special procedures) and for the 好差评 rows supervision keeps (ratings, rectifications,
appeals, re-ratings): each row is one that ``services.actions`` or supervision's actions
could have written at the time it carries.
"""

from collections import Counter, defaultdict
from itertools import chain as chained

import pytest
from django.db import transaction
from django.utils import timezone

from tongzheng.core.calendar import working_days_between
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
    SpecialKind,
    SpecialProcedure,
    Stage,
    StageTask,
    SupplementNotice,
    TaskKind,
    TaskOutcome,
)
from tongzheng.supervision.models import (
    Appeal,
    AppealDecision,
    Rating,
    Rectification,
    RectificationStatus,
)
from tongzheng.supervision.public import rating_indicators

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
#: Paused states: the open tasks are those of the state the pause returns to.
PAUSED = (S.SUPPLEMENT, S.SUSPENDED)


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
    for status in (S.SUBMITTED, S.REVIEWING, S.NOT_ACCEPTED, S.SUPPLEMENT, S.SUSPENDED):
        assert statuses[status] > 0, status
    assert set(statuses) <= set(OPEN_KIND) | set(PAUSED)


def _pauses(application):
    """(start, end or None, resume status, kind) of every 补正 notice and special procedure."""
    notices = [
        (n.issued_at, n.resubmitted_at, n.resume_status, None)
        for n in application.supplements.all()
    ]
    procedures = [
        (p.started_at, p.ended_at, p.resume_status, p.kind)
        for p in application.special_procedures.all()
    ]
    return sorted(notices + procedures, key=lambda pause: pause[0])


def _paused_days(pauses, since, until):
    """Working days of the pauses that ended within [since, until]."""
    return sum(
        working_days_between(start, end)
        for start, end, _resume, _kind in pauses
        if end is not None and since <= start and end <= until
    )


def test_status_events_clock_and_tasks_agree(demo_db):
    now = timezone.now()
    events = defaultdict(list)
    for event in ApplicationEvent.objects.order_by("application_id", "sequence"):
        events[event.application_id].append(event)
    tasks = defaultdict(list)
    for task in ApplicationTask.objects.all():
        tasks[task.application_id].append(task)
        assert (task.finished_at is None) == (task.outcome == TaskOutcome.PENDING)
        assert task.finished_at is None or task.started_at <= task.finished_at <= now
        assert task.division_path == task.organisation.division_path
    results = set(Result.objects.values_list("application_id", flat=True))
    applications = Application.objects.select_related("version").prefetch_related(
        "supplements", "special_procedures"
    )
    for application in applications:
        chain = events[application.pk]
        # The status is the last event's; each event starts where the previous ended.
        assert [e.sequence for e in chain] == list(range(1, len(chain) + 1))
        assert chain[0].action == "submit" and chain[0].from_status == S.DRAFT
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status
            assert before.at <= after.at <= now
        assert application.status == chain[-1].to_status == application.replay_status()
        assert application.submitted_at == application.created_at == chain[0].at
        pauses = _pauses(application)
        open_pauses = [p for p in pauses if p[1] is None]
        paused = application.status in PAUSED
        assert len(open_pauses) == paused
        # The clock runs from 受理 with the version's promised limit, stops during the
        # pauses after 受理 (their working days move the deadline) and at 办结.
        if application.accepted_at is None:
            assert application.started_at is None and application.due_at is None
            assert application.paused_working_days == 0 and application.paused_since is None
        else:
            assert application.started_at == application.accepted_at
            assert application.limit_working_days == application.version.promised_limit
            assert application.paused_working_days == _paused_days(
                pauses, application.started_at, now
            )
            assert (application.due_at, application.warning_at) == deadline(
                application.started_at,
                application.limit_working_days + application.paused_working_days,
            )
            assert application.paused_since == (open_pauses[0][0] if paused else None)
        assert (application.finished_at is not None) == (application.status == S.CLOSED)
        if application.status == S.CLOSED:
            assert application.finished_at == application.closed_at == chain[-1].at
        if application.status == S.NOT_ACCEPTED:
            assert application.closed_at == chain[-1].at and application.decision_reason
        # Each task's clock is core.timed's, stopped by the pauses it lived through.
        for task in tasks[application.pk]:
            assert task.paused_working_days == _paused_days(
                pauses, task.started_at, task.finished_at or now
            )
            assert (task.due_at, task.warning_at) == deadline(
                task.started_at, task.limit_working_days + task.paused_working_days
            )
            assert task.paused_since == (
                open_pauses[0][0] if paused and task.finished_at is None else None
            )
        # The open tasks are exactly those the status waits for (a pause keeps those of
        # the state it returns to, stopped).
        waiting = open_pauses[0][2] if paused else application.status
        open_tasks = [t for t in tasks[application.pk] if t.finished_at is None]
        wanted = OPEN_KIND[waiting]
        assert {t.kind for t in open_tasks} == ({wanted} if wanted else set()), waiting
        if waiting == S.REVIEWING:
            assert application.current_stage is not None
            assert {t.stage_id for t in open_tasks} == {application.current_stage_id}
            # 并联: every department of the stage is still open while it is stopped.
            if paused:
                assert len(open_tasks) == application.current_stage.tasks.count()
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


def test_supplements_are_what_request_supplement_and_resubmit_write(demo_db):
    notices = SupplementNotice.objects.select_related("application").prefetch_related("materials")
    assert notices.filter(resubmitted_at__isnull=True).exists()
    assert notices.filter(resubmitted_at__isnull=False).exists()
    assert {n.resume_status for n in notices} == {S.SUBMITTED, S.REVIEWING}
    for notice in notices:
        application = notice.application
        materials = list(notice.materials.all())
        assert materials or notice.other_items  # 一次性告知: something to supplement
        assert all(m.version_id == application.version_id for m in materials)
        asked = application.events.get(action="request_supplement", at=notice.issued_at)
        assert (asked.from_status, asked.to_status) == (notice.resume_status, S.SUPPLEMENT)
        assert asked.actor_id == notice.issued_by_id and asked.organisation_id
        for name in [m.name for m in materials] + [notice.other_items]:
            assert name in asked.note
        answers = application.events.filter(action="resubmit", at=notice.resubmitted_at)
        if notice.resubmitted_at is None:
            assert application.status == S.SUPPLEMENT
        else:
            (answer,) = answers
            assert (answer.from_status, answer.to_status) == (S.SUPPLEMENT, notice.resume_status)
            # The applicant answers, not the department.
            assert answer.actor_id == application.applicant_id and answer.organisation is None
    # Once before 受理 and once in 审查 at most (request_supplement's rule).
    per_phase = Counter(notices.values_list("application_id", "resume_status"))
    assert max(per_phase.values()) == 1


def test_special_procedures_are_what_start_and_end_special_procedure_write(demo_db):
    procedures = SpecialProcedure.objects.select_related("application")
    assert procedures.filter(ended_at__isnull=True).exists()
    assert procedures.filter(ended_at__isnull=False).exists()
    assert {p.kind for p in procedures} >= {"hearing", "expert_review", "testing"}
    assert {p.resume_status for p in procedures} == {S.REVIEWING, S.DECIDING}
    for procedure in procedures:
        application = procedure.application
        assert procedure.reason and procedure.started_by_id
        start = application.events.get(action="start_special_procedure", at=procedure.started_at)
        assert (start.from_status, start.to_status) == (procedure.resume_status, S.SUSPENDED)
        assert start.note.startswith(str(SpecialKind(procedure.kind).label))
        if procedure.ended_at is None:
            assert application.status == S.SUSPENDED
            assert not procedure.outcome and procedure.ended_by_id is None
        else:
            end = application.events.get(action="end_special_procedure", at=procedure.ended_at)
            assert (end.from_status, end.to_status) == (S.SUSPENDED, procedure.resume_status)
            assert end.note == procedure.outcome and procedure.ended_by_id


def test_ratings_are_what_the_public_rating_page_and_supervision_write(demo_db):
    now = timezone.now()
    keys = {key for key, _label in rating_indicators()}
    ratings = list(Rating.objects.order_by("pk"))
    applications = Application.objects.select_related("version").in_bulk(
        [int(r.subject_id) for r in ratings]
    )
    firsts = [r for r in ratings if r.rerating_of_id is None]
    rateable = Application.objects.filter(status__in=(S.CLOSED, S.NOT_ACCEPTED)).count()
    # About half of the finished applications are rated, nearly all of them well.
    assert 0.3 * rateable < len(firsts) < 0.6 * rateable
    levels = Counter(r.level for r in firsts)
    assert set(levels) == {1, 2, 3, 4, 5}
    assert levels[5] > len(firsts) / 2 and sum(r.is_bad for r in firsts) < len(firsts) / 10
    for rating in ratings:
        application = applications[int(rating.subject_id)]
        # record_rating's subject, through services.public.rating_subject.
        assert rating.subject_type == "services.application"
        assert application.status in (S.CLOSED, S.NOT_ACCEPTED)
        assert rating.subject_repr == application.timed_title()
        assert rating.organisation_id == application.organisation_id
        assert rating.division_path == application.division_path
        assert rating.rater_id == application.applicant_id
        assert application.closed_at <= rating.rated_at <= now
        assert set(rating.indicators) == (keys if application.channel == "online" else set())
        assert all(1 <= v <= 5 for v in rating.indicators.values())
        assert rating.excluded is False or rating.rectification.status == "withdrawn"


def test_bad_ratings_are_rectified_appealed_and_rerated_as_supervision_does(demo_db):
    now = timezone.now()
    rectifications = Rectification.objects.select_related("rating").prefetch_related("appeals")
    bad = Rating.objects.filter(rerating_of__isnull=True, level__lte=2)
    assert rectifications.count() == bad.count() > 0
    statuses = Counter(r.status for r in rectifications)
    for status in (RectificationStatus.OPEN, RectificationStatus.ANSWERED, "closed"):
        assert statuses[status] > 0, status
    assert Appeal.objects.exists()  # an appeal or two
    for rectification in rectifications:
        rating = rectification.rating
        assert rating.is_bad and rating.rerating_of_id is None
        assert rectification.organisation_id == rating.organisation_id
        assert rectification.division_path == rating.division_path
        assert rectification.started_at == rectification.created_at == rating.rated_at
        assert rectification.limit_working_days == Rectification.DEFAULT_LIMIT_WORKING_DAYS
        assert (rectification.due_at, rectification.warning_at) == deadline(
            rectification.started_at,
            rectification.limit_working_days + rectification.paused_working_days,
        )
        appeals = list(rectification.appeals.all())
        assert len(appeals) <= 1  # 每条差评只能申诉一次
        appeal = appeals[0] if appeals else None
        reviewed = appeal and appeal.decision != AppealDecision.PENDING
        if appeal:
            assert rating.rated_at <= appeal.filed_at <= now
            assert appeal.filed_by_id and appeal.reason
            assert bool(reviewed) == bool(appeal.reviewed_at and appeal.reviewed_by_id)
        # file_appeal stops the clock until review_appeal decides.
        assert rectification.paused_working_days == (
            working_days_between(appeal.filed_at, appeal.reviewed_at) if reviewed else 0
        )
        status = rectification.status
        assert (status == RectificationStatus.APPEALED) == bool(appeal and not reviewed)
        assert rectification.paused_since == (
            appeal.filed_at if status == RectificationStatus.APPEALED else None
        )
        assert (status == RectificationStatus.WITHDRAWN) == bool(
            appeal and appeal.decision == AppealDecision.UPHELD
        )
        assert rating.excluded == (status == RectificationStatus.WITHDRAWN)
        if status == RectificationStatus.WITHDRAWN:
            assert rectification.finished_at == appeal.reviewed_at
        answered = status in (RectificationStatus.ANSWERED, RectificationStatus.CLOSED)
        assert bool(rectification.answer) == answered == bool(rectification.answered_by_id)
        assert (rectification.finished_at is None) == (
            status in (RectificationStatus.OPEN, RectificationStatus.APPEALED)
        )
        if answered and appeal:
            assert appeal.reviewed_at <= rectification.finished_at
        # 复评 only after the answer, by the same rater, and it closes the rectification.
        rerating = Rating.objects.filter(rerating_of=rating).first()
        assert (rerating is not None) == (status == RectificationStatus.CLOSED)
        if rerating:
            assert rectification.finished_at <= rerating.rated_at <= now
            assert (rerating.subject_type, rerating.subject_id, rerating.rater_id) == (
                rating.subject_type,
                rating.subject_id,
                rating.rater_id,
            )


def test_pauses_and_ratings_come_in_realistic_proportions(demo_db):
    total = Application.objects.count()
    notices = SupplementNotice.objects.count()
    procedures = SpecialProcedure.objects.count()
    assert 0.04 * total < notices < 0.15 * total
    assert 0.01 * total < procedures < 0.1 * total
    reported = demo_db.counts
    for key, model in (
        ("services_supplements", SupplementNotice),
        ("services_special_procedures", SpecialProcedure),
        ("supervision_ratings", Rating),
        ("supervision_rectifications", Rectification),
        ("supervision_appeals", Appeal),
    ):
        assert reported[key] == model.objects.count(), key
    # A clock is stopped exactly while a notice or a procedure is open (supervision
    # counts these as 暂停, never as red cards).
    stopped = set(
        chained(
            ApplicationTask.objects.paused().values_list("application_id", flat=True),
            Application.objects.paused().values_list("pk", flat=True),
        )
    )
    assert stopped == set(
        Application.objects.filter(status__in=PAUSED).values_list("pk", flat=True)
    )


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
