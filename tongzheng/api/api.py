"""The platform's JSON API (/api/, OpenAPI documentation at /api/docs).

Each app contributes a ``router`` in ``tongzheng/<app>/api.py``; add it to ``ROUTERS``
below. Every operation requires a verified staff session or a bearer token unless it says
otherwise (``tongzheng.api.auth``); every error answers ``{"detail": "<中文说明>"}``.
"""

from functools import wraps
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from tongzheng.api import errors
from tongzheng.api.auth import api_auth, bearer_token
from tongzheng.api.tokens import mark_used

# (URL prefix, module holding ``router``). Each app adds its own line.
ROUTERS: list[tuple[str, str]] = [
    ("core", "tongzheng.core.api"),
    ("staffing", "tongzheng.staffing.api"),
    ("staffing-statistics", "tongzheng.staffing.api_statistics"),
    ("hotline", "tongzheng.hotline.api"),
    ("services", "tongzheng.services.api"),
]


def staff_docs(view):
    """The schema and its documentation are for verified staff and token holders only.

    /api/docs (HTML) keeps the login redirect; /api/openapi.json answers 401 as JSON so that
    machine clients can fetch it with their bearer token.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = bearer_token(request)
        if token is not None:
            mark_used(token)
            return view(request, *args, **kwargs)
        user = request.user
        if not user.is_authenticated:
            return JsonResponse(
                {"detail": _("请先登录，或在请求头中提供有效的接口令牌。")},
                status=401,
                json_dumps_params={"ensure_ascii": False},
            )
        if getattr(user, "kind", None) != "staff":
            raise PermissionDenied(_("接口文档仅供工作人员查阅。"))
        verified = getattr(user, "is_verified", None)
        if settings.STAFF_REQUIRE_TOTP and not (verified and verified()):
            raise PermissionDenied(_("请先完成双因素认证。"))
        return view(request, *args, **kwargs)

    return wrapper


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="通政 API",
        version="1",
        description=(
            "通政统一电子政务平台的数据接口。调用方使用已完成双因素认证的工作人员会话，"
            "或在请求头中携带 Authorization: Bearer <令牌>。错误统一返回 "
            '{"detail": "<说明>"}。写操作可带 Idempotency-Key 请求头，重试不会重复执行。'
        ),
        urls_namespace="api",
        docs_url="/docs",
        docs_decorator=staff_docs,
        auth=api_auth(),
    )
    errors.install(api)
    for prefix, module in ROUTERS:
        api.add_router(f"/{prefix}/", import_module(module).router, url_name_prefix=prefix)
    return api


api = build_api()
