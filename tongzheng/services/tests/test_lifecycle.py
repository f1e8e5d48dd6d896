"""The application lifecycle through the actions: the happy path and the refused moves."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tongzheng.audit.models import AuditEvent
from tongzheng.services import actions
from tongzheng.services.models import (
    ApplicationStatus,
    TaskKind,
    TaskOutcome,
)
from tongzheng.services.tests.factories import handler, published_item, submitted_application

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def review_tasks(application):
    return list(application.tasks.filter(kind=TaskKind.REVIEW).order_by("pk"))


def test_parallel_stage_then_decision_result_and_close():
    item = published_item()
    application, code = submitted_application(item)
    assert application.status == S.SUBMITTED
    assert application.check_code(code) and not application.check_code("WRONG")
    window = handler(item.organisation)
    actions.accept(actor=window, application=application)
    application.refresh_from_db()
    assert application.status == S.REVIEWING
    assert application.started_at is not None and application.limit_working_days == 10
    first, second = review_tasks(application)
    assert first.finished_at is None and second.finished_at is None  # both run at once
    actions.decide_task(actor=handler(first.organisation), task=first, approve=True)
    application.refresh_from_db()
    assert application.status == S.REVIEWING  # waits for the other department
    actions.decide_task(actor=handler(second.organisation), task=second, approve=True)
    application.refresh_from_db()
    assert application.status == S.DECIDING
    actions.decide(actor=window, application=application, approve=True)
    actions.issue_result(actor=window, application=application, licence_number="建字第001号")
    actions.close(actor=window, application=application)
    application.refresh_from_db()
    assert application.status == S.CLOSED
    assert application.finished_at is not None
    assert application.replay_status() == S.CLOSED
    events = list(application.events.values_list("from_status", "to_status"))
    assert all(events[i][1] == events[i + 1][0] for i in range(len(events) - 1))
    assert AuditEvent.objects.filter(action="services.close").count() == 1
    assert not application.tasks.filter(finished_at__isnull=True).exists()


def test_one_refusal_ends_the_stage():
    item = published_item(refusal_ends_stage=True)
    application, _code = submitted_application(item)
    actions.accept(actor=handler(item.organisation), application=application)
    first, second = review_tasks(application)
    with pytest.raises(ValidationError):
        actions.decide_task(actor=handler(first.organisation), task=first, approve=False)
    actions.decide_task(
        actor=handler(first.organisation), task=first, approve=False, opinion="不符合规划"
    )
    application.refresh_from_db()
    second.refresh_from_db()
    assert application.status == S.DECIDING
    assert second.outcome == TaskOutcome.CANCELLED and second.finished_at is not None


def test_refusal_waits_for_all_when_the_stage_says_so():
    item = published_item(refusal_ends_stage=False, second_stage=True)
    application, _code = submitted_application(item)
    actions.accept(actor=handler(item.organisation), application=application)
    first, second = review_tasks(application)
    actions.decide_task(actor=handler(first.organisation), task=first, approve=False, opinion="否")
    application.refresh_from_db()
    assert application.status == S.REVIEWING
    actions.decide_task(actor=handler(second.organisation), task=second, approve=True)
    application.refresh_from_db()
    assert application.status == S.REVIEWING
    assert application.current_stage.name == "复核"


def test_illegal_moves_are_refused_in_chinese_and_change_nothing():
    item = published_item()
    application, _code = submitted_application(item)
    window = handler(item.organisation)
    with pytest.raises(ValidationError, match="尚未受理"):
        actions.decide(actor=window, application=application, approve=True)
    actions.accept(actor=window, application=application)
    with pytest.raises(ValidationError, match="不能重复受理"):
        actions.accept(actor=window, application=application)
    with pytest.raises(ValidationError, match="理由"):
        actions.refuse_acceptance(actor=window, application=application, reason="  ")
    application.refresh_from_db()
    assert application.events.count() == 2
    assert application.status == S.REVIEWING


def test_another_organisation_cannot_touch_it():
    item = published_item()
    application, _code = submitted_application(item)
    stranger = handler(published_item().organisation)
    with pytest.raises(Http404):
        actions.accept(actor=stranger, application=application)


def test_transaction_id_makes_a_retry_harmless():
    item = published_item()
    application, _code = submitted_application(item)
    window = handler(item.organisation)
    actions.accept(actor=window, application=application, transaction_id="k-1")
    actions.accept(actor=window, application=application, transaction_id="k-1")
    assert application.events.filter(action="accept").count() == 1


def test_submission_key_submits_once():
    item = published_item()
    first, code = submitted_application(item, submission_key="s-1")
    again, no_code = actions.submit(
        actor=first.applicant, item=item, form_data={}, submission_key="s-1"
    )
    assert again.pk == first.pk and code and no_code is None


def test_supplement_stops_every_clock_until_resubmission():
    item = published_item()
    application, _code = submitted_application(item)
    window = handler(item.organisation)
    material = application.version.materials.first()
    actions.request_supplement(actor=window, application=application, materials=[material])
    application.refresh_from_db()
    assert application.status == S.SUPPLEMENT
    acceptance = application.tasks.get(kind=TaskKind.ACCEPTANCE)
    assert acceptance.paused_since is not None
    with pytest.raises(ValidationError):
        actions.accept(actor=window, application=application)
    actions.resubmit(actor=application.applicant, application=application)
    application.refresh_from_db()
    acceptance.refresh_from_db()
    assert application.status == S.SUBMITTED and acceptance.paused_since is None
    with pytest.raises(ValidationError, match="一次性"):
        actions.request_supplement(actor=window, application=application, other_items="再补")


def test_special_procedure_suspends_and_resumes():
    item = published_item()
    application, _code = submitted_application(item)
    window = handler(item.organisation)
    actions.accept(actor=window, application=application)
    actions.start_special_procedure(
        actor=window, application=application, kind="hearing", reason="利害关系人申请听证"
    )
    application.refresh_from_db()
    assert application.status == S.SUSPENDED and application.paused_since is not None
    assert all(t.paused_since for t in application.tasks.filter(finished_at__isnull=True))
    actions.end_special_procedure(actor=window, application=application, outcome="听证完毕")
    application.refresh_from_db()
    assert application.status == S.REVIEWING and application.paused_since is None
