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

When the cache is Redis (``REDIS_URL``), each check or count is one round trip on a
connection of the thread's own (``_Redis``): ``FailureLimit.blocked`` runs on every
public status lookup (issue 4), and through Django's cache and redis-py's client one
``MGET`` cost ~80 µs of CPU against ~15 µs for the same command sent on a connection
directly (retries, pool checkout and key validation are what the rest paid for). A count
(``take``, ``FailureLimit.failed``) is one Lua script, so "nothing counted when a bucket
is full" is also atomic across processes. Other caches (``LocMemCache`` in tests and
single-process runs) take the same steps through Django's cache API.
"""

import hashlib
import os
import threading
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

_rates: dict[tuple, tuple[int, int]] = {}


def _forget_rates(**_kwargs) -> None:
    _rates.clear()


setting_changed.connect(_forget_rates, dispatch_uid="core.ratelimit")


def setting_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """The ``(count, seconds)`` of setting ``name``, or ``default`` when it is not set.

    Read once per process (settings are fixed while it runs; a test changing them sends
    ``setting_changed``): an unset setting costs ``getattr`` a caught AttributeError on
    every public lookup otherwise."""
    rate = _rates.get((name, default))
    if rate is None:
        count, seconds = getattr(settings, name, default)
        rate = _rates[(name, default)] = (int(count), int(seconds))
    return rate


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


# --- Redis: one round trip per check or count --------------------------------------------------

#: KEYS: the counters; ARGV[1]: "1" to count nothing when a counter is at its limit, else
#: "0"; then each counter's limit and window seconds. A counter's window opens at its
#: first hit (INCR creating it, then EXPIRE), as ``hit`` does with ``cache.add``. Returns
#: 1 when counted, 0 when a counter was full (nothing counted).
COUNT_SCRIPT = b"""
if ARGV[1] == '1' then
  for i = 1, #KEYS do
    if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[2 * i]) then
      return 0
    end
  end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then
    redis.call('EXPIRE', KEYS[i], ARGV[2 * i + 1])
  end
end
return 1
"""
COUNT_SCRIPT_SHA = hashlib.sha1(COUNT_SCRIPT).hexdigest()  # noqa: S324 - Redis names scripts so


class _Redis:
    """The default cache's Redis primary, through one connection per thread.

    The connection is redis-py's own (its protocol, authentication, TLS and database
    selection from ``REDIS_URL``, all done when it connects), made from the cache's pool
    but kept by this thread instead of being checked out of the pool for every command.
    Once connected, commands are written and replies read here, on its socket: the
    commands are a few short arguments and the replies integers, nulls and short strings
    (``MGET``, ``EVALSHA``), and redis-py's general encoder and reply parser cost more
    Python than the round trip's own work (~0.1 M instructions a status lookup). Counters
    are Django's cache keys (``make_key``: the cache's prefix and version), holding plain
    integers as Django's Redis serializer stores them, so both paths read and write the
    same counters.
    """

    def __init__(self, backend: RedisCache):
        self.backend = backend
        self.connection = backend._cache._get_connection_pool(write=True).make_connection()
        self.socket = None
        self.unread = b""  # bytes received after the last reply (none in practice)
        self.keys: dict[str, str] = {}

    def key(self, key: str) -> str:
        """The cache's key for ``key``; the clients' address keys are kept (bounded)."""
        made = self.keys.get(key)
        if made is None:
            made = self.backend.make_key(key)
            if len(self.keys) < 4096 and ":lookup-address:" in key:
                self.keys[key] = made
        return made

    def command(self, *args):
        """One command and its reply; reconnects and sends once more if the connection
        was lost (a restarted Redis, an idle connection closed by the server)."""
        packed = pack(args)
        try:
            return self._round_trip(packed)
        except (OSError, RedisConnectionError, RedisTimeoutError):
            self.close()
            return self._round_trip(packed)

    def _round_trip(self, packed: bytes):
        if self.socket is None:
            self.connection.connect()  # redis-py's handshake (HELLO / AUTH / SELECT)
            self.socket, self.unread = self.connection._sock, b""
        self.socket.sendall(packed)
        buffer = self.unread
        while True:
            parsed = parse_reply(buffer, 0)
            if parsed is not None:
                reply, end = parsed
                self.unread = buffer[end:]
                if isinstance(reply, ResponseError):
                    raise reply
                return reply
            chunk = self.socket.recv(65536)
            if not chunk:
                raise ConnectionResetError("Redis closed the connection")
            buffer += chunk

    def close(self) -> None:
        self.socket, self.unread = None, b""
        self.connection.disconnect()

    def counts(self, buckets: list[Bucket]) -> list[int]:
        values = self.command("MGET", *[self.key(bucket.key) for bucket in buckets])
        return [int(value or 0) for value in values]

    def count(self, buckets: list[Bucket], *, unless_full: bool) -> bool:
        keys = [self.key(bucket.key) for bucket in buckets]
        args = ["1" if unless_full else "0"]
        for bucket in buckets:
            args += [bucket.limit, bucket.seconds]
        try:
            return bool(self.command("EVALSHA", COUNT_SCRIPT_SHA, len(keys), *keys, *args))
        except NoScriptError:  # first use since Redis started: send the script itself
            return bool(self.command("EVAL", COUNT_SCRIPT, len(keys), *keys, *args))


def pack(args) -> bytes:
    """A command in the Redis protocol (RESP): an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if arg.__class__ is str:
            arg = arg.encode()
        elif isinstance(arg, int):
            arg = b"%d" % arg
        parts.append(b"$%d\r\n%b\r\n" % (len(arg), arg))
    return b"".join(parts)


def parse_reply(buffer: bytes, start: int):
    """(reply, end) for the reply that begins at ``start`` in ``buffer``, or None while it
    is incomplete. RESP2 and RESP3 (redis-py speaks the version ``REDIS_URL`` asks for):
    integers, simple and bulk strings (as bytes), nulls, arrays, booleans and errors
    (returned as ``ResponseError``, ``NoScriptError`` for NOSCRIPT, raised by the caller
    once the whole reply is read)."""
    line_end = buffer.find(b"\r\n", start)
    if line_end < 0:
        return None
    kind, end = buffer[start], line_end + 2  # the type byte as an int: `kind in b"..."`
    if kind in b"_":  # null
        return None, end
    if kind in b"$=!":  # bulk string, verbatim string, bulk error
        length = int(buffer[start + 1 : line_end])
        if length < 0:
            return None, end
        if len(buffer) < end + length + 2:
            return None
        value = buffer[end : end + length]
        return (_error(value) if kind in b"!" else value), end + length + 2
    if kind in b"*~>":  # array, set, push
        count = int(buffer[start + 1 : line_end])
        if count < 0:
            return None, end
        items = []
        for _ in range(count):
            parsed = parse_reply(buffer, end)
            if parsed is None:
                return None
            item, end = parsed
            items.append(item)
        return items, end
    if kind in b":":
        return int(buffer[start + 1 : line_end]), end
    if kind in b"+":
        return buffer[start + 1 : line_end], end
    if kind in b"-":
        return _error(buffer[start + 1 : line_end]), end
    if kind in b"#":
        return buffer[start + 1 : line_end] == b"t", end
    raise RedisConnectionError(f"unexpected reply from Redis: {buffer[start : start + 40]!r}")


def _error(message: bytes) -> ResponseError:
    text = message.decode(errors="replace")
    return NoScriptError(text) if text.startswith("NOSCRIPT") else ResponseError(text)


_local = threading.local()


def _forget_connections() -> None:
    """A forked child must not share its parent's sockets (the forking thread's
    connection would be copied into the child)."""
    vars(_local).clear()


os.register_at_fork(after_in_child=_forget_connections)


#: Moved on when ``settings.CACHES`` changes (``override_settings`` in tests): each thread
#: then makes its ``_Redis`` again from the new default cache.
_caches_generation = 0


def _caches_changed(setting, **_kwargs) -> None:
    global _caches_generation
    if setting == "CACHES":
        _caches_generation += 1


setting_changed.connect(_caches_changed, dispatch_uid="core.ratelimit.caches")


def _redis() -> _Redis | None:
    """This thread's ``_Redis`` for the default cache, or None when it is not Redis.

    Made once per thread (and again after ``settings.CACHES`` changed): looking the
    default cache up (``caches["default"]``, a context-local read) on every check cost
    more than the rest of the client side of the status lookup's check."""
    found = getattr(_local, "redis", None)
    if found is not None and found[0] == _caches_generation:
        return found[1]
    if found is not None and found[1] is not None:
        found[1].close()
    backend = caches["default"]
    redis = _Redis(backend) if isinstance(backend, RedisCache) else None
    _local.redis = (_caches_generation, redis)
    return redis


# --- counting ---------------------------------------------------------------------------------


def hit(key: str, seconds: int) -> int:
    """Add one to the counter (opening its window on the first hit); the new value.
    The steps of a count for caches other than Redis."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def any_full(buckets: list[Bucket]) -> bool:
    """Whether some bucket has reached its limit (one cache round trip for all)."""
    redis = _redis()
    if redis is not None:
        counts = redis.counts(buckets)
        return any(count >= bucket.limit for count, bucket in zip(counts, buckets, strict=True))
    counts = cache.get_many([bucket.key for bucket in buckets])
    return any(int(counts.get(bucket.key, 0)) >= bucket.limit for bucket in buckets)


def count(buckets: list[Bucket], *, unless_full: bool) -> bool:
    """Count one hit in every bucket; with ``unless_full``, only if none is full (False,
    nothing counted, otherwise). One round trip on Redis, where it is also atomic."""
    redis = _redis()
    if redis is not None:
        return redis.count(buckets, unless_full=unless_full)
    if unless_full and any_full(buckets):
        return False
    for bucket in buckets:
        hit(bucket.key, bucket.seconds)
    return True


def take(buckets: list[Bucket]) -> bool:
    """Count one hit in every bucket if none is full; False (nothing counted) otherwise."""
    return count(buckets, unless_full=True)


@lru_cache(maxsize=4096)
def _address_bucket(scope: str, address: str, limit: int, seconds: int) -> Bucket:
    """A client address's failure bucket: the same few addresses come back request after
    request (a lookup's check and its count both need it), so their buckets are kept
    (bounded; a bucket is immutable)."""
    return Bucket(counter_key(scope, "lookup-address", address), limit, seconds)


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
            _address_bucket(self.scope, client_address(request), limit, seconds),
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
        count(self._buckets(request, identifier), unless_full=False)
