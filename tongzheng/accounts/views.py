"""Login steps, own password, registration, and the 三员 pages (thin: actions do the work)."""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongzheng.accounts import actions, queries
from tongzheng.accounts.forms import (
    AssignRolesForm,
    DisableForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    RoleForm,
    TokenForm,
    UserCreateForm,
)
from tongzheng.accounts.middleware import staff_only
from tongzheng.accounts.models import AccountKind, Role
from tongzheng.accounts.passwords import ComplexityValidator
from tongzheng.accounts.roles import ADMINISTRATOR_ROLE_CODES
from tongzheng.core.access import require_permission
from tongzheng.core.registry import platform

PAGE_SIZE = 50


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def home_for(user) -> str:
    """Where a user lands after login: the workbench for staff, the portal for the public."""
    name = settings.LOGIN_REDIRECT_URL if user.kind == AccountKind.STAFF else "portal:home"
    try:
        return resolve_url(name)
    except NoReverseMatch:
        return "/"


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _after_login_step(request, next_url: str):
    user = request.user
    if actions.needs_second_factor(user):
        return redirect(_with_next("accounts:otp_verify", next_url))
    if user.password_expired():
        messages.warning(request, _("您的密码已过期或已被管理员重置，请先修改密码。"))
        return redirect(_with_next("accounts:password_change", next_url))
    return redirect(next_url or home_for(user))


# --- Login steps --------------------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """登录 — username and password, for staff and the public alike."""
    form = LoginForm(request.POST if request.method == "POST" else None)
    next_url = _safe_next(request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = actions.log_in(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
            if user is not None:
                return _after_login_step(request, next_url)
            form.add_error(None, actions.generic_login_error())
        status = 400
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@login_not_required
@require_POST
def logout_view(request):
    """退出登录 (POST only)."""
    if request.user.is_authenticated:
        actions.log_out(request=request)
        messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


def _staff_self(request) -> None:
    if request.user.kind != AccountKind.STAFF:
        raise PermissionDenied(_("只有工作人员需要动态口令。"))


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """动态口令验证 — the staff second factor after the password."""
    _staff_self(request)
    next_url = _safe_next(request)
    if request.user.is_verified():
        return _after_login_step(request, next_url)
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(_with_next("accounts:otp_setup", next_url))
    form = TokenForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if actions.verify_second_factor(
                actor=request.user, request=request, token=form.cleaned_data["token"]
            ):
                return _after_login_step(request, next_url)
            if not request.user.is_authenticated:
                messages.error(request, actions.generic_login_error())
                return redirect("accounts:login")
            form.add_error("token", _("动态口令不正确或已过期，请重新输入。"))
        status = 400
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": next_url}, status=status
    )


def _qr_data_uri(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """绑定动态口令 — enrol an authenticator app: QR code, otpauth URI and secret."""
    _staff_self(request)
    next_url = _safe_next(request)
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(_with_next("accounts:otp_verify", next_url))
    device = actions.pending_totp_device(actor=request.user, request=request)
    form = TokenForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if actions.confirm_totp_enrolment(
                actor=request.user, request=request, token=form.cleaned_data["token"]
            ):
                messages.success(request, _("动态口令已绑定。"))
                return _after_login_step(request, next_url)
            if not request.user.is_authenticated:
                messages.error(request, actions.generic_login_error())
                return redirect("accounts:login")
            form.add_error("token", _("动态口令不正确或已过期，请重新输入。"))
        status = 400
    uri = device.config_url
    context = {
        "form": form,
        "next": next_url,
        "otpauth_uri": uri,
        "secret": b32encode(device.bin_key).decode(),
        "qr_data_uri": _qr_data_uri(uri),
    }
    return render(request, "accounts/otp_setup.html", context, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request):
    """修改密码 — also the forced step when the password expired or was reset."""
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    next_url = _safe_next(request)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.change_password(
                    actor=request.user,
                    request=request,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("密码已修改。"))
                return redirect(next_url or home_for(request.user))
        status = 400
    template = (
        "accounts/password_change_staff.html"
        if request.user.kind == AccountKind.STAFF
        else "accounts/password_change.html"
    )
    context = {
        "form": form,
        "next": next_url,
        "password_help": ComplexityValidator().get_help_text(),
    }
    return render(request, template, context, status=status)


@login_not_required
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register(request):
    """公众注册 — a citizen account for the portal."""
    form = RegisterForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.register_citizen(
                    request=request,
                    username=form.cleaned_data["username"],
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("注册成功，请登录。"))
                return redirect("accounts:login")
        status = 400
    context = {"form": form, "password_help": ComplexityValidator().get_help_text()}
    return render(request, "accounts/register.html", context, status=status)


# --- 系统管理员 ------------------------------------------------------------------------------


@staff_only
def user_list(request):
    require_permission(request.user, actions.MANAGE_USERS)
    search = request.GET.get("q", "")
    users = queries.users_for(request.user, actions.MANAGE_USERS, search=search)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/user_list.html", {"page": page, "q": search, "now_": timezone.now()}
    )


@staff_only
@require_http_methods(["GET", "POST"])
def user_create(request):
    require_permission(request.user, actions.MANAGE_USERS)
    organisations = queries.organisations_for(request.user, actions.MANAGE_USERS)
    form = UserCreateForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user, password = actions.create_user(
                    actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                return _temporary_password(request, user, password, created=True)
        status = 400
    return render(request, "accounts/user_create.html", {"form": form}, status=status)


def _temporary_password(request, user, password, *, created: bool):
    response = render(
        request,
        "accounts/temporary_password.html",
        {"subject": user, "password": password, "created": created},
    )
    response["Cache-Control"] = "no-store"
    return response


def _user_detail(request, subject, *, disable_form=None, status=200):
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "disable_form": disable_form or DisableForm(),
            "has_device": TOTPDevice.objects.filter(user=subject, confirmed=True).exists(),
        },
        status=status,
    )


@staff_only
def user_detail(request, pk: int):
    require_permission(request.user, actions.MANAGE_USERS)
    subject = queries.user_for(request.user, actions.MANAGE_USERS, pk)
    return _user_detail(request, subject)


def _user_post(request, pk: int):
    require_permission(request.user, actions.MANAGE_USERS)
    return queries.user_for(request.user, actions.MANAGE_USERS, pk)


@staff_only
@require_POST
def user_disable(request, pk: int):
    subject = _user_post(request, pk)
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            ended = actions.disable_user(
                actor=request.user,
                user=subject,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("账户已停用，已结束其%(count)d个会话。") % {"count": ended})
            return redirect("accounts:user_detail", pk=subject.pk)
    return _user_detail(request, subject, disable_form=form, status=400)


def _simple_user_post(request, pk: int, action, success: str):
    subject = _user_post(request, pk)
    try:
        action(actor=request.user, user=subject, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _user_detail(request, subject, status=400)
    messages.success(request, success)
    return redirect("accounts:user_detail", pk=subject.pk)


@staff_only
@require_POST
def user_enable(request, pk: int):
    return _simple_user_post(request, pk, actions.enable_user, _("账户已启用并解锁。"))


@staff_only
@require_POST
def user_otp_reset(request, pk: int):
    return _simple_user_post(
        request, pk, actions.reset_second_factor, _("动态口令已重置，该用户下次登录时须重新绑定。")
    )


@staff_only
@require_POST
def user_password_reset(request, pk: int):
    subject = _user_post(request, pk)
    try:
        password = actions.reset_password(actor=request.user, user=subject, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _user_detail(request, subject, status=400)
    return _temporary_password(request, subject, password, created=False)


# --- 安全管理员 ------------------------------------------------------------------------------


@staff_only
def role_list(request):
    roles = list(queries.roles_for(request.user, actions.MANAGE_ROLES))
    for role in roles:
        role.permission_labels = [
            (code, platform.permissions[code].label if code in platform.permissions else code)
            for code in role.permissions
        ]
    return render(request, "accounts/role_list.html", {"roles": roles})


def _role_form_page(request, role: Role | None):
    require_permission(request.user, actions.MANAGE_ROLES)
    initial = (
        {"name": role.name, "scope": role.scope, "permissions": role.permissions} if role else {}
    )
    form = RoleForm(request.POST if request.method == "POST" else None, role=role, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = actions.save_role(
                    actor=request.user,
                    role=role,
                    code=data.get("code", ""),
                    name=data["name"],
                    permissions=data["permissions"],
                    scope=data["scope"],
                    request=request,
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("角色“%(name)s”已保存。") % {"name": saved.name})
                return redirect("accounts:role_list")
        status = 400
    fixed = role is not None and role.code in ADMINISTRATOR_ROLE_CODES
    if fixed:
        for field in form.fields.values():
            field.disabled = True
    context = {"form": form, "role": role, "fixed": fixed}
    return render(request, "accounts/role_form.html", context, status=status)


@staff_only
@require_http_methods(["GET", "POST"])
def role_create(request):
    return _role_form_page(request, None)


@staff_only
@require_http_methods(["GET", "POST"])
def role_edit(request, pk: int):
    roles = queries.roles_for(request.user, actions.MANAGE_ROLES)
    return _role_form_page(request, get_object_or_404(roles, pk=pk))


@staff_only
def assignment_list(request):
    require_permission(request.user, actions.ASSIGN_ROLES)
    search = request.GET.get("q", "")
    users = queries.users_for(request.user, actions.ASSIGN_ROLES, search=search).filter(
        kind=AccountKind.STAFF
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/assignment_list.html", {"page": page, "q": search})


@staff_only
@require_http_methods(["GET", "POST"])
def role_assign(request, pk: int):
    require_permission(request.user, actions.ASSIGN_ROLES)
    subject = queries.user_for(request.user, actions.ASSIGN_ROLES, pk)
    form = AssignRolesForm(
        request.POST if request.method == "POST" else None,
        initial={"roles": list(subject.roles.all())},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.assign_roles(
                    actor=request.user,
                    user=subject,
                    roles=form.cleaned_data["roles"],
                    request=request,
                )
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("已更新“%(user)s”的角色。") % {"user": subject})
                return redirect("accounts:assignment_list")
        status = 400
    return render(
        request, "accounts/role_assign.html", {"form": form, "subject": subject}, status=status
    )


@staff_only
def security_policy(request):
    require_permission(request.user, actions.MANAGE_SECURITY_POLICY)
    return render(request, "accounts/security_policy.html", {"policy": queries.security_policy()})
