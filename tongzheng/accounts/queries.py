"""Reads of the accounts pages, always scoped to the caller."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from tongzheng.accounts.models import Role, User
from tongzheng.core.access import require_permission
from tongzheng.core.models import Organisation


def users_for(actor, permission: str, *, search: str = ""):
    """Users ``actor`` may manage with ``permission``: another organisation's are not there."""
    users = (
        User.objects.for_user(actor, permission)
        .select_related("organisation")
        .prefetch_related("roles")
        .order_by("username")
    )
    search = search.strip()
    if search:
        users = users.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    return users


def user_for(actor, permission: str, pk: int) -> User:
    """One user in scope, or 404."""
    return User.objects.select_related("organisation").get_for_user(actor, permission, pk=pk)


def organisations_for(actor, permission: str):
    return Organisation.objects.for_user(actor, permission).filter(is_active=True)


def roles_for(actor, permission: str):
    """Roles are platform-wide; reading them needs the role permission."""
    require_permission(actor, permission)
    return Role.objects.order_by("-is_builtin", "code")


def security_policy() -> list[tuple[str, object]]:
    """The login policy in force, as label and value (read from settings)."""
    return [
        (_("密码最小长度"), settings.PASSWORD_MIN_LENGTH),
        (_("密码最少字符类别（大写、小写、数字、符号）"), settings.PASSWORD_MIN_CLASSES),
        (_("密码有效期（天）"), settings.PASSWORD_MAX_AGE_DAYS),
        (_("连续登录失败锁定阈值（次）"), settings.LOGIN_MAX_FAILURES),
        (_("锁定时长（分钟）"), settings.LOGIN_LOCKOUT_MINUTES),
        (_("会话空闲超时（分钟）"), settings.SESSION_IDLE_TIMEOUT_SECONDS // 60),
        (_("工作人员必须使用动态口令"), _("是") if settings.STAFF_REQUIRE_TOTP else _("否")),
        (_("审计记录保留期（天）"), settings.AUDIT_RETENTION_DAYS),
        (_("生产模式"), _("是") if settings.PRODUCTION else _("否")),
    ]
