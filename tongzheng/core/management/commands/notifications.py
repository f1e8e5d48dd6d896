"""``tongzheng notifications retry``: deliver every outbox row whose retry is due, now."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tongzheng.core import notifications


class Command(BaseCommand):
    help = _("通知发件箱：重试到期的发送（notifications retry）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help=_("立即重试所有到期的失败或滞留通知。"))
        retry.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, action, **options):
        if action == "retry":
            outcome = notifications.retry_due(limit=options["limit"])
            total = sum(outcome.values())
            self.stdout.write(_("已处理 %(total)d 条通知。") % {"total": total})
            for status, count in sorted(outcome.items()):
                self.stdout.write(f"  {status}: {count}")
