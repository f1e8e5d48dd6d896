"""Who is calling: a verified staff session, or a bearer token for another system.

``api_auth()`` is the default of the whole API; ``api_auth("core.manage_organisation")``
also demands a permission, so that a caller without it gets 403 before the body is read.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from tongzheng.api.tokens import active_token, mark_used
from tongzheng.core.access import has_permission


class NotVerified(AuthenticationError):
    """A staff session that has not passed the second factor (TOTP)."""

    def __init__(self) -> None:
        super().__init__(401, _("请先完成双因素认证。"))


def _check_permission(user, permission: str | None) -> None:
    if permission and not has_permission(user, permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


class BearerToken(HttpBearer):
    """Authorization: Bearer <token> — the token acts as its user, with that user's roles."""

    def __init__(self, permission: str | None = None) -> None:
        self.permission = permission
        super().__init__()

    def authenticate(self, request, token: str):
        found = active_token(token)
        if found is None:
            return None
        mark_used(found)
        request.user = found.user
        request.api_token = found
        _check_permission(found.user, self.permission)
        return found.user


class StaffSession(SessionAuth):
    """The workbench session of a staff user who passed the second factor; CSRF is checked."""

    def __init__(self, permission: str | None = None) -> None:
        self.permission = permission
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        if getattr(user, "kind", None) != "staff":
            raise PermissionDenied(_("此接口仅供工作人员和授权系统使用。"))
        verified = getattr(user, "is_verified", None)
        if settings.STAFF_REQUIRE_TOTP and not (verified and verified()):
            raise NotVerified()
        expired = getattr(user, "password_expired", None)
        if expired and expired():
            raise PermissionDenied(_("您的密码已过期或已被重置，请先在工作台修改密码。"))
        _check_permission(user, self.permission)
        return user


def api_auth(permission: str | None = None) -> list:
    """Token first (machine clients never meet the CSRF check), then the session."""
    return [BearerToken(permission), StaffSession(permission)]


def bearer_token(request):
    """The active token named by the Authorization header, or None."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    return active_token(secret.strip()) if scheme.lower() == "bearer" else None


def principal(request):
    """The user a request speaks for, before the operation's own authentication runs."""
    if request.headers.get("Authorization", "").lower().startswith("bearer"):
        token = bearer_token(request)
        return token.user if token else None
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None
