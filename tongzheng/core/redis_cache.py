"""Django's Redis cache, with one ``redis.Redis`` client kept per connection pool, and
reads (``get``, ``get_many``) sent on the rate limits' lean connection.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
call. With redis-py 8 that constructor fills a case-insensitive table of ~170 response
callbacks: about 0.3 ms of CPU, more than the round trip itself (0.17 ms, measured on
the development machine), and every request makes one to three cache calls (sessions,
rate limits, cached pages). A ``redis.Redis`` over a connection pool is safe to share
(each command takes a connection from the pool), so the client is built once per pool.

Reads are the request floor: every signed-in request loads its session (``cached_db``)
and its role scopes (``core.access``) from the cache, and every cached public page its
body. Through redis-py's client one ``GET`` or ``MGET`` costs ~200-270 Python calls
(retries, pool checkout, its general encoder and reply parser); on the thread's own
connection of ``core.ratelimit`` (``_Redis``: redis-py's connection and handshake, the
command packed and the reply read there) it costs about twenty. The values are Django's
(``make_and_validate_key``, the serializer's ``loads``), so both paths read the same
entries, and writes stay Django's. Only for the default cache on one server: with
replicas Django reads from them, which this path does not.
"""

from django.core.cache.backends import redis

from tongzheng.core import ratelimit

#: Made keys kept per backend (session keys, scope keys, page keys): past it, made each time.
MADE_KEYS_MAX = 4096


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """``BACKEND = "tongzheng.core.redis_cache.RedisCache"``: Django's, the client kept,
    reads on the lean connection."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._made_keys: dict[str, str] = {}

    def _lean(self):
        """This thread's lean connection when this backend is its cache, else None."""
        connection = ratelimit._redis()
        if connection is None or connection.backend is not self or len(self._servers) != 1:
            return None
        return connection

    def _made_key(self, key: str) -> str:
        made = self._made_keys.get(key)
        if made is None:
            made = self.make_and_validate_key(key)
            if len(self._made_keys) < MADE_KEYS_MAX:
                self._made_keys[key] = made
        return made

    def get(self, key, default=None, version=None):
        connection = self._lean() if version is None else None
        if connection is None:
            return super().get(key, default, version)
        value = connection.command("GET", self._made_key(key))
        return default if value is None else self._cache._serializer.loads(value)

    def get_many(self, keys, version=None):
        connection = self._lean() if version is None else None
        keys = list(keys)
        if connection is None or not keys:
            return super().get_many(keys, version)
        values = connection.command("MGET", *[self._made_key(key) for key in keys])
        loads = self._cache._serializer.loads
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }
