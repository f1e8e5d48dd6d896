"""The Redis cache keeps one client per connection pool (no Redis server needed)."""

from tongzheng.core.redis_cache import RedisCache


def test_one_client_is_kept_per_pool():
    backend = RedisCache("redis://127.0.0.1:6379/15", {})
    client = backend._cache.get_client("key")
    assert backend._cache.get_client("other", write=True) is client
    assert client.connection_pool is backend._cache._get_connection_pool(False)


def test_each_server_pool_has_its_own_client():
    backend = RedisCache("redis://127.0.0.1:6379/14,redis://127.0.0.1:6379/15", {})
    writer = backend._cache.get_client("key", write=True)
    reader = backend._cache.get_client("key")
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["db"] == 14
    assert reader.connection_pool.connection_kwargs["db"] == 15


# --- reads on the lean connection (a Redis at REDIS_URL; skipped without one) -------------

from django.contrib.sessions.backends.cached_db import SessionStore  # noqa: E402
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache  # noqa: E402

from tongzheng.core import ratelimit  # noqa: E402
from tongzheng.core.tests.test_ratelimit import redis_cache  # noqa: E402, F401 - the fixture

VALUES = {"int": 7, "negative": -3, "text": "通政", "bytes": b"\x00\r\n", "tuple": (1, {"a": [2]})}


def lean_commands(monkeypatch) -> list:
    sent = []
    original = ratelimit._Redis.command

    def command(self, *args):
        sent.append(args[0])
        return original(self, *args)

    monkeypatch.setattr(ratelimit._Redis, "command", command)
    return sent


def test_reads_are_django_reads_on_one_round_trip(redis_cache, monkeypatch):  # noqa: F811
    redis_cache.set_many({**VALUES, "gone": 1})
    redis_cache.delete("gone")
    sent = lean_commands(monkeypatch)
    keys = [*VALUES, "gone", "int"]
    for key in keys:
        assert redis_cache.get(key) == DjangoRedisCache.get(redis_cache, key)
    assert redis_cache.get("gone", "default") == "default"
    assert redis_cache.get_many(keys) == DjangoRedisCache.get_many(redis_cache, keys) == VALUES
    assert redis_cache.get_many(iter(["text"])) == {"text": "通政"}
    assert sent == ["GET"] * (len(keys) + 1) + ["MGET", "MGET"]
    # Another version, no keys: Django's own path.
    redis_cache.set("int", 8, version=2)
    assert redis_cache.get("int", version=2) == 8
    assert redis_cache.get_many(["int"], version=2) == {"int": 8}
    assert redis_cache.get_many([]) == {}
    assert sent == ["GET"] * (len(keys) + 1) + ["MGET", "MGET"]


def test_cached_sessions_are_read_on_the_lean_connection(redis_cache, db, monkeypatch):  # noqa: F811
    session = SessionStore()
    session["user"] = "42"
    session.create()
    sent = lean_commands(monkeypatch)
    assert SessionStore(session.session_key)["user"] == "42"
    assert sent == ["GET"]


def test_a_cache_not_the_default_reads_through_redis_py(redis_cache, monkeypatch):  # noqa: F811
    other = type(redis_cache)(redis_cache._servers, {"KEY_PREFIX": redis_cache.key_prefix})
    other.set("text", "通政")
    sent = lean_commands(monkeypatch)
    assert other.get("text") == "通政" and other.get_many(["text"]) == {"text": "通政"}
    assert sent == []
