"""Idempotent writes: the same ``Idempotency-Key`` from the same user acts once.

Use on an operation with ``@decorate_view(idempotent)``. The first request runs inside one
transaction together with the insert of its ``IdempotencyRecord`` (unique per user and
key), so a concurrent retry waits for it and then gets the stored answer. Only successful
(2xx) answers are kept: a rejected request may be corrected and sent again with the same
key. A key reused with a different method, path or body is refused with 422.

The operation's own actions must not use ``transaction.atomic(durable=True)``: they run
inside this transaction.
"""

from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.api.auth import principal
from tongzheng.api.models import IdempotencyRecord
from tongzheng.core.crypto import sm3_hex

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)


# For an operation's ``openapi_extra``: documents the header in the schema.
OPENAPI_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "幂等键：同一用户以相同的键重试时返回首次的结果，不会重复执行（保留24小时）。",
        }
    ]
}


def _fingerprint(request) -> str:
    return sm3_hex(b"\n".join([request.method.encode(), request.path.encode(), request.body]))


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return _error(422, _("该幂等键已用于内容不同的请求，请使用新的幂等键。"))
    response = HttpResponse(
        record.body, status=record.status_code, content_type=record.content_type
    )
    response[REPLAY_HEADER] = "true"
    return response


def idempotent(run):
    """View-level decorator for a ninja operation's ``run``."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return run(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return _error(400, _("幂等键不能为空，且不能超过255个字符。"))
        user = principal(request)
        if user is None:  # the operation's authentication will answer 401
            return run(request, *args, **kwargs)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            IdempotencyRecord.objects.filter(
                user=user, key=key, created_at__lt=timezone.now() - RETENTION
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                return _replay(IdempotencyRecord.objects.get(user=user, key=key), fingerprint)
            response = run(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "application/json")
                record.body = response.content.decode()
                record.save(update_fields=["status_code", "content_type", "body"])
            else:
                record.delete()
            return response

    return wrapper


def purge_expired(now=None) -> int:
    """Delete records older than ``RETENTION``; returns how many. For a periodic task."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _per_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
