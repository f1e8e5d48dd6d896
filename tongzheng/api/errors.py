"""Every API error is JSON ``{"detail": "<中文说明>"}`` with a 4xx status."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaValidationError


def _messages(exc: ValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        fields = {
            ("__all__" if name == NON_FIELD_ERRORS else name): [str(m) for e in errors for m in e]
            for name, errors in exc.error_dict.items()
        }
    else:
        fields = {"__all__": [str(m) for m in exc.messages]}
    summary = "；".join(message for messages in fields.values() for message in messages)
    return summary, fields


def _is_conflict(exc: ValidationError) -> bool:
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    return any(e.code in ("unique", "unique_together") for group in errors for e in group)


def _field_path(loc) -> tuple:
    """("body", "payload", "name") → ("name",); ("query", "page") → ("page",)."""
    parts = tuple(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        kind, parts = parts[0], parts[1:]
        if kind == "body" and len(parts) > 1:
            parts = parts[1:]
    return parts


def install(api) -> None:
    """Register the platform's exception handlers on a NinjaAPI instance."""

    def respond(request, status: int, detail: str, **extra):
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        summary, fields = _messages(exc)
        status = 409 if _is_conflict(exc) else 422
        return respond(request, status, summary or _("提交的数据无效。"), errors=fields)

    @api.exception_handler(SchemaValidationError)
    def malformed(request, exc):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            location = ".".join(str(part) for part in _field_path(error.get("loc", ())))
            fields.setdefault(location or "__all__", []).append(error.get("msg", ""))
        names = "、".join(sorted(fields))
        return respond(
            request,
            422,
            _("请求数据不符合接口要求，请检查这些字段：%(fields)s。") % {"fields": names},
            errors=fields,
        )

    @api.exception_handler(PermissionDenied)
    def denied(request, exc):
        return respond(request, 403, str(exc) or _("您没有执行此操作的权限。"))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, _("请求的对象不存在或不在您的数据范围内。"))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        message = exc.message if exc.message != "Unauthorized" else ""
        return respond(request, 401, message or _("请先登录，或在请求头中提供有效的接口令牌。"))

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return respond(request, 429, _("请求过于频繁，请稍后再试。"))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        known = {
            "CSRF check Failed": _("CSRF 校验失败，请刷新页面后重试。"),
            "Cannot parse request body": _("请求体不是有效的 JSON。"),
        }
        return respond(request, exc.status_code, known.get(exc.message, exc.message))

    @api.exception_handler(IntegrityError)
    def conflict(request, exc):
        return respond(request, 409, _("数据与已有记录冲突，请刷新后重试。"))
