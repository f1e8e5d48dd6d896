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
