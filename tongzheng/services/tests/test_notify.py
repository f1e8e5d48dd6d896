"""办件状态通知: exactly one message to the applicant per state change, written by the
action in its transaction (rolled back with it), through the notification outbox — and
no second path (a bare ``ApplicationEvent`` save notifies nobody)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tongzheng.core.models import Notification, NotificationChannel
from tongzheng.services import actions, notify
from tongzheng.services.models import ApplicationEvent, ApplicationStatus, TaskKind
from tongzheng.services.tests.factories import applicant, handler, published_item

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def site_messages(application):
    return list(
        Notification.objects.filter(
            recipient=application.applicant,
            channel=NotificationChannel.SITE,
            about_type="services.application",
            about_id=str(application.pk),
        ).order_by("pk")
    )


def assert_one_message_per_change(application):
    """Each status change (and an extension) has its message, in order, and nothing else."""
    announced = [e for e in application.events.order_by("sequence") if notify.announces(e)]
    messages = site_messages(application)
    assert len(messages) == len(announced), [(e.action, e.to_status) for e in announced]
    for message, event in zip(messages, announced, strict=True):
        assert application.number in message.subject
        assert str(S(event.to_status).label) in message.body, (event.action, message.body)
        assert f"/services/applications/{application.number}/" in message.body


def review_tasks(application, stage_order=1):
    return list(
        application.tasks.filter(kind=TaskKind.REVIEW, stage__order=stage_order).order_by("pk")
    )


def test_one_message_per_state_change_over_a_whole_lifecycle():
    item = published_item(second_stage=True)
    citizen = applicant(email="zhang@example.cn")
    draft = actions.save_draft(actor=citizen, item=item, form_data={"申请内容": "新建"})
    assert site_messages(draft) == []  # a draft tells nobody
    application, _code = actions.submit(actor=citizen, application=draft)
    window = handler(item.organisation)
    actions.request_supplement(
        actor=window, application=application, other_items="法定代表人身份证明"
    )
    actions.resubmit(actor=citizen, application=application)
    actions.accept(actor=window, application=application)
    # 并联: the first department's opinion moves nothing and tells nobody; the second one
    # completes the stage, which starts the next stage (still 审查中: no message either).
    first, second = review_tasks(application)
    before = len(site_messages(application))
    actions.decide_task(actor=handler(first.organisation), task=first, approve=True)
    assert len(site_messages(application)) == before
    actions.decide_task(actor=handler(second.organisation), task=second, approve=True)
    assert len(site_messages(application)) == before
    (review,) = review_tasks(application, stage_order=2)
    actions.start_special_procedure(
        actor=window, application=application, kind="expert_review", reason="组织专家评审"
    )
    actions.end_special_procedure(actor=window, application=application, outcome="评审通过")
    actions.decide_task(actor=window, task=review, approve=True)  # the last stage: 待决定
    assert len(site_messages(application)) == before + 3
    application.refresh_from_db()
    actions.decide(actor=window, application=application, approve=True)
    actions.issue_result(actor=window, application=application, licence_number="建字第9号")
    actions.close(actor=window, application=application)

    application.refresh_from_db()
    assert_one_message_per_change(application)
    moves = [e for e in application.events.all() if e.from_status != e.to_status]
    assert len(moves) == 10
    # E-mail too (the applicant has an address), one per site message.
    email = Notification.objects.filter(
        recipient=citizen, channel=NotificationChannel.EMAIL, about_id=str(application.pk)
    )
    assert email.count() == len(moves)
    assert "已提交" in site_messages(application)[0].subject


def test_a_refusal_that_ends_the_parallel_stage_sends_one_message():
    item = published_item(refusal_ends_stage=True)
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.accept(actor=handler(item.organisation), application=application)
    first, second = review_tasks(application)
    before = len(site_messages(application))
    actions.decide_task(
        actor=handler(first.organisation), task=first, approve=False, opinion="内部意见：不符合"
    )
    messages = site_messages(application)
    assert len(messages) == before + 1  # the other department's task closed: no message
    assert "待决定" in messages[-1].body
    assert "内部意见" not in messages[-1].body  # a department's opinion stays inside
    second.refresh_from_db()
    assert second.finished_at is not None
    assert_one_message_per_change(application)


def test_a_stage_waiting_for_everyone_sends_one_message_when_the_last_one_decides():
    item = published_item(refusal_ends_stage=False)
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.accept(actor=handler(item.organisation), application=application)
    first, second = review_tasks(application)
    before = len(site_messages(application))
    actions.decide_task(actor=handler(first.organisation), task=first, approve=False, opinion="否")
    assert len(site_messages(application)) == before
    actions.decide_task(actor=handler(second.organisation), task=second, approve=True)
    assert len(site_messages(application)) == before + 1
    assert_one_message_per_change(application)


def test_refusals_and_the_extension_carry_their_reasons():
    item = published_item()
    citizen = applicant()
    window = handler(item.organisation)
    refused, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.refuse_acceptance(actor=window, application=refused, reason="不属于本机关职权范围")
    assert "不属于本机关职权范围" in site_messages(refused)[-1].body
    assert_one_message_per_change(refused)

    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.accept(actor=window, application=application)
    actions.extend_limit(
        actor=window, application=application, working_days=5, reason="经负责人批准"
    )
    message = site_messages(application)[-1]
    assert "期限已延长" in message.subject and "经负责人批准" in message.body
    assert_one_message_per_change(application)


def test_resubmission_is_announced_with_the_next_step_and_a_link():
    item = published_item()
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.request_supplement(
        actor=handler(item.organisation), application=application, other_items="身份证明"
    )
    assert "身份证明" in site_messages(application)[-1].body  # what to supplement
    before = len(site_messages(application))
    actions.resubmit(actor=citizen, application=application)
    messages = site_messages(application)
    assert len(messages) == before + 1
    assert "待受理" in messages[-1].body and "5 个工作日" in messages[-1].body
    assert f"/services/applications/{application.number}/" in messages[-1].body


def test_an_event_saved_outside_the_actions_notifies_nobody():
    """No second path: the only writer of the applicant's messages is the action."""
    item = published_item()
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    before = Notification.objects.count()
    ApplicationEvent.objects.create(
        application=application,
        sequence=2,
        action="accept",
        actor=None,
        actor_role="",
        at=application.submitted_at,
        from_status=S.SUBMITTED,
        to_status=S.REVIEWING,
    )
    assert Notification.objects.count() == before


def test_a_replayed_action_sends_nothing_again():
    item = published_item()
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    window = handler(item.organisation)
    actions.accept(actor=window, application=application, transaction_id="form-1")
    before = len(site_messages(application))
    actions.accept(actor=window, application=application, transaction_id="form-1")
    assert len(site_messages(application)) == before
    assert_one_message_per_change(application)


def test_the_message_rolls_back_with_the_event():
    item = published_item()
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.request_supplement(
        actor=handler(item.organisation), application=application, other_items="身份证明"
    )
    before = Notification.objects.count()
    with pytest.raises(ValidationError), transaction.atomic():
        actions.resubmit(actor=citizen, application=application)
        raise ValidationError("回滚")
    assert Notification.objects.count() == before
    application.refresh_from_db()
    assert application.status == S.SUPPLEMENT


def test_channels_follow_the_setting(settings):
    settings.SERVICES_NOTIFY_CHANNELS = ("site",)
    item = published_item()
    citizen = applicant(email="li@example.cn")
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.accept(actor=handler(item.organisation), application=application)
    channels = Notification.objects.filter(recipient=citizen, about_id=str(application.pk))
    assert set(channels.values_list("channel", flat=True)) == {NotificationChannel.SITE}
