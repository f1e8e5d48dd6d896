"""tongzheng open311 key NAME | revoke NAME | list — Open311 API keys from the console.

For the server's operator (who can read every secret anyway): the same actions as the
workbench page, audited with the actor 命令行. The key is printed once, at issue; only its
SM3 digest is stored.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongzheng.hotline.actions.administration import issue_open311_key, revoke_open311_key
from tongzheng.hotline.models import Open311Client


class Command(BaseCommand):
    help = "签发、吊销或列出 Open311 API 密钥。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        key = sub.add_parser("key", help="签发密钥；密钥只显示这一次")
        key.add_argument("name", help="客户端名称，例如调用方的应用名")
        revoke = sub.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("name", help="客户端名称")
        sub.add_parser("list", help="列出客户端（只显示密钥前缀）")

    def handle(self, *args, action, **options):
        try:
            if action == "key":
                _client, key = issue_open311_key(actor=None, name=options["name"])
                self.stdout.write(key)
            elif action == "revoke":
                client = Open311Client.objects.filter(name=options["name"]).first()
                if client is None:
                    raise CommandError(f"客户端 {options['name']} 不存在。")
                revoke_open311_key(actor=None, client=client)
                self.stdout.write(f"{client.name}\trevoked")
            else:
                for client in Open311Client.objects.all():
                    state = "revoked" if client.revoked_at else "active"
                    issued = client.created_at.isoformat(timespec="seconds")
                    self.stdout.write(f"{client.name}\t{client.key_prefix}…\t{state}\t{issued}")
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
