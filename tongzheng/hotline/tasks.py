"""Background tasks of the hotline (django-tasks; run by ``tongzheng db_worker``).

- ``run_followups()``: 到期提醒, 自动催办, 回访提醒 and the mailbox rule
  (``hotline.followups.run``). Schedule it every few minutes with
  ``tongzheng hotline_followups`` from cron or a systemd timer, or enqueue it; it is
  idempotent, so overlapping or repeated runs send nothing twice.
"""

from django_tasks import task

from tongzheng.hotline import followups


@task()
def run_followups() -> dict[str, int]:
    return followups.run()
