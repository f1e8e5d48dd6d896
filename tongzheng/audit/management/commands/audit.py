"""``tongzheng audit verify`` and ``tongzheng audit purge`` — thin wrappers over the app."""

import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.audit.actions import purge_expired, record_verification
from tongzheng.audit.verify import DEFAULT_CHUNK_SIZE, verify_chain


def console_actor() -> str:
    try:
        return f"console:{getpass.getuser()}"[:150]
    except (KeyError, OSError):  # no login name (containers without a passwd entry)
        return "console"


class Command(BaseCommand):
    help = _("审计日志：校验哈希链（verify）或清理超过保存期限的记录（purge）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help=_("按编号顺序重新计算 SM3 哈希链，报告第一处断链。"))
        verify.add_argument(
            "--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help=_("每批读取的记录数。")
        )
        verify.add_argument(
            "--no-record", action="store_true", help=_("不把本次校验结果写入审计日志。")
        )
        sub.add_parser(
            "purge",
            help=_(
                "从最早的记录起删除超过保存期限（AUDIT_RETENTION_DAYS）的记录，并记录本次清理。"
            ),
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            return self.verify(options["chunk_size"], record=not options["no_record"])
        return self.purge()

    def verify(self, chunk_size: int, *, record: bool) -> None:
        if chunk_size < 1:
            raise CommandError(_("--chunk-size 必须是正整数。"))
        result = verify_chain(chunk_size=chunk_size)
        if record:
            record_verification(actor=None, actor_name=console_actor(), result=result)
        if result.missing_triggers:
            self.stderr.write(
                _("防篡改触发器缺失或已停用：%(names)s")
                % {"names": ", ".join(result.missing_triggers)}
            )
        if result.broken is not None:
            b = result.broken
            self.stderr.write(
                _("审计链在第 %(id)s 号记录处断开（时间 %(at)s，类型 %(kind)s）：%(message)s")
                % {
                    "id": b.id,
                    "at": timezone.localtime(b.at).isoformat(),
                    "kind": b.kind,
                    "message": b.message,
                }
            )
            self.stderr.write(_("此前有 %(count)s 条记录校验通过。") % {"count": result.count})
            raise CommandError(_("审计链校验失败：第 %(id)s 号记录。") % {"id": b.id})
        if result.missing_triggers:
            raise CommandError(_("审计链完整，但数据库的只追加保护不完整。"))
        if result.count:
            self.stdout.write(
                _("审计链完整：共 %(count)s 条记录（编号 %(first)s 至 %(last)s）。")
                % {"count": result.count, "first": result.first_id, "last": result.last_id}
            )
        else:
            self.stdout.write(_("审计链完整：共 0 条记录。"))

    def purge(self) -> None:
        result = purge_expired(actor=None, actor_name=console_actor())
        if result.retention_days > settings.AUDIT_RETENTION_DAYS:
            self.stderr.write(
                _(
                    "数据库中的保存期限（%(stored)s 天）长于设置（%(setting)s 天）；"
                    "保存期限只能延长，按 %(stored)s 天执行。"
                )
                % {"stored": result.retention_days, "setting": settings.AUDIT_RETENTION_DAYS}
            )
        self.stdout.write(
            _(
                "已删除 %(removed)s 条早于 %(cutoff)s 的审计记录（保存期限 %(days)s 天）；"
                "本次清理记为第 %(event)s 号记录。"
            )
            % {
                "removed": result.removed,
                "cutoff": result.cutoff.isoformat(timespec="seconds"),
                "days": result.retention_days,
                "event": result.event.id,
            }
        )
