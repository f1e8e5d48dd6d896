"""Session policy on every request (等保 level 3).

In order: the idle timeout (会话超时), staff pages closed to citizen and enterprise
accounts, the staff second factor (动态口令), then a forced password change (expired or
reset). Public views (``login_not_required``) and the login steps themselves are exempt
from the last three.
"""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import get_user as request_session_user
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from tongzheng.accounts.actions import log_out, needs_second_factor
from tongzheng.accounts.models import AccountKind
from tongzheng.accounts.session_registry import idle_seconds, touch

# Reachable while the second factor or a password change is still owed.
LOGIN_STEP_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp_verify",
        "accounts:otp_setup",
        "set_language",
    }
)
PASSWORD_STEP_VIEWS = LOGIN_STEP_VIEWS | {"accounts:password_change"}
STAFF_NAMESPACES = frozenset({"workbench"})
STAFF_PATH_PREFIX = "/workbench/"


def staff_only(view_func):
    """Mark a view as a staff page: citizen and enterprise accounts get 403 there."""
    view_func.staff_only = True
    return view_func


def is_staff_page(request, view_func) -> bool:
    match = request.resolver_match
    namespaces = set(match.namespaces) if match else set()
    return (
        getattr(view_func, "staff_only", False)
        or bool(namespaces & STAFF_NAMESPACES)
        or request.path_info.startswith(STAFF_PATH_PREFIX)
    )


#: The user whose confirmed device verified this session (动态口令), stamped the first time
#: django_otp's device id in the session is checked against the database.
OTP_VERIFIED_USER_KEY = "tongzheng_otp_user"


class SessionOTPMiddleware(OTPMiddleware):
    """django_otp's OTPMiddleware without its device query on every staff request.

    The device is checked once per session (it exists, is confirmed and is the user's),
    and the session then records for whom. Later requests trust that record: sessions
    are server-side, and nothing removes a confirmed device without ending its user's
    sessions (``reset_second_factor``, and any other deletion through the signal in
    ``apps.py``; no code unconfirms a device), so a session that still exists still has
    its device. ``user.otp_device`` is then loaded only if some code reads it.
    """

    def _verify_user_sync(self, request, user):
        # The user itself rather than AuthenticationMiddleware's lazy wrapper of it (the
        # same object, cached on the request): request.user is then one proxy deep, not
        # two, for each of a page's many reads of it.
        user = request_session_user(request)
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        session = request.session
        persistent_id = session.get(DEVICE_ID_SESSION_KEY)
        if not persistent_id:
            return user
        if session.get(OTP_VERIFIED_USER_KEY) == user.pk:
            user.otp_device = SimpleLazyObject(
                partial(self._device_from_persistent_id, persistent_id)
            )
            return user
        device = self._device_from_persistent_id(persistent_id)
        user.otp_device = self._finalize_device(request, user, device)
        if user.otp_device is not None:
            session[OTP_VERIFIED_USER_KEY] = user.pk
        return user


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        public = not getattr(view_func, "login_required", True)
        idle = idle_seconds(request)
        if idle is not None and idle > settings.SESSION_IDLE_TIMEOUT_SECONDS:
            log_out(request=request, reason="idle_timeout")
            if public:
                return None
            messages.info(
                request,
                _("您已超过%(minutes)d分钟未操作，为保障安全已自动退出，请重新登录。")
                % {"minutes": settings.SESSION_IDLE_TIMEOUT_SECONDS // 60},
            )
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        touch(request)
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if public or view_name in LOGIN_STEP_VIEWS:
            return None
        if user.kind != AccountKind.STAFF and is_staff_page(request, view_func):
            raise PermissionDenied(_("公众账户不能访问工作人员页面。"))
        if needs_second_factor(user):
            return redirect(
                resolve_url("accounts:otp_verify")
                + "?"
                + urlencode({"next": request.get_full_path()})
            )
        if view_name not in PASSWORD_STEP_VIEWS and user.password_expired():
            messages.warning(request, _("您的密码已过期或已被管理员重置，请先修改密码。"))
            return redirect(
                resolve_url("accounts:password_change")
                + "?"
                + urlencode({"next": request.get_full_path()})
            )
        return None
