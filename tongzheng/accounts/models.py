"""Users, roles and data scopes.

Staff users belong to an organisation and hold roles; each role carries permissions
(codes registered by the apps, see ``tongzheng.core.registry``) and a data scope.
Citizens and enterprises are a separate kind of account used only on the portal.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import DataScope


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


class User(AbstractUser):
    """用户 — staff, citizen or enterprise account."""

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

    objects = UserManager()

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
