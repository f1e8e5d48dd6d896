"""Bearer secrets: generated once, stored only as their SM3 digest."""

import secrets
from datetime import timedelta

from django.utils import timezone

from tongzheng.api.models import ApiToken
from tongzheng.core.crypto import sm3_hex

SECRET_PREFIX = "tz_"
# last_used_at is refreshed at most this often, so that reads do not all become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return sm3_hex(secret.encode())


def active_token(secret: str) -> ApiToken | None:
    """The unrevoked token of an active user for this secret, or None."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=digest(secret), revoked=False, user__is_active=True, user__kind="staff")
        .first()
    )
    return token


def mark_used(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
