"""The notification outbox (通知): in-site messages and e-mail by default, SMS behind an interface.

``notify(recipient=..., subject=..., body=...)`` writes one ``Notification`` row per channel
in the CALLER's transaction and asks for delivery with ``transaction.on_commit``: a change
that rolls back announces nothing, and a committed change is announced even when the mail
server is down (the row waits and is retried).

Delivery (``deliver``) runs in a background task (``tongzheng.core.tasks``): it claims the
row, hands it to the channel, and records the outcome:

- the channel returns → ``delivered``;
- it raises ``TemporaryFailure`` (or any unexpected error) → ``temporary_failure`` with
  ``next_attempt_at`` = now + ``NOTIFICATION_RETRY_BASE_SECONDS`` × 2^(attempts-1)
  (exponential backoff), until ``NOTIFICATION_MAX_ATTEMPTS`` → ``permanent_failure``;
- it raises ``PermanentFailure`` → ``permanent_failure`` at once, with the reason.

``tongzheng notifications retry`` (or the ``retry_due_notifications`` task) delivers every
row whose next attempt is due, and rows stuck in ``sending`` or ``created`` for too long.

Channels are pluggable: anything with a ``name`` and ``send(notification)`` registered
through ``register_channel``. SMS has no provider by default: ``NotConfiguredSms`` fails
permanently with a clear reason. A deployment sets ``TONGZHENG_SMS_CHANNEL`` (dotted path to
a channel class) or registers its own channel in an ``AppConfig.ready()``.
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.crypto import mask, seal, unseal
from tongzheng.core.models import Notification, NotificationChannel, NotificationStatus

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_RETRY_BASE_SECONDS = 60
# A row left in "sending" this long is taken to be from a worker that died mid-send.
STALE_SENDING = datetime.timedelta(minutes=15)
# A "created" row whose on-commit delivery never ran (process ended) is picked up after this.
STALE_CREATED = datetime.timedelta(minutes=5)


class DeliveryError(Exception):
    reason = ""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(DeliveryError):
    """Worth retrying later (server down, timeout, rate limit)."""


class PermanentFailure(DeliveryError):
    """Retrying will not help (no address, channel not configured, address rejected)."""


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> None:
        """Deliver, or raise TemporaryFailure / PermanentFailure."""


class SiteChannel:
    """站内消息: the row itself is the message; delivered as soon as it is committed."""

    name = NotificationChannel.SITE

    def send(self, notification: Notification) -> None:
        if notification.recipient_id is None:
            raise PermanentFailure(_("站内消息必须有接收用户。"))


class EmailChannel:
    """电子邮件 through Django's configured e-mail backend."""

    name = NotificationChannel.EMAIL

    def send(self, notification: Notification) -> None:
        address = recipient_address(notification)
        if not address:
            raise PermanentFailure(_("没有电子邮件地址。"))
        try:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=False,
            )
        except OSError as exc:  # SMTP errors and connection failures
            raise TemporaryFailure(_("邮件服务器暂时无法投递：%(error)s") % {"error": exc}) from exc


class NotConfiguredSms:
    """短信 without a provider: every message fails permanently, saying why."""

    name = NotificationChannel.SMS

    def send(self, notification: Notification) -> None:
        raise PermanentFailure(
            _("未配置短信通道：请设置 TONGZHENG_SMS_CHANNEL 或注册短信通道后再发送。")
        )


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Add or replace the channel for ``channel.name``."""
    if not isinstance(channel, Channel):
        raise TypeError(f"{channel!r} has no name and send(notification)")
    _channels[str(channel.name)] = channel


def get_channel(name: str) -> Channel:
    if name not in _channels:
        raise PermanentFailure(_("未知的通知渠道：%(name)s") % {"name": name})
    return _channels[name]


def _default_channels() -> None:
    register_channel(SiteChannel())
    register_channel(EmailChannel())
    sms_path = getattr(settings, "TONGZHENG_SMS_CHANNEL", "")
    register_channel(import_string(sms_path)() if sms_path else NotConfiguredSms())


_default_channels()


# ---- writing the outbox -----------------------------------------------------------------


def _user_address(user, channel: str) -> str:
    if channel == NotificationChannel.EMAIL:
        return user.email or ""
    if channel == NotificationChannel.SMS:
        phone = getattr(type(user), "phone", None)  # a SealedValue, when accounts has one
        return phone.unseal(user) if hasattr(phone, "unseal") else ""
    return ""


def _address_channel(address: str) -> str:
    return NotificationChannel.EMAIL if "@" in address else NotificationChannel.SMS


def recipient_address(notification: Notification) -> str:
    return unseal(notification.address_sealed) if notification.address_sealed else ""


def notify(
    *,
    recipient,
    subject: str,
    body: str,
    channels: Iterable[str] = (NotificationChannel.SITE, NotificationChannel.EMAIL),
    about=None,
) -> list[Notification]:
    """Write the outbox rows for one message in the caller's transaction; deliver on commit.

    ``recipient`` is a user or a bare address (an e-mail address or a mobile number, for
    people without an account). For a user, a channel the user has no address for
    (no e-mail) is skipped; for a bare address only its own channel is used.
    ``about`` is the object the message concerns (kept as type and id).
    """
    channels = [str(NotificationChannel(c)) for c in channels]
    about_type = about._meta.label_lower if about is not None else ""
    about_id = str(about.pk) if about is not None else ""
    rows = []
    for channel in channels:
        if isinstance(recipient, str):
            user, address = None, recipient.strip()
            if channel != _address_channel(address):
                continue
        else:
            user, address = recipient, _user_address(recipient, channel)
            if channel != NotificationChannel.SITE and not address:
                logger.info("notify: user %s has no %s address; skipped", user.pk, channel)
                continue
        rows.append(
            Notification(
                recipient=user,
                address_sealed=seal(address) if address else "",
                address_masked=_mask_address(address),
                channel=channel,
                subject=subject[:200],
                body=body,
                about_type=about_type,
                about_id=about_id,
            )
        )
    with transaction.atomic():
        for row in rows:
            row.save(force_insert=True)
        ids = [row.pk for row in rows]
        if ids:
            transaction.on_commit(lambda: enqueue_delivery(ids))
    return rows


def _mask_address(address: str) -> str:
    if not address:
        return ""
    if "@" in address:
        local, _sep, domain = address.partition("@")
        return f"{mask(local, 1, 1)}@{domain}"[:64]
    return mask(address)[:64]


def enqueue_delivery(ids: list[int]) -> None:
    """Hand the rows to the task queue (one task per row, so one failure delays no other)."""
    from tongzheng.core.tasks import deliver_notification

    for pk in ids:
        try:
            deliver_notification.enqueue(pk)
        except Exception:  # the queue itself is down: the retry sweep picks the row up
            logger.exception("could not enqueue delivery of notification %s", pk)


# ---- delivering -------------------------------------------------------------------------


def max_attempts() -> int:
    return getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def backoff(attempts: int) -> datetime.timedelta:
    """Delay before the next attempt after ``attempts`` failed ones: base × 2^(attempts-1)."""
    base = getattr(settings, "NOTIFICATION_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS)
    return datetime.timedelta(seconds=base * 2 ** max(0, attempts - 1))


def _claim(pk: int, now: datetime.datetime) -> Notification | None:
    """Move a deliverable row to ``sending`` (one worker wins); None when not deliverable."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return None
        due = row.status == NotificationStatus.CREATED or (
            row.status == NotificationStatus.TEMPORARY_FAILURE
            and (row.next_attempt_at is None or row.next_attempt_at <= now)
        )
        stale = (
            row.status == NotificationStatus.SENDING
            and row.last_attempt_at is not None
            and row.last_attempt_at <= now - STALE_SENDING
        )
        if not (due or stale):
            return None
        row.status = NotificationStatus.SENDING
        row.attempts += 1
        row.last_attempt_at = now
        row.save(update_fields=["status", "attempts", "last_attempt_at"])
        return row


def deliver(pk: int, now: datetime.datetime | None = None) -> str | None:
    """Try to deliver one notification; returns its new status (None: nothing to do)."""
    now = now or timezone.now()
    row = _claim(pk, now)
    if row is None:
        return None
    try:
        get_channel(row.channel).send(row)
    except PermanentFailure as exc:
        _failed(row, exc.reason, permanent=True)
    except Exception as exc:
        reason = exc.reason if isinstance(exc, TemporaryFailure) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, TemporaryFailure):
            logger.exception("notification %s: channel %s failed", row.pk, row.channel)
        _failed(row, reason, permanent=row.attempts >= max_attempts(), now=now)
    else:
        row.status = NotificationStatus.DELIVERED
        row.delivered_at = timezone.now()
        row.next_attempt_at = None
        row.last_error = ""
        row.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_error"])
    return row.status


def _failed(row: Notification, reason: str, *, permanent: bool, now=None) -> None:
    row.last_error = str(reason)[:500]
    if permanent:
        row.status = NotificationStatus.PERMANENT_FAILURE
        row.next_attempt_at = None
    else:
        row.status = NotificationStatus.TEMPORARY_FAILURE
        row.next_attempt_at = (now or timezone.now()) + backoff(row.attempts)
    row.save(update_fields=["status", "next_attempt_at", "last_error"])


def due_for_retry(now: datetime.datetime | None = None):
    """Rows to (re)deliver now: failed ones whose time has come, and stuck ones."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(status=NotificationStatus.TEMPORARY_FAILURE, next_attempt_at__lte=now)
        | Q(status=NotificationStatus.CREATED, created_at__lte=now - STALE_CREATED)
        | Q(status=NotificationStatus.SENDING, last_attempt_at__lte=now - STALE_SENDING)
    ).order_by("next_attempt_at", "id")


def retry_due(now: datetime.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Deliver every due row now, in this process; returns {status: count}."""
    now = now or timezone.now()
    outcome: dict[str, int] = {}
    for pk in due_for_retry(now).values_list("pk", flat=True)[:limit]:
        status = deliver(pk, now=now)
        if status:
            outcome[status] = outcome.get(status, 0) + 1
    return outcome


# ---- reading one's messages -------------------------------------------------------------


def site_messages_for(user):
    """The user's own in-site messages (站内消息), newest first. Nobody reads another's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.SITE)


def unread_count(user) -> int:
    """Unread in-site messages of ``user`` — for the navbar badge (one indexed COUNT)."""
    return site_messages_for(user).filter(read_at__isnull=True).count()


def get_message_for(user, pk) -> Notification:
    """One of the user's own messages, or 404."""
    return get_object_or_404(site_messages_for(user), pk=pk)


def mark_read(*, actor, pk, request=None) -> Notification:
    """Mark one of the actor's own in-site messages read (idempotent), with its audit record.

    No permission code: every signed-in user may read their own messages; another user's
    message is a 404.
    """
    with transaction.atomic():
        message = get_object_or_404(site_messages_for(actor).select_for_update(), pk=pk)
        if message.read_at is None:
            message.read_at = timezone.now()
            message.save(update_fields=["read_at"])
            record_event(actor=actor, action="core.read_message", target=message, request=request)
        return message


def mark_all_read(*, actor, request=None) -> int:
    with transaction.atomic():
        count = site_messages_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
        if count:
            record_event(
                actor=actor,
                action="core.read_all_messages",
                request=request,
                detail={"count": count},
            )
        return count
