"""三员分立: built-in roles, role editing, role assignment, pages, and no superuser bypass."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tongzheng.accounts import actions
from tongzheng.accounts.checks import no_superuser_in_production
from tongzheng.accounts.models import Role
from tongzheng.accounts.roles import (
    ADMINISTRATOR_ROLE_CODES,
    BUILTIN_ROLES,
    ensure_builtin_roles,
    families_of,
    family_of,
)
from tongzheng.accounts.tests.factories import (
    CitizenFactory,
    RoleFactory,
    UserFactory,
    builtin_role,
    verified_login,
)
from tongzheng.audit.models import AuditEvent
from tongzheng.core.access import DataScope
from tongzheng.core.registry import platform

MIXING = "三员分立"

SYSTEM_PAGES = ["accounts:user_list", "accounts:user_create"]
SECURITY_PAGES = [
    "accounts:role_list",
    "accounts:role_create",
    "accounts:assignment_list",
    "accounts:security_policy",
]


def test_families():
    assert family_of("accounts.manage_users") == "system_admin"
    assert family_of("core.manage_calendar") == "system_admin"
    assert family_of("accounts.assign_roles") == "security_admin"
    assert family_of("audit.view_event") == "audit_admin"
    assert family_of("audit.export_event") == "audit_admin"
    assert family_of("staffing.view_unit") is None


def test_builtin_definitions_keep_the_families_apart():
    for definition in BUILTIN_ROLES:
        families = families_of(definition.permissions)
        if definition.code in ADMINISTRATOR_ROLE_CODES:
            assert families == {definition.code}
            assert definition.scope == DataScope.ALL
        else:
            assert families == set(), definition.code
    assert {d.code for d in BUILTIN_ROLES} >= ADMINISTRATOR_ROLE_CODES


@pytest.mark.django_db
def test_builtin_roles_exist_after_migrate():
    assert Role.objects.get(code="audit_admin").permissions == ["audit.view_event"]
    assert Role.objects.filter(is_builtin=True).count() == len(BUILTIN_ROLES)


@pytest.mark.django_db
def test_ensure_builtin_roles_is_idempotent_and_keeps_grants():
    ensure_builtin_roles()
    count = Role.objects.count()
    clerk = Role.objects.get(code="staffing_clerk")
    clerk.permissions = ["accounts.manage_users"]  # a grant made by the security admin
    clerk.save()
    system = Role.objects.get(code="system_admin")
    system.permissions = ["accounts.manage_users"]  # a default code went missing
    system.save()
    ensure_builtin_roles()
    assert Role.objects.count() == count
    clerk.refresh_from_db()
    system.refresh_from_db()
    assert "accounts.manage_users" in clerk.permissions  # the grant survives
    defaults = {str(d.code): set(d.permissions) for d in BUILTIN_ROLES}
    assert set(system.permissions) == defaults["system_admin"]
    assert system.name == "系统管理员"


def test_permissions_and_navigation_are_registered():
    codes = set(platform.permissions)
    assert {
        "accounts.manage_users",
        "accounts.manage_roles",
        "accounts.assign_roles",
        "accounts.manage_security_policy",
    } <= codes
    assert "accounts:user_list" in {entry.url_name for entry in platform.navigation}


@pytest.mark.django_db
class TestRoleEditing:
    def test_role_mixing_two_families_is_refused(self, security_admin):
        with pytest.raises(ValidationError) as exc:
            actions.save_role(
                actor=security_admin,
                role=None,
                code="super",
                name="全能",
                permissions=["accounts.manage_users", "accounts.manage_roles"],
                scope=DataScope.ALL,
            )
        assert MIXING in exc.value.messages[0]
        assert not Role.objects.filter(code="super").exists()

    def test_role_form_refuses_mixing_with_400(self, client, security_admin):
        role = RoleFactory(permissions=[])
        verified_login(client, security_admin)
        response = client.post(
            reverse("accounts:role_edit", args=[role.pk]),
            {
                "name": "混合",
                "scope": DataScope.ALL,
                "permissions": ["accounts.manage_users", "accounts.assign_roles"],
            },
        )
        assert response.status_code == 400
        assert MIXING in response.content.decode()
        role.refresh_from_db()
        assert role.permissions == []

    def test_role_edit_is_audited_with_before_and_after(self, client, security_admin):
        role = RoleFactory(permissions=[], scope=DataScope.OWN_ORGANISATION)
        verified_login(client, security_admin)
        page = client.get(reverse("accounts:role_edit", args=[role.pk])).content.decode()
        for code in platform.permissions:
            assert f'value="{code}"' in page
        response = client.post(
            reverse("accounts:role_edit", args=[role.pk]),
            {
                "name": "用户管理员",
                "scope": DataScope.ORGANISATION_AND_BELOW,
                "permissions": ["accounts.manage_users"],
            },
        )
        assert response.status_code == 302
        role.refresh_from_db()
        assert role.permissions == ["accounts.manage_users"]
        assert role.scope == DataScope.ORGANISATION_AND_BELOW
        event = AuditEvent.objects.get(action="permission.changed", object_id=str(role.pk))
        assert event.detail["before"]["permissions"] == []
        assert event.detail["after"]["permissions"] == ["accounts.manage_users"]

    def test_unknown_codes_are_refused(self, security_admin):
        with pytest.raises(ValidationError) as exc:
            actions.save_role(
                actor=security_admin,
                role=None,
                code="ghost",
                name="幽灵",
                permissions=["nothing.at_all"],
                scope=DataScope.ALL,
            )
        assert "未登记的权限" in exc.value.messages[0]

    def test_administrator_roles_are_fixed(self, security_admin):
        with pytest.raises(ValidationError):
            actions.save_role(
                actor=security_admin,
                role=builtin_role("system_admin"),
                name="系统管理员",
                permissions=["accounts.manage_users", "accounts.manage_roles"],
                scope=DataScope.ALL,
            )

    def test_edit_that_would_give_a_holder_two_families_is_refused(self, security_admin):
        working = RoleFactory(permissions=[])
        UserFactory(roles=[builtin_role("system_admin"), working])
        with pytest.raises(ValidationError) as exc:
            actions.save_role(
                actor=security_admin,
                role=working,
                name="掺入安全权限",
                permissions=["accounts.manage_roles"],
                scope=DataScope.ALL,
            )
        assert "三员分立" in exc.value.messages[0]


@pytest.mark.django_db
class TestAssignment:
    def test_two_administrator_roles_are_refused(self, client, security_admin, staff):
        verified_login(client, security_admin)
        response = client.post(
            reverse("accounts:role_assign", args=[staff.pk]),
            {"roles": [builtin_role("system_admin").pk, builtin_role("audit_admin").pk]},
        )
        assert response.status_code == 400
        assert "只能担任一种管理员角色" in response.content.decode()
        assert staff.roles.count() == 0

    def test_families_are_checked_across_roles(self, security_admin, staff):
        sneaky = RoleFactory(permissions=["accounts.manage_roles"])
        with pytest.raises(ValidationError):
            actions.assign_roles(
                actor=security_admin,
                user=staff,
                roles=[builtin_role("system_admin"), sneaky],
            )

    def test_assignment_is_audited_as_permission_changed(self, client, security_admin, staff):
        clerk = builtin_role("staffing_clerk")
        verified_login(client, security_admin)
        response = client.post(
            reverse("accounts:role_assign", args=[staff.pk]),
            {"roles": [clerk.pk, builtin_role("audit_admin").pk]},
        )
        assert response.status_code == 302
        assert set(staff.roles.values_list("code", flat=True)) == {"staffing_clerk", "audit_admin"}
        event = AuditEvent.objects.get(action="permission.changed", object_id=str(staff.pk))
        assert event.actor == security_admin
        assert event.detail == {
            "change": "user_roles",
            "before": [],
            "after": ["audit_admin", "staffing_clerk"],
        }

    def test_cannot_change_own_roles(self, security_admin):
        with pytest.raises(ValidationError):
            actions.assign_roles(
                actor=security_admin, user=security_admin, roles=[builtin_role("system_admin")]
            )

    def test_citizens_hold_no_roles(self, security_admin):
        with pytest.raises(ValidationError):
            actions.assign_roles(
                actor=security_admin, user=CitizenFactory(), roles=[builtin_role("staffing_clerk")]
            )


@pytest.mark.django_db
class TestEachAdministratorOnlyTheirOwnWork:
    def _client(self, user):
        client = Client()
        verified_login(client, user)
        return client

    def test_system_admin(self, system_admin):
        client = self._client(system_admin)
        for name in SYSTEM_PAGES:
            assert client.get(reverse(name)).status_code == 200, name
        for name in SECURITY_PAGES:
            assert client.get(reverse(name)).status_code == 403, name

    def test_security_admin(self, security_admin):
        client = self._client(security_admin)
        for name in SECURITY_PAGES:
            assert client.get(reverse(name)).status_code == 200, name
        for name in SYSTEM_PAGES:
            assert client.get(reverse(name)).status_code == 403, name

    def test_audit_admin(self, audit_admin, staff):
        client = self._client(audit_admin)
        for name in SYSTEM_PAGES + SECURITY_PAGES:
            assert client.get(reverse(name)).status_code == 403, name
        assert client.post(reverse("accounts:user_disable", args=[staff.pk])).status_code == 403
        assert client.get(reverse("accounts:role_assign", args=[staff.pk])).status_code == 403


@pytest.mark.django_db
class TestNoSuperuser:
    def test_check_fails_in_production_with_an_active_superuser(self, settings):
        settings.PRODUCTION = True
        assert no_superuser_in_production() == []
        UserFactory(is_superuser=True, username="root")
        errors = no_superuser_in_production()
        assert [e.id for e in errors] == ["accounts.E001"]
        assert "root" in errors[0].msg

    def test_check_ignores_inactive_superusers_and_development(self, settings):
        UserFactory(is_superuser=True, is_active=False)
        settings.PRODUCTION = True
        assert no_superuser_in_production() == []
        UserFactory(is_superuser=True)
        settings.PRODUCTION = False
        assert no_superuser_in_production() == []


def test_no_code_consults_is_superuser():
    """Only the production check (and migrations) may name the flag."""
    root = Path(__file__).resolve().parents[2]
    allowed = {root / "accounts" / "checks.py"}
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and "tests" not in path.parts
        and path not in allowed
        and "is_superuser" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.django_db
def test_scoped_security_admin_cannot_hand_out_wider_roles(staff):
    narrow = RoleFactory(permissions=["accounts.assign_roles"], scope=DataScope.OWN_ORGANISATION)
    admin = UserFactory(organisation=staff.organisation, roles=[narrow])
    with pytest.raises(ValidationError) as exc:
        actions.assign_roles(actor=admin, user=staff, roles=[builtin_role("staffing_clerk")])
    assert "数据范围" in exc.value.messages[0]
    actions.assign_roles(actor=admin, user=staff, roles=[builtin_role("office_secretary")])
    assert list(staff.roles.values_list("code", flat=True)) == ["office_secretary"]


@pytest.mark.django_db
def test_administrator_role_page_is_read_only(client, security_admin):
    verified_login(client, security_admin)
    html = client.get(reverse("accounts:role_edit", args=[builtin_role("audit_admin").pk]))
    assert "不能修改" in html.content.decode()
    assert 'type="submit"' not in html.content.decode().split("<main")[1].split("</form>")[0]
    role_list = client.get(reverse("accounts:role_list")).content.decode()
    assert "查看审计日志" in role_list or "audit.view_event" in role_list
