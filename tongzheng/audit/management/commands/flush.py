"""Django's ``flush``, aware of the append-only audit trail.

The audit triggers refuse to empty the audit tables, which Django's test framework does
after every transactional test (and ``live_server`` browser tests). Outside production
this command lifts the guard for the flush and restores it (and the retention row) after;
in production it refuses: the audit trail is never emptied.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections
from django.utils.translation import gettext as _

from tongzheng.audit import guard


class Command(FlushCommand):
    def handle(self, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(_("生产模式下不能清空数据库：审计日志只可追加。"))
        connection = connections[options["database"]]
        with guard.suspended(connection):
            super().handle(**options)
        from tongzheng.audit.actions import sync_retention

        sync_retention()
