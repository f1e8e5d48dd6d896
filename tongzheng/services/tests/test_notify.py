"""办件状态通知: exactly one message to the applicant per state change, in the action's
transaction (rolled back with it), through the notification outbox."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

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


def test_one_message_per_state_change_over_a_whole_lifecycle():
    item = published_item()
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
    first, second = application.tasks.filter(kind=TaskKind.REVIEW).order_by("pk")
    actions.decide_task(actor=handler(first.organisation), task=first, approve=True)  # no move
    actions.decide_task(actor=handler(second.organisation), task=second, approve=True)
    application.refresh_from_db()
    actions.decide(actor=window, application=application, approve=True)
    actions.issue_result(actor=window, application=application, licence_number="建字第9号")
    actions.close(actor=window, application=application)

    moves = ApplicationEvent.objects.filter(application=application).exclude(
        from_status=F("to_status")
    )
    assert moves.count() == len(site_messages(application))
    statuses = [S(e.to_status).label for e in moves.order_by("sequence")]
    for message, label in zip(site_messages(application), statuses, strict=True):
        assert application.number in message.subject
        if label != S.SUBMITTED.label:
            assert str(label) in message.body, (label, message.body)
    # E-mail too (the applicant has an address), one per site message.
    email = Notification.objects.filter(
        recipient=citizen, channel=NotificationChannel.EMAIL, about_id=str(application.pk)
    )
    assert email.count() == moves.count()


def test_resubmission_is_announced_by_the_receiver_with_a_link():
    item = published_item()
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.request_supplement(
        actor=handler(item.organisation), application=application, other_items="身份证明"
    )
    before = len(site_messages(application))
    actions.resubmit(actor=citizen, application=application)
    messages = site_messages(application)
    assert len(messages) == before + 1
    assert "待受理" in messages[-1].body and "5 个工作日" in messages[-1].body
    assert f"/services/applications/{application.number}/" in messages[-1].body


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


def test_which_events_the_actions_announce_themselves():
    item = published_item()
    citizen = applicant()
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    submit = application.events.get(action="submit")
    assert notify.announced_by_action(submit)
    actions.accept(actor=handler(item.organisation), application=application)
    assert notify.announced_by_action(application.events.get(action="accept"))
    actions.request_supplement(
        actor=handler(item.organisation), application=application, other_items="材料"
    )
    actions.resubmit(actor=citizen, application=application)
    assert not notify.announced_by_action(application.events.get(action="resubmit"))


def test_channels_follow_the_setting(settings):
    settings.SERVICES_NOTIFY_CHANNELS = ("site",)
    item = published_item()
    citizen = applicant(email="li@example.cn")
    application, _code = actions.submit(actor=citizen, item=item, form_data={})
    actions.request_supplement(
        actor=handler(item.organisation), application=application, other_items="身份证明"
    )
    actions.resubmit(actor=citizen, application=application)
    resubmitted = Notification.objects.filter(
        recipient=citizen, about_id=str(application.pk), body__contains="/services/applications/"
    )
    assert list(resubmitted.values_list("channel", flat=True)) == [NotificationChannel.SITE]
