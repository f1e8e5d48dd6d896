"""The notification outbox: same transaction, on-commit delivery, retries, channels, inbox."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import CitizenFactory, UserFactory
from tongzheng.audit.models import AuditEvent
from tongzheng.core import notifications
from tongzheng.core.models import Notification, NotificationStatus
from tongzheng.core.notifications import (
    NotConfiguredSms,
    PermanentFailure,
    TemporaryFailure,
    notify,
    register_channel,
)
from tongzheng.core.tests.factories import OrganisationFactory
from tongzheng.testing.clients import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email="zhang.san@example.gov.cn")


class FlakyEmail:
    """Fails ``failures`` times with a temporary error, then delivers."""

    name = "email"

    def __init__(self, failures):
        self.failures = failures
        self.sent = []

    def send(self, notification):
        if self.failures:
            self.failures -= 1
            raise TemporaryFailure("SMTP 421")
        self.sent.append(notification.pk)


class FakeSms:
    name = "sms"

    def __init__(self):
        self.sent = []

    def send(self, notification):
        if not notifications.recipient_address(notification).startswith("1"):
            raise PermanentFailure("号码无效")
        self.sent.append(notifications.recipient_address(notification))


@pytest.fixture
def channel():
    """Swap a channel in for one test and put the real one back afterwards."""
    saved = dict(notifications._channels)

    def swap(fake):
        register_channel(fake)
        return fake

    yield swap
    notifications._channels.clear()
    notifications._channels.update(saved)


def test_outbox_rows_are_written_in_the_callers_transaction_and_sent_on_commit(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = notify(recipient=user, subject="受理通知", body="您的申请已受理。")
        # Written but not delivered while the transaction is open.
        assert Notification.objects.filter(status=NotificationStatus.CREATED).count() == 2
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert {r.channel for r in rows} == {"site", "email"}
    assert set(Notification.objects.values_list("status", flat=True)) == {"delivered"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang.san@example.gov.cn"]
    assert mail.outbox[0].subject == "受理通知"


def test_a_rolled_back_change_sends_nothing(user, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        notify(recipient=user, subject="受理通知", body="……")
        raise Boom
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_the_address_is_stored_sealed_and_masked(user):
    row = notify(recipient=user, subject="s", body="b", channels=["email"])[0]
    row.refresh_from_db()
    assert "zhang.san" not in row.address_sealed
    assert row.address_masked == "z*******n@example.gov.cn"
    assert notifications.recipient_address(row) == "zhang.san@example.gov.cn"


def test_channels_without_an_address_are_skipped_and_bare_addresses_pick_their_channel():
    no_mail = UserFactory(email="")
    assert [r.channel for r in notify(recipient=no_mail, subject="s", body="b")] == ["site"]
    rows = notify(recipient="13800138000", subject="s", body="b", channels=["site", "sms"])
    assert [(r.channel, r.recipient_id) for r in rows] == [("sms", None)]


def test_failure_then_retry_with_exponential_backoff(user, channel, settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATION_MAX_ATTEMPTS = 5
    flaky = channel(FlakyEmail(failures=2))
    row = notify(recipient=user, subject="s", body="b", channels=["email"])[0]
    t0 = timezone.now()
    assert notifications.deliver(row.pk, now=t0) == NotificationStatus.TEMPORARY_FAILURE
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.next_attempt_at == t0 + datetime.timedelta(seconds=60)
    assert row.last_error == "SMTP 421"
    # Not due yet: the sweep leaves it alone.
    assert notifications.retry_due(now=t0 + datetime.timedelta(seconds=59)) == {}
    t1 = t0 + datetime.timedelta(seconds=60)
    assert notifications.retry_due(now=t1) == {"temporary_failure": 1}
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == t1 + datetime.timedelta(seconds=120)  # doubled
    t2 = t1 + datetime.timedelta(seconds=120)
    assert notifications.retry_due(now=t2) == {"delivered": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("delivered", 3, None)
    assert flaky.sent == [row.pk]
    assert notifications.retry_due(now=t2 + datetime.timedelta(days=1)) == {}


def test_attempts_run_out_into_a_permanent_failure(user, channel, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    channel(FlakyEmail(failures=10))
    row = notify(recipient=user, subject="s", body="b", channels=["email"])[0]
    now = timezone.now()
    notifications.deliver(row.pk, now=now)
    assert notifications.deliver(row.pk, now=now + datetime.timedelta(hours=1)) == (
        NotificationStatus.PERMANENT_FAILURE
    )
    row.refresh_from_db()
    assert row.next_attempt_at is None
    assert notifications.deliver(row.pk, now=now + datetime.timedelta(days=9)) is None


def test_unexpected_errors_count_as_temporary(user, channel):
    class Broken:
        name = "email"

        def send(self, notification):
            raise RuntimeError("bug")

    channel(Broken())
    row = notify(recipient=user, subject="s", body="b", channels=["email"])[0]
    assert notifications.deliver(row.pk) == NotificationStatus.TEMPORARY_FAILURE
    row.refresh_from_db()
    assert row.last_error == "RuntimeError: bug"


def test_sms_is_not_configured_by_default_a_permanent_failure_with_the_reason(
    django_capture_on_commit_callbacks,
):
    assert isinstance(notifications.get_channel("sms"), NotConfiguredSms)
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(recipient="13800138000", subject="s", body="b", channels=["sms"])[0]
    row.refresh_from_db()
    assert row.status == NotificationStatus.PERMANENT_FAILURE
    assert row.attempts == 1
    assert "未配置短信通道" in row.last_error
    assert row.address_masked == "138****8000"


def test_a_configured_sms_channel_is_used(channel, django_capture_on_commit_callbacks):
    sms = channel(FakeSms())
    with django_capture_on_commit_callbacks(execute=True):
        good = notify(recipient="13800138000", subject="s", body="b", channels=["sms"])[0]
        bad = notify(recipient="99999", subject="s", body="b", channels=["sms"])[0]
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == NotificationStatus.DELIVERED
    assert sms.sent == ["13800138000"]
    assert (bad.status, bad.last_error) == (NotificationStatus.PERMANENT_FAILURE, "号码无效")


def test_rows_whose_delivery_was_never_enqueued_are_swept_up(user):
    row = notify(recipient=user, subject="s", body="b", channels=["site"])[0]  # no commit here
    assert notifications.retry_due() == {}  # too fresh: its on-commit delivery may still run
    later = timezone.now() + notifications.STALE_CREATED + datetime.timedelta(seconds=1)
    assert notifications.retry_due(now=later) == {"delivered": 1}
    row.refresh_from_db()
    assert row.status == NotificationStatus.DELIVERED


def test_retry_command(user, channel):
    channel(FlakyEmail(failures=1))
    row = notify(recipient=user, subject="s", body="b", channels=["email"])[0]
    notifications.deliver(row.pk, now=timezone.now() - datetime.timedelta(days=1))
    from io import StringIO

    out = StringIO()
    call_command("notifications", "retry", stdout=out)
    row.refresh_from_db()
    assert row.status == NotificationStatus.DELIVERED
    assert "delivered: 1" in out.getvalue()


def test_the_delivery_task_runs_through_django_tasks(user):
    from tongzheng.core.tasks import deliver_notification

    row = notify(recipient=user, subject="s", body="b", channels=["site"])[0]
    result = deliver_notification.enqueue(row.pk)
    assert result.return_value == "delivered"


# ---- the in-site message box -----------------------------------------------------------


def deliver_site(recipient, subject):
    row = notify(recipient=recipient, subject=subject, body="正文", channels=["site"])[0]
    notifications.deliver(row.pk)
    return row


def test_only_the_recipient_sees_their_messages(client):
    organisation = OrganisationFactory()
    me, colleague = UserFactory(organisation=organisation), UserFactory(organisation=organisation)
    mine, theirs = deliver_site(me, "我的消息"), deliver_site(colleague, "同事的消息")
    login_verified(client, me)
    page = client.get(reverse("core:messages"))
    assert page.status_code == 200
    assert "我的消息" in page.text and "同事的消息" not in page.text
    assert notifications.unread_count(me) == 1
    # Another user's message is a 404, read or not, and stays unread.
    assert client.post(reverse("core:message_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    response = client.post(reverse("core:message_read", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert notifications.unread_count(me) == 0
    assert notifications.unread_count(colleague) == 1
    assert AuditEvent.objects.filter(action="core.read_message", object_id=str(mine.pk)).exists()


def test_mark_read_needs_post(client):
    me = UserFactory()
    mine = deliver_site(me, "消息")
    login_verified(client, me)
    assert client.get(reverse("core:message_read", args=[mine.pk])).status_code == 405


def test_citizens_have_no_workbench_message_box(client):
    citizen = CitizenFactory()
    mine = deliver_site(citizen, "办件已办结")
    client.force_login(citizen)
    assert client.get(reverse("core:messages")).status_code == 403
    assert client.post(reverse("core:message_read", args=[mine.pk])).status_code == 403
    # Their messages are kept for a portal page to show.
    assert list(notifications.site_messages_for(citizen)) == [mine]
    assert notifications.unread_count(citizen) == 1


def test_mark_all_read(client):
    me, other = UserFactory(), UserFactory()
    deliver_site(me, "一")
    deliver_site(me, "二")
    deliver_site(other, "三")
    login_verified(client, me)
    page = client.get(reverse("core:messages"))
    assert "2 条未读" in page.text
    assert client.post(reverse("core:messages_read_all")).status_code == 302
    assert notifications.unread_count(me) == 0
    assert notifications.unread_count(other) == 1


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("core:messages"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_temporary_failure_is_re_enqueued_for_its_next_attempt_when_the_backend_can_defer(
    user, channel, settings
):
    from django_tasks import task_backends

    from tongzheng.core.tasks import deliver_notification

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    channel(FlakyEmail(failures=1))
    row = notify(recipient=user, subject="s", body="b", channels=["email"])[0]
    assert deliver_notification.call(row.pk) == NotificationStatus.TEMPORARY_FAILURE
    row.refresh_from_db()
    [queued] = task_backends["default"].results
    assert queued.task.func == deliver_notification.func
    assert queued.args == [row.pk]
    assert queued.task.run_after == row.next_attempt_at
