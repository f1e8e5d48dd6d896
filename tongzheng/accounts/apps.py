from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongzheng.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self):
        from tongzheng.accounts import checks  # noqa: F401  (registers accounts.E001)
        from tongzheng.accounts.roles import create_builtin_roles
        from tongzheng.core.registry import NavEntry, Permission, platform

        platform.add_permissions(
            Permission("accounts.manage_users", _("管理用户账户（系统管理员）")),
            Permission("accounts.manage_roles", _("管理角色与权限（安全管理员）")),
            Permission("accounts.assign_roles", _("为用户分配角色（安全管理员）")),
            Permission("accounts.manage_security_policy", _("查看与管理安全策略（安全管理员）")),
        )
        platform.add_navigation(
            NavEntry(_("用户管理"), "accounts:user_list", "accounts.manage_users", 900),
            NavEntry(_("角色管理"), "accounts:role_list", "accounts.manage_roles", 910),
            NavEntry(_("角色分配"), "accounts:assignment_list", "accounts.assign_roles", 920),
            NavEntry(
                _("安全策略"), "accounts:security_policy", "accounts.manage_security_policy", 930
            ),
        )
        post_migrate.connect(
            create_builtin_roles, sender=self, dispatch_uid="tongzheng.accounts.builtin_roles"
        )
        # Cached permission scopes (core.access) are retired by any change of a role or of
        # a user's roles, whichever code path makes it (actions, demo, shell).
        from tongzheng.accounts.models import Role, User

        for name, signal, sender in (
            ("role_saved", post_save, Role),
            ("role_deleted", post_delete, Role),
            ("user_roles", m2m_changed, User.roles.through),
        ):
            signal.connect(_access_changed, sender=sender, dispatch_uid=f"tongzheng.access.{name}")
        # A session verified by a device is not checked against it again
        # (middleware.SessionOTPMiddleware): removing a confirmed device, whichever code
        # path does it, ends its user's sessions.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        post_delete.connect(
            _device_deleted, sender=TOTPDevice, dispatch_uid="tongzheng.accounts.device_deleted"
        )


def _device_deleted(instance, **kwargs) -> None:
    from tongzheng.accounts.session_registry import end_sessions

    if instance.confirmed:
        end_sessions(instance.user_id)


def _access_changed(**kwargs) -> None:
    from tongzheng.core.access import access_changed

    access_changed()
