"""``tongzheng backup [PATH]``: a verified backup with its manifest (PATH.manifest.json)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from tongzheng.core.backups import BackupError, backup


class Command(BaseCommand):
    # An operator's tool that must work when the checks would fail (e.g. a broken database).
    requires_system_checks = []
    help = _("备份数据库（SQLite 在线备份或 pg_dump），并按表校验行数与 SM3 校验和。")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help=_("备份文件路径（默认 var/backups/…）"))
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path=None, database=DEFAULT_DB_ALIAS, **options):
        try:
            target, manifest = backup(path, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("备份完成并已校验：%(path)s") % {"path": target})
        self.stdout.write(
            _("清单：%(path)s.manifest.json（%(tables)s 张表，%(rows)s 行，文件 SM3 %(sm3)s）")
            % {
                "path": target,
                "tables": len(manifest.tables),
                "rows": manifest.total_rows,
                "sm3": manifest.file_sm3,
            }
        )
