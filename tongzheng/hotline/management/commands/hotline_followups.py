"""``tongzheng hotline_followups``: the hotline's reminders and the mailbox rule, now.

For cron or a systemd timer every few minutes (e.g. ``*/5 * * * *``); idempotent. See
``tongzheng.hotline.followups``.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongzheng.hotline import followups


class Command(BaseCommand):
    help = _(
        "热线跟踪提醒：到期提醒、超期自动催办、回访提醒、信件逾期未评价视为满意、特急件超时未派单预警。"
    )

    def handle(self, *args, **options):
        outcome = followups.run()
        labels = {
            "deemed_satisfied": _("视为满意并办结"),
            "dispatch_warnings": _("特急件超时未派单预警"),
            "due_reminders": _("到期提醒"),
            "urged": _("自动催办"),
            "revisit_reminders": _("回访提醒"),
        }
        for key, count in outcome.items():
            self.stdout.write(f"{labels[key]}: {count}")
