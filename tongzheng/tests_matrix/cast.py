"""The shared test cast: one organisation tree and one person for every role and scope.

In one province (四川省 510000) and its city (成都市 510100):

- ``org_a`` (a city bureau) with ``org_a_child`` (its internal department), ``org_b`` (an
  unrelated bureau) and ``org_admin`` (where the three administrators work);
- ``anonymous``; ``citizen``; ``staff_same_org`` (in org A) and ``staff_other_org`` (in
  org B), both holding the role ``matrix_working`` — every registered permission that
  belongs to no administrator family, with the data scope OWN_ORGANISATION;
- ``system_admin``, ``security_admin``, ``audit_admin`` holding the built-in 三员 roles of
  ``tongzheng.accounts.roles`` (or, while that module does not exist, the same three
  roles defined here).

Every staff user has a confirmed TOTP device, and ``cast.client(persona)`` returns a test
client logged in with the second factor verified. To use the fixture ``cast`` elsewhere,
import it into that package's conftest.py: ``from tongzheng.tests_matrix.cast import cast``.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from tongzheng.accounts.models import Role
from tongzheng.accounts.tests.factories import (
    CitizenFactory,
    UserFactory,
    confirmed_totp_device,
)
from tongzheng.core.access import DataScope
from tongzheng.core.models import DivisionLevel, OrganisationKind, Subordination
from tongzheng.core.registry import platform
from tongzheng.core.tests.factories import DivisionFactory, OrganisationFactory

PERSONAS = (
    "anonymous",
    "citizen",
    "staff_other_org",
    "staff_same_org",
    "system_admin",
    "security_admin",
    "audit_admin",
)
ADMINISTRATORS = ("system_admin", "security_admin", "audit_admin")
WORKING_ROLE = "matrix_working"

# Used only while tongzheng.accounts.roles is missing.
FALLBACK_ADMIN_PERMISSIONS = {
    "system_admin": ("accounts.manage_users", "core.manage_calendar"),
    "security_admin": (
        "accounts.manage_roles",
        "accounts.assign_roles",
        "accounts.manage_security_policy",
    ),
    "audit_admin": ("audit.view_event",),
}


def _administrator_definitions() -> dict[str, tuple[str, int, list[str]]]:
    """code → (name, scope, permissions) of the three administrator roles."""
    try:
        from tongzheng.accounts.roles import BUILTIN_ROLES
    except ImportError:
        return {
            code: (code, DataScope.ALL, list(codes))
            for code, codes in FALLBACK_ADMIN_PERMISSIONS.items()
        }
    return {
        str(d.code): (str(d.name), d.scope, list(d.permissions))
        for d in BUILTIN_ROLES
        if str(d.code) in ADMINISTRATORS
    }


def _is_administrator_permission(code: str) -> bool:
    from tongzheng.accounts.roles import family_of

    return family_of(code) is not None


def _role(code: str, name: str, scope: int, permissions: list[str]) -> Role:
    role, _created = Role.objects.get_or_create(
        code=code,
        defaults={"name": name, "scope": scope, "permissions": permissions, "is_builtin": True},
    )
    return role


@dataclass
class Cast:
    province: object
    city: object
    org_a: object
    org_a_child: object
    org_b: object
    org_admin: object
    working_role: Role
    users: dict = field(default_factory=dict)
    devices: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def client(self, persona: str) -> Client:
        """A test client for ``persona``, logged in (staff: with the second factor verified)."""
        if persona not in self._clients:
            user = self.users[persona]
            self._clients[persona] = logged_in_client(user, self.devices.get(persona))
        return self._clients[persona]

    def resolve(self, value):
        """Replace "org_a.pk"-style references to cast members by their values, recursively."""
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.resolve(item) for item in value)
        if isinstance(value, str) and "." in value:
            head, *attributes = value.split(".")
            try:
                target = getattr(self, head)
            except AttributeError:
                return value
            for attribute in attributes:
                target = getattr(target, attribute)
            return target
        return value


def logged_in_client(user, device=None, **client_options) -> Client:
    """A client logged in as ``user`` (None: anonymous); with ``device``, OTP-verified."""
    client = Client(**client_options)
    if user is not None:
        client.force_login(user)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def build_cast() -> Cast:
    province = DivisionFactory(
        code="510000", name="四川省", level=DivisionLevel.PROVINCE, parent=None
    )
    city = DivisionFactory(code="510100", name="成都市", level=DivisionLevel.CITY, parent=province)
    org_a = OrganisationFactory(name="成都市发展和改革委员会", division=city)
    org_a_child = OrganisationFactory(
        name="成都市发展和改革委员会办公室",
        kind=OrganisationKind.INTERNAL_DEPARTMENT,
        parent=org_a,
        division=city,
    )
    org_b = OrganisationFactory(name="成都市财政局", division=city)
    org_admin = OrganisationFactory(
        name="成都市大数据中心", division=city, subordination=Subordination.CITY
    )

    definitions = _administrator_definitions()
    working = sorted(
        code for code in platform.permissions if not _is_administrator_permission(code)
    )
    working_role = Role.objects.update_or_create(
        code=WORKING_ROLE,
        defaults={
            "name": "矩阵测试业务角色",
            "scope": DataScope.OWN_ORGANISATION,
            "permissions": working,
        },
    )[0]

    cast = Cast(province, city, org_a, org_a_child, org_b, org_admin, working_role)
    cast.users["anonymous"] = None
    cast.users["citizen"] = CitizenFactory(username="matrix_citizen")
    staff = {
        "staff_same_org": (org_a, [working_role]),
        "staff_other_org": (org_b, [working_role]),
    }
    for code, (name, scope, codes) in definitions.items():
        staff[code] = (org_admin, [_role(code, name, scope, codes)])
    for persona, (organisation, roles) in staff.items():
        user = UserFactory(username=f"matrix_{persona}", organisation=organisation, roles=roles)
        cast.users[persona] = user
        cast.devices[persona] = confirmed_totp_device(user)
    return cast


@pytest.fixture
def cast(db, settings) -> Cast:
    return build_cast()
