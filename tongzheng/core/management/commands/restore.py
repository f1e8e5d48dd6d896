"""``tongzheng restore PATH [--yes]``: restore a backup and verify it against its manifest."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from tongzheng.core.backups import BackupError, restore


class Command(BaseCommand):
    # An operator's tool that must work when the checks would fail (e.g. a broken database).
    requires_system_checks = []
    help = _(
        "从备份恢复数据库（覆盖现有数据），恢复后按清单逐表校验。"
        "目标数据库非空时必须加 --yes。恢复前请停止服务和后台任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("备份文件路径（旁边须有 .manifest.json 清单）"))
        parser.add_argument("--yes", action="store_true", help=_("确认覆盖非空的目标数据库"))
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, yes=False, database=DEFAULT_DB_ALIAS, **options):
        try:
            manifest = restore(path, yes=yes, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("恢复完成并已校验：%(tables)s 张表，%(rows)s 行（备份时间 %(created)s）。")
            % {
                "tables": len(manifest.tables),
                "rows": manifest.total_rows,
                "created": manifest.created_at,
            }
        )
