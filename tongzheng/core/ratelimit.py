"""限流: fixed-window counters in Django's cache, for every module's public forms.

Counters live in ``settings.CACHES`` (production shares one Redis between app servers, so
a limit holds across them). A counter is a window that opens at its first hit and closes
``seconds`` later. Keys are hashed so that addresses, numbers and accounts do not sit
readable in a shared cache.

Two shapes cover what the platform needs:

- ``take(buckets)``: count one attempt in every bucket unless one is full — a submission
  limit (the hotline's intake: per account, per phone, per address);
- ``FailureLimit``: count *failures* per client address and per identifier (a ticket or
  application number); once either is full every attempt is refused, even a right one,
  until the window ends — what makes a short secret code unguessable.

A limit is a ``(count, seconds)`` pair read from a setting with ``setting_rate``.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def setting_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """The ``(count, seconds)`` of setting ``name``, or ``default`` when it is not set."""
    count, seconds = getattr(settings, name, default)
    return int(count), int(seconds)


def client_address(request) -> str:
    """The address the request came from (the proxy must set REMOTE_ADDR, as for audit)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def counter_key(scope: str, kind: str, identifier: str) -> str:
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:32]
    return f"tz:{scope}:rl:{kind}:{digest}"


@dataclass(frozen=True)
class Bucket:
    key: str
    limit: int
    seconds: int


def hit(key: str, seconds: int) -> int:
    """Add one to the counter (opening its window on the first hit); the new value."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def any_full(buckets: list[Bucket]) -> bool:
    """Whether some bucket has reached its limit (one cache round trip for all)."""
    counts = cache.get_many([bucket.key for bucket in buckets])
    return any(int(counts.get(bucket.key, 0)) >= bucket.limit for bucket in buckets)


def take(buckets: list[Bucket]) -> bool:
    """Count one hit in every bucket if none is full; False (nothing counted) otherwise."""
    if any_full(buckets):
        return False
    for bucket in buckets:
        hit(bucket.key, bucket.seconds)
    return True


@dataclass(frozen=True)
class FailureLimit:
    """Failures per client address and per identifier, ``setting`` failures a window.

    ``scope`` names the module in the cache keys; ``default`` applies when ``setting`` is
    not configured.
    """

    scope: str
    setting: str
    default: tuple[int, int] = (10, 15 * 60)

    def _buckets(self, request, identifier: str) -> list[Bucket]:
        limit, seconds = setting_rate(self.setting, self.default)
        return [
            Bucket(
                counter_key(self.scope, "lookup-address", client_address(request)), limit, seconds
            ),
            Bucket(
                counter_key(self.scope, "lookup-number", (identifier or "").strip().upper()),
                limit,
                seconds,
            ),
        ]

    def blocked(self, request, identifier: str) -> bool:
        """True when this address or this identifier has failed too often (answer 429)."""
        return any_full(self._buckets(request, identifier))

    def failed(self, request, identifier: str) -> None:
        """Count one failure against the address and the identifier."""
        for bucket in self._buckets(request, identifier):
            hit(bucket.key, bucket.seconds)
