"""Permission checks and the one place where data scope becomes a query filter.

Roles (accounts.Role) carry permission codes and a ``DataScope``; this module turns a
user's roles into answers and filters. It reads ``user.roles`` and ``user.kind`` only,
so the floor apps do not import each other in a circle.

Every list, detail, export and API read goes through ``ScopedQuerySet.for_user``; a
model opts in by using the queryset and naming, in ``scope_fields``, where its
organisation and its owner are.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as gettext
from django.utils.translation import gettext_lazy as _


class DataScope(models.IntegerChoices):
    """数据范围, ordered from narrowest to widest."""

    OWN_RECORDS = 1, _("本人")
    OWN_ORGANISATION = 2, _("本机构")
    ORGANISATION_AND_BELOW = 3, _("本机构及下级")
    DIVISION_AND_BELOW = 4, _("本区划及下级")
    ALL = 5, _("全部")


def _scopes_of(user) -> dict[str, int]:
    """Permission code -> the widest scope a role gives it, read once per request's user.

    Shared by the checks below without copying: a staff page asks ``has_permission``
    about 150 times (navigation, buttons, scoped queries).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    if user.kind != "staff":
        return {}
    cached = getattr(user, "_tongzheng_permissions", None)
    if cached is None:
        cached = user._tongzheng_permissions = _stored_scopes(user)
    return cached


def _read_scopes(user) -> dict[str, int]:
    scopes: dict[str, int] = {}
    for role in user.roles.all():
        for code in role.permissions:
            scopes[code] = max(scopes.get(code, 0), role.scope)
    return scopes


# Staff users' scopes in the shared cache (one cache round trip instead of a roles query
# on every staff request), stamped with the access version: any change of
# a role or of a user's roles bumps it (``access_changed``), and an entry of another
# version is read again from the database. Only with a shared cache (settings.SHARED_CACHE):
# per-process memory would miss another process's bump.
ACCESS_VERSION = "tz:access:version"
SCOPES_TIMEOUT = 3600


def _stored_scopes(user) -> dict[str, int]:
    if not settings.SHARED_CACHE:
        return _read_scopes(user)
    key = f"tz:access:scopes:{user.pk}"
    found = cache.get_many([ACCESS_VERSION, key])
    version, entry = found.get(ACCESS_VERSION), found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    scopes = _read_scopes(user)
    if version is None:
        # A lost version restarts from the clock, never below a number already handed out.
        version = time.time_ns()
        if not cache.add(ACCESS_VERSION, version, timeout=None):
            return scopes  # another request or a change set it meanwhile: store nothing now
    cache.set(key, (version, scopes), timeout=SCOPES_TIMEOUT)
    return scopes


def _bump_access_version() -> None:
    try:
        cache.incr(ACCESS_VERSION)
    except ValueError:  # lost (evicted or never set)
        cache.set(ACCESS_VERSION, time.time_ns(), timeout=None)


def access_changed() -> None:
    """Roles or role assignments changed: every cached scope is stale.

    Bumped at once and again on commit: a request that reads the old roles before the
    change commits stores them under the first bump's version, which the second retires.
    """
    if not settings.SHARED_CACHE:
        return
    _bump_access_version()
    transaction.on_commit(_bump_access_version)


def permissions_of(user) -> set[str]:
    """The permission codes ``user`` holds (a new set: the caller may change it)."""
    return set(_scopes_of(user))


def scope_for(user, permission: str) -> int | None:
    """The widest data scope with which ``user`` holds ``permission``, or None."""
    return _scopes_of(user).get(permission)


def has_permission(user, permission: str) -> bool:
    return permission in _scopes_of(user)


def require_permission(user, permission: str) -> None:
    if not has_permission(user, permission):
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


@dataclass(frozen=True)
class ScopeFields:
    organisation: str  # lookup path to an Organisation FK; "" when the model is Organisation
    owner: str | None = None  # lookup path to the creating user, for "own records" scope
    # Lookup path to the row's own division path, for rows that belong to a place before
    # they belong to an organisation (a hotline ticket not yet dispatched): the
    # DIVISION_AND_BELOW scope then reads it instead of the organisation's division.
    division_path: str | None = None


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user, permission: str):
        """Rows of this model that ``user`` may see with ``permission`` — one filter, no loops."""
        scope = scope_for(user, permission)
        if scope is None:
            return self.none()
        if scope == DataScope.ALL:
            return self
        fields: ScopeFields = self.model.scope_fields
        prefix = f"{fields.organisation}__" if fields.organisation else ""
        organisation = user.organisation
        if organisation is None:
            return self.none()
        if scope == DataScope.OWN_RECORDS:
            if fields.owner is None:
                return self.none()
            return self.filter(**{fields.owner: user})
        if scope == DataScope.OWN_ORGANISATION:
            return self.filter(**{f"{prefix}pk" if prefix else "pk": organisation.pk})
        if scope == DataScope.ORGANISATION_AND_BELOW:
            return self.filter(**{f"{prefix}path__startswith": organisation.path})
        division_path = fields.division_path or f"{prefix}division_path"
        return self.filter(**{f"{division_path}__startswith": organisation.division_path})

    def get_for_user(self, user, permission: str, **lookup):
        """One object in scope, or 404 — another organisation's object does not exist for you."""
        try:
            return self.for_user(user, permission).get(**lookup)
        except self.model.DoesNotExist as exc:
            raise Http404 from exc
