"""Every write of the accounts app: login policy, second factor, users, roles (三员).

Each function is one transaction holding its permission check and its audit record.
Self-service steps (login, second factor, own password, registration) check that the
actor acts on their own account instead of a permission code.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts.models import AccountKind, Role, User
from tongzheng.accounts.passwords import generate_temporary_password
from tongzheng.accounts.roles import ADMINISTRATOR_ROLE_CODES, families_of
from tongzheng.accounts.session_registry import (
    end_sessions,
    forget_session,
    remember_session,
    touch,
)
from tongzheng.audit.actions import record_event
from tongzheng.audit.models import Outcome
from tongzheng.core.access import DataScope, require_permission, scope_for
from tongzheng.core.models import Organisation
from tongzheng.core.registry import platform

MANAGE_USERS = "accounts.manage_users"
MANAGE_ROLES = "accounts.manage_roles"
ASSIGN_ROLES = "accounts.assign_roles"
MANAGE_SECURITY_POLICY = "accounts.manage_security_policy"


def generic_login_error() -> str:
    """One message for every failed login: it never tells whether the account exists."""
    return _("用户名或密码错误，或账户已被暂时锁定，请稍后再试。")


# --- Login, logout, second factor -------------------------------------------------------


def _register_failure(user: User, *, request, reason: str, now) -> None:
    """Count one failed attempt (password or token); lock the account at the limit."""
    user.failed_logins += 1
    locked = user.failed_logins >= settings.LOGIN_MAX_FAILURES
    if locked:
        user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    user.save(update_fields=["failed_logins", "locked_until"])
    record_event(
        actor=user,
        action="auth.login_failed",
        target=user,
        outcome=Outcome.FAILURE,
        request=request,
        detail={"reason": reason, "failures": user.failed_logins},
    )
    if locked:
        record_event(
            actor=user,
            action="auth.locked",
            target=user,
            outcome=Outcome.SUCCESS,
            request=request,
            detail={
                "until": user.locked_until.isoformat(),
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
            },
        )


def log_in(*, request, username: str, password: str) -> User | None:
    """Password step of the login (口令鉴别). Returns the user, or None after a failure."""
    username = (username or "").strip()[:150]
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            User().set_password(password)  # spend the same time as a real check
            record_event(
                actor=None,
                actor_name=username,
                action="auth.login_failed",
                outcome=Outcome.FAILURE,
                request=request,
                detail={"reason": "unknown_user"},
            )
            return None
        if user.locked_until is not None:
            if user.locked_until > now:
                User().set_password(password)  # same cost: the answer time must not tell
                record_event(
                    actor=user,
                    action="auth.login_failed",
                    target=user,
                    outcome=Outcome.DENIED,
                    request=request,
                    detail={"reason": "locked", "until": user.locked_until.isoformat()},
                )
                return None
            user.locked_until = None  # the lock has run out: count afresh
            user.failed_logins = 0
            user.save(update_fields=["failed_logins", "locked_until"])
        authenticated = authenticate(request, username=user.username, password=password)
        if authenticated is None:
            reason = "inactive" if not user.is_active else "bad_password"
            _register_failure(user, request=request, reason=reason, now=now)
            return None
        authenticated.failed_logins = 0
        authenticated.locked_until = None
        authenticated.save(update_fields=["failed_logins", "locked_until"])
        forget_session(request)  # a previous user's session on this browser ends here
        auth_login(request, authenticated)
        remember_session(request, authenticated)
        touch(request, force=True)
        record_event(
            actor=authenticated,
            action="auth.login",
            target=authenticated,
            request=request,
            detail={"kind": authenticated.kind, "factor": "password"},
        )
        return authenticated


def log_out(*, request, reason: str = "user") -> None:
    """End the current session (退出登录); ``reason`` is "user" or "idle_timeout"."""
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            record_event(
                actor=user,
                action="auth.logout",
                target=user,
                request=request,
                detail={"reason": reason},
            )
        forget_session(request)
        auth_logout(request)


def needs_second_factor(user) -> bool:
    return (
        settings.STAFF_REQUIRE_TOTP
        and user.is_authenticated
        and user.kind == AccountKind.STAFF
        # OTPMiddleware installs is_verified(); a user object fresh from login has none yet.
        and not getattr(user, "is_verified", lambda: False)()
    )


def _require_staff_self(actor) -> None:
    if not actor.is_authenticated or actor.kind != AccountKind.STAFF:
        raise PermissionDenied(_("只有工作人员需要绑定动态口令。"))


def pending_totp_device(*, actor, request=None) -> TOTPDevice:
    """The unconfirmed device for enrolment (绑定动态口令), created once and reused."""
    _require_staff_self(actor)
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
            raise PermissionDenied(_("您已绑定动态口令设备。如需更换，请联系系统管理员重置。"))
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor, name="tongzheng", confirmed=False)
            record_event(
                actor=actor, action="auth.otp_enrolment_started", target=actor, request=request
            )
        return device


def _elevate_session(request, actor, device) -> None:
    """Mark the session verified under a new key (no session fixation across the factor)."""
    forget_session(request)
    request.session.cycle_key()
    otp_login(request, device)
    remember_session(request, actor)


def _otp_failure(actor, *, request, reason: str) -> bool:
    """Record a wrong token; True when the account is now locked (the session then ends)."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    _register_failure(user, request=request, reason=reason, now=timezone.now())
    return user.locked_until is not None


def confirm_totp_enrolment(*, actor, request, token: str) -> bool:
    """Confirm the pending device with a first valid token, and count it as this login's factor."""
    _require_staff_self(actor)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=actor, confirmed=False)
            .order_by("id")
            .first()
        )
        if device is None:
            raise PermissionDenied(_("没有待确认的动态口令设备。"))
        if not device.verify_token((token or "").strip()):
            if _otp_failure(actor, request=request, reason="bad_token"):
                log_out(request=request, reason="locked")
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        _elevate_session(request, actor, device)
        User.objects.filter(pk=actor.pk).update(failed_logins=0)
        record_event(actor=actor, action="auth.otp_enrolled", target=actor, request=request)
        return True


def verify_second_factor(*, actor, request, token: str) -> bool:
    """Second login step for staff (动态口令): verify a token of a confirmed device."""
    _require_staff_self(actor)
    token = (token or "").strip()
    with transaction.atomic():
        for device in devices_for_user(actor, confirmed=True, for_verify=True):
            if device.verify_token(token):
                _elevate_session(request, actor, device)
                User.objects.filter(pk=actor.pk).update(failed_logins=0)
                record_event(
                    actor=actor,
                    action="auth.login",
                    target=actor,
                    request=request,
                    detail={"kind": actor.kind, "factor": "totp"},
                )
                return True
        if _otp_failure(actor, request=request, reason="bad_token"):
            log_out(request=request, reason="locked")
        return False


# --- Own password and registration ------------------------------------------------------


def change_password(*, actor, request, old_password: str, new_password: str) -> None:
    """修改密码: checks the old password and complexity; ends the user's other sessions."""
    if not actor.is_authenticated:
        raise PermissionDenied
    if not actor.check_password(old_password):
        record_event(
            actor=actor,
            action="auth.password_change_failed",
            target=actor,
            outcome=Outcome.FAILURE,
            request=request,
        )
        raise ValidationError({"old_password": _("原密码不正确。")})
    if new_password == old_password:
        raise ValidationError({"new_password1": _("新密码不能与原密码相同。")})
    try:
        validate_password(new_password, user=actor)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        forget_session(request)
        update_session_auth_hash(request, user)  # new session key, same session data
        remember_session(request, user)
        ended = end_sessions(user, keep=request.session.session_key)
        record_event(
            actor=user,
            action="auth.password_changed",
            target=user,
            request=request,
            detail={"other_sessions_ended": ended},
        )
    actor.password = user.password
    actor.password_changed_at = user.password_changed_at
    actor.must_change_password = False


def register_citizen(*, request, username: str, full_name: str, password: str) -> User:
    """公众注册: a citizen account for the portal, with the same password policy."""
    user = User(username=username.strip(), full_name=full_name.strip(), kind=AccountKind.CITIZEN)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        record_event(
            actor=user,
            action="accounts.registered",
            target=user,
            request=request,
            detail={"kind": user.kind},
        )
    return user


# --- 系统管理员: users ------------------------------------------------------------------


def _user_in_scope(actor, user, permission: str) -> None:
    if not User.objects.for_user(actor, permission).filter(pk=user.pk).exists():
        raise PermissionDenied(_("该用户不在您的管理范围内。"))


def _not_self(actor, user) -> None:
    if actor.pk == user.pk:
        raise ValidationError(_("不能对自己的账户执行此操作。"))


def create_user(
    *, actor, organisation, username: str, full_name: str, kind: str, request=None
) -> tuple[User, str]:
    """新建用户 with a temporary password that must be changed at first login."""
    require_permission(actor, MANAGE_USERS)
    if kind == AccountKind.STAFF:
        if organisation is None:
            raise ValidationError({"organisation": _("工作人员必须属于一个机构。")})
        in_scope = Organisation.objects.for_user(actor, MANAGE_USERS).filter(pk=organisation.pk)
        if not in_scope.exists():
            raise ValidationError({"organisation": _("该机构不在您的管理范围内。")})
    else:
        if organisation is not None:
            raise ValidationError({"organisation": _("公众账户不属于任何机构。")})
        if scope_for(actor, MANAGE_USERS) != DataScope.ALL:
            raise ValidationError({"kind": _("只有数据范围为“全部”的系统管理员可以新建公众账户。")})
    password = generate_temporary_password()
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        kind=kind,
        organisation=organisation,
        must_change_password=True,
    )
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        record_event(
            actor=actor,
            action="accounts.user_created",
            target=user,
            request=request,
            detail={"kind": kind, "organisation_id": organisation.pk if organisation else None},
        )
    return user, password


def disable_user(*, actor, user, reason: str, request=None) -> int:
    """停用账户: the user can no longer log in and every open session ends now."""
    require_permission(actor, MANAGE_USERS)
    _user_in_scope(actor, user, MANAGE_USERS)
    _not_self(actor, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写停用原因。")})
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = end_sessions(user)
        record_event(
            actor=actor,
            action="accounts.user_disabled",
            target=user,
            request=request,
            detail={"reason": reason[:500], "sessions_ended": ended},
        )
    return ended


def enable_user(*, actor, user, request=None) -> None:
    """启用 / 解锁账户."""
    require_permission(actor, MANAGE_USERS)
    _user_in_scope(actor, user, MANAGE_USERS)
    _not_self(actor, user)
    if user.kind == AccountKind.STAFF and user.organisation_id is None:
        raise ValidationError(_("工作人员必须属于一个机构才能启用。"))
    with transaction.atomic():
        user.is_active = True
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["is_active", "failed_logins", "locked_until"])
        record_event(actor=actor, action="accounts.user_enabled", target=user, request=request)


def reset_password(*, actor, user, request=None) -> str:
    """重置密码: a temporary password, changed at the next login; ends the user's sessions."""
    require_permission(actor, MANAGE_USERS)
    _user_in_scope(actor, user, MANAGE_USERS)
    _not_self(actor, user)
    password = generate_temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.failed_logins = 0
        user.locked_until = None
        user.save(
            update_fields=[
                "password",
                "must_change_password",
                "password_changed_at",
                "failed_logins",
                "locked_until",
            ]
        )
        ended = end_sessions(user)
        record_event(
            actor=actor,
            action="accounts.password_reset",
            target=user,
            request=request,
            detail={"sessions_ended": ended},
        )
    return password


def reset_second_factor(*, actor, user, request=None) -> int:
    """重置动态口令: removes the user's devices; they enrol again at the next login."""
    require_permission(actor, MANAGE_USERS)
    _user_in_scope(actor, user, MANAGE_USERS)
    _not_self(actor, user)
    with transaction.atomic():
        # Sessions first: deleting a confirmed device would end them too (apps.py), and
        # the audit record counts them here.
        ended = end_sessions(user)
        removed, _details = TOTPDevice.objects.filter(user=user).delete()
        record_event(
            actor=actor,
            action="accounts.otp_reset",
            target=user,
            request=request,
            detail={"devices_removed": removed, "sessions_ended": ended},
        )
    return removed


# --- 安全管理员: roles and assignments --------------------------------------------------


def mixing_error() -> ValidationError:
    return ValidationError(
        _("三员分立：系统管理、安全管理、审计管理三类权限不能出现在同一个角色或同一个用户上。")
    )


def validate_role_permissions(permissions: list[str]) -> list[str]:
    """Known codes only, in registry order, and at most one administrator family."""
    unknown = sorted(set(permissions) - set(platform.permissions))
    if unknown:
        raise ValidationError(
            {"permissions": _("未登记的权限：%(codes)s") % {"codes": "、".join(unknown)}}
        )
    if len(families_of(permissions)) > 1:
        raise mixing_error()
    return [code for code in platform.permissions if code in set(permissions)]


def _role_state(role: Role) -> dict:
    return {"name": role.name, "permissions": list(role.permissions), "scope": role.scope}


def save_role(
    *,
    actor,
    role: Role | None,
    code: str = "",
    name: str,
    permissions: list[str],
    scope: int,
    request=None,
) -> Role:
    """新建或修改角色 (权限与数据范围); refuses to mix administrator families."""
    require_permission(actor, MANAGE_ROLES)
    permissions = validate_role_permissions(permissions)
    if scope not in DataScope.values:
        raise ValidationError({"scope": _("数据范围无效。")})
    with transaction.atomic():
        if role is None:
            role = Role(code=code.strip(), is_builtin=False)
            before = {}
        else:
            role = Role.objects.select_for_update().get(pk=role.pk)
            if role.code in ADMINISTRATOR_ROLE_CODES:
                raise ValidationError(_("三员角色的权限和数据范围由系统规定，不能修改。"))
            before = _role_state(role)
            for holder in role.users.prefetch_related("roles"):
                codes = set(permissions)
                for other in holder.roles.all():
                    if other.pk != role.pk:
                        codes.update(other.permissions)
                if len(families_of(codes)) > 1:
                    raise ValidationError(
                        _("修改后，用户“%(user)s”将同时拥有两类管理员权限，不符合三员分立。")
                        % {"user": holder}
                    )
        role.name = name.strip()
        role.permissions = permissions
        role.scope = scope
        role.full_clean()
        role.save()
        record_event(
            actor=actor,
            action="permission.changed",
            target=role,
            request=request,
            detail={"change": "role", "before": before, "after": _role_state(role)},
        )
    return role


def assign_roles(*, actor, user, roles, request=None) -> None:
    """分配角色 to a staff user; audited as permission.changed with before and after."""
    require_permission(actor, ASSIGN_ROLES)
    _user_in_scope(actor, user, ASSIGN_ROLES)
    if actor.pk == user.pk:
        raise ValidationError(_("不能修改自己的角色。"))
    roles = list(roles)
    if roles and user.kind != AccountKind.STAFF:
        raise ValidationError(_("只能为工作人员分配角色。"))
    widest = scope_for(actor, ASSIGN_ROLES) or 0
    if any(r.scope > widest for r in roles):
        raise ValidationError(_("不能分配数据范围大于您自己管理范围的角色。"))
    administrator_roles = [r for r in roles if families_of(r.permissions)]
    if len(administrator_roles) > 1:
        raise ValidationError(_("一个用户只能担任一种管理员角色（三员分立）。"))
    if len(families_of(code for r in roles for code in r.permissions)) > 1:
        raise mixing_error()
    with transaction.atomic():
        before = sorted(user.roles.values_list("code", flat=True))
        user.roles.set(roles)
        after = sorted(r.code for r in roles)
        record_event(
            actor=actor,
            action="permission.changed",
            target=user,
            request=request,
            detail={"change": "user_roles", "before": before, "after": after},
        )


def bootstrap_administrator(
    *, role_code: str, username: str, full_name: str, organisation
) -> tuple[User, str]:
    """Create one of the three administrators from the operator's console (no actor exists
    yet on a fresh installation: there is no superuser). Audited with the console as actor."""
    if role_code not in ADMINISTRATOR_ROLE_CODES:
        raise ValidationError(_("角色必须是系统管理员、安全管理员或审计管理员之一。"))
    from tongzheng.accounts.roles import ensure_builtin_roles

    ensure_builtin_roles()
    role = Role.objects.get(code=role_code)
    password = generate_temporary_password()
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        kind=AccountKind.STAFF,
        organisation=organisation,
        must_change_password=True,
    )
    user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
        user.roles.set([role])
        record_event(
            actor=None,
            actor_name="console",
            action="accounts.user_created",
            target=user,
            detail={"via": "console", "kind": user.kind, "organisation_id": organisation.pk},
        )
        record_event(
            actor=None,
            actor_name="console",
            action="permission.changed",
            target=user,
            detail={"change": "user_roles", "before": [], "after": [role_code]},
        )
    return user, password
