"""限流: anonymous spam at public intake, and guessing of 提取码.

Counters live in Django's cache (``settings.CACHES``; production shares one Redis between
app servers). Each counter is a fixed window that opens at its first hit.

Intake (``intake_allowed``) counts one accepted submission against exactly one bucket:

- a signed-in citizen or enterprise: per account (``HOTLINE_RATE_ACCOUNT``, 30 / hour);
- a named reporter (name and phone, not anonymous): per phone number's blind index
  (``HOTLINE_RATE_NAMED``, 20 / hour) and a wide per-address ceiling
  (``HOTLINE_RATE_NAMED_ADDRESS``, 60 / hour) so that invented numbers cannot flood;
- everyone else (anonymous): per client address (``HOTLINE_RATE_ANONYMOUS``, 5 / hour).

So anonymous spam from one address never blocks a named reporter behind the same address
(an office or a mobile carrier's NAT).

Extraction-code lookups (``lookup_blocked`` / ``lookup_failed``) count *failures* per
client address and per ticket number (``HOTLINE_RATE_LOOKUP_FAILURES``, 10 / 15 minutes);
once either counter is full every lookup is refused with 429, even with the right code,
until the window ends. With about 50 bits of code, 10 guesses per 15 minutes per number
make guessing hopeless.

Each setting is a ``(count, seconds)`` pair read with ``getattr`` defaults.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from tongzheng.core.crypto import blind_index

DEFAULTS = {
    "HOTLINE_RATE_ANONYMOUS": (5, 3600),
    "HOTLINE_RATE_NAMED": (20, 3600),
    "HOTLINE_RATE_NAMED_ADDRESS": (60, 3600),
    "HOTLINE_RATE_ACCOUNT": (30, 3600),
    "HOTLINE_RATE_LOOKUP_FAILURES": (10, 15 * 60),
}

INTAKE_MESSAGE = _("提交过于频繁，请稍后再试。实名反映或登录后提交不受此限制。")
ACCOUNT_MESSAGE = _("提交过于频繁，请一小时后再试。")
LOOKUP_MESSAGE = _("查询失败次数过多，请 15 分钟后再试。")


def rate(name: str) -> tuple[int, int]:
    count, seconds = getattr(settings, name, DEFAULTS[name])
    return int(count), int(seconds)


def client_address(request) -> str:
    """The address the request came from (the proxy must set REMOTE_ADDR, as for audit)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, identifier: str) -> str:
    # Hashed so that addresses and numbers do not sit readable in a shared cache.
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:32]
    return f"tz:hotline:rl:{kind}:{digest}"


def _count(key: str) -> int:
    return int(cache.get(key, 0))


def _hit(key: str, seconds: int) -> int:
    """Add one to the counter (opening its window on the first hit); the new value."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def _take(buckets) -> bool:
    """Count one hit in every bucket if none is full; False (nothing counted) otherwise."""
    for key, (count, _seconds) in buckets:
        if _count(key) >= count:
            return False
    for key, (_count_limit, seconds) in buckets:
        _hit(key, seconds)
    return True


def intake_buckets(request, *, named_phone: str = "") -> list[tuple[str, tuple[int, int]]]:
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        return [(_key("account", str(user.pk)), rate("HOTLINE_RATE_ACCOUNT"))]
    address = client_address(request)
    if named_phone:
        return [
            (_key("phone", blind_index(named_phone)), rate("HOTLINE_RATE_NAMED")),
            (_key("named-address", address), rate("HOTLINE_RATE_NAMED_ADDRESS")),
        ]
    return [(_key("address", address), rate("HOTLINE_RATE_ANONYMOUS"))]


def intake_allowed(request, *, named_phone: str = "") -> bool:
    """Count one public submission; False when its bucket is full (answer 429)."""
    return _take(intake_buckets(request, named_phone=named_phone))


def _lookup_keys(request, number: str) -> list[str]:
    return [
        _key("lookup-address", client_address(request)),
        _key("lookup-number", (number or "").strip().upper()),
    ]


def lookup_blocked(request, number: str) -> bool:
    """True when this address or this ticket number has failed too often (answer 429)."""
    count, _seconds = rate("HOTLINE_RATE_LOOKUP_FAILURES")
    return any(_count(key) >= count for key in _lookup_keys(request, number))


def lookup_failed(request, number: str) -> None:
    """Count one failed number + 提取码 lookup against the address and the number."""
    _count_limit, seconds = rate("HOTLINE_RATE_LOOKUP_FAILURES")
    for key in _lookup_keys(request, number):
        _hit(key, seconds)
