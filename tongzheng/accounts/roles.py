"""Built-in roles and the separation of the three administrators (三员分立).

系统管理员 manages users and configuration, 安全管理员 manages roles and the security
policy, 审计管理员 alone reads the audit trail (GB/T 22239-2019 §8.1.4). A role may carry
permissions of at most one of these families, and a user may hold at most one family
(and at most one administrator role).

Later modules extend the working roles by adding their permission codes to
``BUILTIN_ROLES``; ``ensure_builtin_roles`` (run after every migrate) adds missing codes
to existing roles and never removes what the security administrator granted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tongzheng.accounts.models import AdministratorRole, Role
from tongzheng.core.access import DataScope

# Which permission codes belong to which administrator family. A code belongs to a family
# when it is listed in ``codes`` or starts with one of ``prefixes``.
FAMILY_CODES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    AdministratorRole.SYSTEM: (
        frozenset({"accounts.manage_users", "core.manage_calendar"}),
        ("core.manage_",),
    ),
    AdministratorRole.SECURITY: (
        frozenset(
            {"accounts.manage_roles", "accounts.assign_roles", "accounts.manage_security_policy"}
        ),
        (),
    ),
    AdministratorRole.AUDIT: (frozenset({"audit.view_event"}), ("audit.",)),
}


def family_of(code: str) -> str | None:
    """The administrator family a permission code belongs to, or None for working permissions."""
    for family, (codes, prefixes) in FAMILY_CODES.items():
        if code in codes or code.startswith(prefixes):
            return family
    return None


def families_of(codes) -> set[str]:
    return {family for family in map(family_of, codes) if family is not None}


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    name: object
    scope: int
    permissions: tuple[str, ...]


ADMINISTRATOR_ROLE_CODES = frozenset(AdministratorRole.values)

BUILTIN_ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition(
        AdministratorRole.SYSTEM,
        _("系统管理员"),
        DataScope.ALL,
        # The organisation tree is platform configuration: users hang from it.
        (
            "accounts.manage_users",
            "core.manage_calendar",
            "core.view_organisation",
            "core.manage_organisation",
        ),
    ),
    RoleDefinition(
        AdministratorRole.SECURITY,
        _("安全管理员"),
        DataScope.ALL,
        ("accounts.manage_roles", "accounts.assign_roles", "accounts.manage_security_policy"),
    ),
    RoleDefinition(AdministratorRole.AUDIT, _("审计管理员"), DataScope.ALL, ("audit.view_event",)),
    # Working roles: later modules add their permission codes here.
    RoleDefinition(
        "staffing_clerk",
        _("编办业务人员"),
        DataScope.DIVISION_AND_BELOW,
        (
            "staffing.import_personnel",
            "staffing.view_quota",
            "staffing.view_person",
            "staffing.manage_quota",
            "staffing.manage_unit",
            "staffing.edit_personnel",
            "staffing.manage_personnel_locked",
            "staffing.review_quota_use",
            "staffing.view_statistics",
            "staffing.view_supervision",
            "staffing.review_disclosure",
        ),
    ),
    # A unit's own HR staff (单位人事干部): reads its unit's ledger and personnel, keeps the
    # non-locked fields current, applies for slots and submits the unit's 实名制公示.
    RoleDefinition(
        "unit_hr",
        _("单位人事干部"),
        DataScope.OWN_ORGANISATION,
        (
            "staffing.view_quota",
            "staffing.view_person",
            "staffing.edit_personnel",
            "staffing.apply_quota_use",
            "staffing.submit_disclosure",
        ),
    ),
    # 政务服务窗口和审批人员: receive, review and decide their organisation's applications.
    RoleDefinition(
        "service_staff",
        _("政务服务窗口人员"),
        DataScope.OWN_ORGANISATION,
        (
            "services.view_application",
            "services.handle_application",
            "supervision.rectify_rating",
        ),
    ),
    # 事项管理员: keeps the service-item catalogue of a division.
    RoleDefinition(
        "services_admin",
        _("政务服务事项管理员"),
        DataScope.DIVISION_AND_BELOW,
        ("services.manage_item", "services.view_application"),
    ),
    # 电子监察 (效能办): watches every timed task, ratings and performance of a division.
    RoleDefinition(
        "supervisor",
        _("电子监察人员"),
        DataScope.DIVISION_AND_BELOW,
        (
            "supervision.view_dashboard",
            "supervision.urge_task",
            "supervision.review_rating",
            "supervision.view_performance",
            "services.view_application",
            "hotline.view_ticket",
            "hotline.view_statistics",
        ),
    ),
    # 热线中心话务员: the centre that takes calls and letters, dispatches and revisits.
    RoleDefinition(
        "hotline_operator",
        _("热线话务员"),
        DataScope.DIVISION_AND_BELOW,
        (
            "hotline.view_ticket",
            "hotline.take_call",
            "hotline.dispatch_ticket",
            "hotline.view_reporter",
            "hotline.manage_hotline",
            "hotline.view_statistics",
        ),
    ),
    # 承办单位: a department that handles the tickets dispatched to it. It may reveal the
    # phone of a reporter it must call back (its scope: the tickets it leads; never a
    # confidential reporter, see hotline.actions.reveal) — a hotline permission, not
    # core.reveal_personal_data, which would also open ID numbers to a user who holds
    # this role beside a staffing one.
    RoleDefinition(
        "hotline_handler",
        _("热线承办人员"),
        DataScope.OWN_ORGANISATION,
        (
            "hotline.view_ticket",
            "hotline.handle_ticket",
            "supervision.rectify_rating",
            "hotline.reveal_reporter_phone",
        ),
    ),
    RoleDefinition("office_secretary", _("办公室文秘"), DataScope.OWN_ORGANISATION, ()),
    RoleDefinition("data_admin", _("数据管理员"), DataScope.DIVISION_AND_BELOW, ()),
)


def ensure_builtin_roles() -> list[Role]:
    """Create the built-in roles, or add their missing permission codes. Idempotent."""
    roles = []
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for definition in BUILTIN_ROLES:
            role, created = Role.objects.get_or_create(
                code=definition.code,
                defaults={
                    "name": str(definition.name),
                    "scope": definition.scope,
                    "permissions": list(definition.permissions),
                    "is_builtin": True,
                },
            )
            if not created:
                missing = [p for p in definition.permissions if p not in role.permissions]
                if missing or not role.is_builtin:
                    role.permissions = [*role.permissions, *missing]
                    role.is_builtin = True
                    role.save(update_fields=["permissions", "is_builtin"])
            roles.append(role)
    return roles


def create_builtin_roles(sender, **kwargs) -> None:
    """post_migrate receiver."""
    ensure_builtin_roles()
