"""Users, roles and data scopes.

Staff users belong to an organisation and hold roles; each role carries permissions
(codes registered by the apps, see ``tongzheng.core.registry``) and a data scope.
Citizens and enterprises are a separate kind of account used only on the portal.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import (
    DataScope,
    ScopedQuerySet,
    ScopeFields,
    has_permission,
    permissions_of,
)


class AccountKind(models.TextChoices):
    STAFF = "staff", _("工作人员")
    CITIZEN = "citizen", _("个人用户")
    ENTERPRISE = "enterprise", _("法人用户")


class AdministratorRole(models.TextChoices):
    """三员: the three separated administrators."""

    SYSTEM = "system_admin", _("系统管理员")
    SECURITY = "security_admin", _("安全管理员")
    AUDIT = "audit_admin", _("审计管理员")


class Role(models.Model):
    """角色 — a named set of permissions with one data scope."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    permissions = models.JSONField(_("权限"), default=list, blank=True)
    scope = models.PositiveSmallIntegerField(
        _("数据范围"), choices=DataScope.choices, default=DataScope.OWN_ORGANISATION
    )
    is_builtin = models.BooleanField(_("内置"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    """Django's user manager with ``for_user`` scoping (users are seen through their organisation)."""


class User(AbstractUser):
    """用户 — staff, citizen or enterprise account.

    Permissions come from roles only (``tongzheng.core.access``). The inherited superuser flag
    grants nothing: ``has_perm`` and friends are overridden below, and the system check
    accounts.E001 refuses active superusers in production mode.
    """

    kind = models.CharField(
        _("账户类型"), max_length=12, choices=AccountKind.choices, default=AccountKind.STAFF
    )
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属机构"),
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name=_("角色"))
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    language = models.CharField(_("界面语言"), max_length=10, default="zh-hans")
    # Set when an administrator resets the password: the next login must choose a new one.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    objects = ScopedUserManager()
    # Users are seen through their organisation; "own records" scope shows no users.
    scope_fields = ScopeFields(organisation="organisation", owner=None)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="staff")
                | models.Q(organisation__isnull=False)
                | models.Q(is_active=False),
                name="active_staff_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_account(self) -> bool:
        return self.kind == AccountKind.STAFF

    # Django's permission API answers from roles, never from the superuser flag.
    def has_perm(self, perm, obj=None) -> bool:
        return has_permission(self, perm)

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(has_permission(self, perm) for perm in perm_list)

    def has_module_perms(self, app_label) -> bool:
        return any(code.startswith(f"{app_label}.") for code in permissions_of(self))

    def get_all_permissions(self, obj=None) -> set[str]:
        return permissions_of(self)

    def password_expired(self, now=None) -> bool:
        """True when the password must be changed before anything else (expiry or reset)."""
        if self.must_change_password:
            return True
        max_age = settings.PASSWORD_MAX_AGE_DAYS
        if not max_age:
            return False
        return self.password_changed_at + timedelta(days=max_age) <= (now or timezone.now())


class UserSession(models.Model):
    """会话登记 — which sessions belong to which user, so that disabling a user ends them all."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("用户会话")
        verbose_name_plural = _("用户会话")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}"
