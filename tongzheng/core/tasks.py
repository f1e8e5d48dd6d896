"""Background tasks of the platform floor (django-tasks; run by ``tongzheng db_worker``).

- ``deliver_notification(pk)``: one outbox row; after a temporary failure it enqueues
  itself again to run at ``next_attempt_at`` when the backend can defer (the database
  backend can; the immediate backend used in tests cannot, and the retry sweep covers it).
- ``retry_due_notifications()``: the sweep — every row whose retry is due and every row
  stuck in ``created`` or ``sending``. Schedule it (cron / systemd timer) every few minutes
  with ``tongzheng notifications retry``, or enqueue it.
"""

from django_tasks import task

from tongzheng.core import notifications
from tongzheng.core.models import Notification, NotificationStatus


@task()
def deliver_notification(pk: int) -> str | None:
    status = notifications.deliver(pk)
    if status == NotificationStatus.TEMPORARY_FAILURE:
        backend = deliver_notification.get_backend()
        if backend.supports_defer:
            when = Notification.objects.filter(pk=pk).values_list("next_attempt_at", flat=True)
            run_after = when.first()
            if run_after is not None:
                deliver_notification.using(run_after=run_after).enqueue(pk)
    return status


@task()
def retry_due_notifications() -> dict[str, int]:
    return notifications.retry_due()
