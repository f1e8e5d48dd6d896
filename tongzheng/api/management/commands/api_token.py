"""tongzheng api_token issue|revoke|list — API tokens for other systems (系统管理员).

Every change runs through tongzheng.api.actions as the named administrator (``--actor``),
so the permission check and the audit record are the same as anywhere else. The secret is
printed once, at issue; only its SM3 digest is stored.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tongzheng.accounts.models import User
from tongzheng.api.actions import issue_api_token, revoke_api_token
from tongzheng.api.models import ApiToken


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise CommandError(f"用户 {username} 不存在。") from exc


class Command(BaseCommand):
    help = "签发、吊销或列出接口令牌（API tokens）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="签发令牌；令牌只显示这一次")
        issue.add_argument("--actor", required=True, help="执行签发的系统管理员用户名")
        issue.add_argument("--user", required=True, help="令牌代表的用户名")
        issue.add_argument("--name", required=True, help="令牌名称，例如调用方系统名")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("--actor", required=True, help="执行吊销的系统管理员用户名")
        revoke.add_argument("token_id", type=int)
        sub.add_parser("list", help="列出令牌（不含密钥）")

    def handle(self, *args, action, **options):
        try:
            if action == "issue":
                token, secret = issue_api_token(
                    actor=_user(options["actor"]), user=_user(options["user"]), name=options["name"]
                )
                self.stdout.write(f"{token.pk}\t{secret}")
            elif action == "revoke":
                token = ApiToken.objects.filter(pk=options["token_id"]).first()
                if token is None:
                    raise CommandError(f"令牌 {options['token_id']} 不存在。")
                revoke_api_token(actor=_user(options["actor"]), token=token)
                self.stdout.write(f"{token.pk}\trevoked")
            else:
                for token in ApiToken.objects.select_related("user"):
                    state = "revoked" if token.revoked else "active"
                    used = token.last_used_at.isoformat() if token.last_used_at else "-"
                    self.stdout.write(
                        f"{token.pk}\t{token.prefix}…\t{token.user.username}\t{token.name}\t{state}\t{used}"
                    )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
