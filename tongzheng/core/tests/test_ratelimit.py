"""core.ratelimit on both paths: Django's cache API (LocMemCache, always) and Redis (one
round trip per check or count; runs when REDIS_URL names a Redis, e.g. db 5 of the
development machine's, else skipped)."""

import os
import uuid

import pytest
from django.core.cache import cache, caches
from django.test import RequestFactory, override_settings
from redis.connection import Encoder, PythonRespSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

from tongzheng.core import ratelimit
from tongzheng.core.ratelimit import Bucket, FailureLimit, take

LIMIT = FailureLimit("test", "TEST_RATE_LOOKUP_FAILURES", (3, 900))


def buckets(*limits, seconds=60):
    tag = uuid.uuid4().hex
    return [Bucket(f"tz:test:rl:{tag}:{n}", limit, seconds) for n, limit in enumerate(limits)]


def request(address="10.0.0.1"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def check_take_semantics():
    small, large = buckets(2, 5)
    assert take([small, large]) and take([small, large])
    # small is full: refused, and nothing counted in large either.
    assert not take([small, large])
    assert not take([small, large])
    assert cache.get(large.key) == 2
    for _n in range(3):
        assert take([large])
    assert not take([large])
    assert cache.get(large.key) == 5


def check_failure_limit():
    for _n in range(3):
        assert not LIMIT.blocked(request(), "A1")
        LIMIT.failed(request(), "a1 ")  # the identifier is stripped and upper-cased
    assert LIMIT.blocked(request(), "A1")
    assert LIMIT.blocked(request("10.9.9.9"), "A1")  # the number, from anywhere
    assert LIMIT.blocked(request(), "B2")  # the address, for any number
    assert not LIMIT.blocked(request("10.9.9.9"), "B2")


def test_take_counts_nothing_once_a_bucket_is_full():
    cache.clear()
    check_take_semantics()


def test_failure_limit_blocks_the_address_and_the_number():
    cache.clear()
    check_failure_limit()


def test_a_changed_setting_applies_at_once(settings):
    cache.clear()
    settings.TEST_RATE_LOOKUP_FAILURES = (1, 60)
    LIMIT.failed(request(), "C3")
    assert LIMIT.blocked(request(), "C3")
    settings.TEST_RATE_LOOKUP_FAILURES = (2, 60)
    assert not LIMIT.blocked(request(), "C3")


REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(params=[None, 2, 3], ids=["default", "resp2", "resp3"])
def redis_cache(request):
    """The default cache on REDIS_URL under a prefix of its own (removed afterwards), in
    redis-py's default protocol and in RESP2 and RESP3 (``_Redis`` reads the replies)."""
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        pytest.skip("REDIS_URL is not set")
    prefix = f"tz-test-{uuid.uuid4().hex[:12]}"
    location = REDIS_URL
    if request.param:
        location += f"{'&' if '?' in location else '?'}protocol={request.param}"
    config = {
        "default": {
            "BACKEND": "tongzheng.core.redis_cache.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=config):
        backend = caches["default"]
        try:
            backend._cache.get_client(write=True).ping()
        except Exception as error:  # noqa: BLE001 - any failure to reach it: skip
            pytest.skip(f"no Redis at REDIS_URL: {error}")
        yield backend
        client = backend._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def commands(redis_cache, monkeypatch):
    """Every command the rate limits send to Redis, in order. The checks' own reads
    (``cache.get``, sent on the same connection by ``core.redis_cache``) are left out."""
    sent = []
    original = ratelimit._Redis.command

    def command(self, *args):
        if args[0] != "GET":
            sent.append(args[0])
        return original(self, *args)

    monkeypatch.setattr(ratelimit._Redis, "command", command)
    return sent


def test_redis_take_is_one_round_trip_and_counts_nothing_once_full(commands):
    check_take_semantics()
    # Each take is one command: EVALSHA (followed by EVAL only if Redis lacks the script).
    assert set(commands) <= {"EVALSHA", "EVAL"}
    assert commands.count("EVALSHA") == 8


def test_redis_failure_limit_is_one_round_trip_per_check_and_count(commands):
    check_failure_limit()
    assert commands.count("MGET") == 7
    assert commands.count("EVALSHA") == 3


def test_redis_windows_open_at_the_first_hit(redis_cache):
    (bucket,) = buckets(10, seconds=120)
    assert take([bucket])
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_key(bucket.key)
    assert 0 < client.ttl(key) <= 120
    client.expire(key, 50)
    assert take([bucket])
    assert client.ttl(key) <= 50  # a later hit does not move the window's end


def test_redis_counters_are_the_cache_api_counters(redis_cache):
    """Counters written through Django's cache (hit, as before) and by the script are the
    same keys and values: a deploy with both versions running counts once."""
    (bucket,) = buckets(3)
    ratelimit.hit(bucket.key, bucket.seconds)
    assert take([bucket])
    assert cache.get(bucket.key) == 2
    assert not ratelimit.any_full([bucket])
    assert take([bucket])
    assert ratelimit.any_full([bucket])


def test_redis_script_is_sent_when_redis_does_not_have_it(commands, monkeypatch):
    # Another digest stands for a Redis restarted since (SCRIPT FLUSH would clear every
    # other user's scripts on a shared server).
    monkeypatch.setattr(ratelimit, "COUNT_SCRIPT_SHA", "0" * 40)
    small, large = buckets(1, 5)
    assert take([small, large])
    assert not take([small, large])
    assert cache.get(large.key) == 1
    assert commands == ["EVALSHA", "EVAL", "EVALSHA", "EVAL"]


def test_redis_connection_lost_is_made_again(redis_cache):
    (bucket,) = buckets(5)
    assert take([bucket])
    ratelimit._redis().connection._sock.close()  # as if Redis had closed it
    assert take([bucket])
    assert cache.get(bucket.key) == 2


def test_commands_are_packed_as_redis_py_packs_them():
    args = ("EVALSHA", "ab" * 20, 2, ":1:tz:x", "键", "1", 10, 900)
    encoder = Encoder("utf-8", "strict", False)
    expected = b"".join(PythonRespSerializer(6000, encoder.encode).pack(*args))
    assert ratelimit.pack(args) == expected


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        (b"*2\r\n$-1\r\n$1\r\n7\r\n", [None, b"7"]),  # MGET, RESP2
        (b"*3\r\n_\r\n$2\r\n12\r\n_\r\n", [None, b"12", None]),  # MGET, RESP3
        (b":1\r\n", 1),
        (b":-3\r\n", -3),
        (b"+OK\r\n", b"OK"),
        (b"$0\r\n\r\n", b""),
        (b"*-1\r\n", None),
        (b"#t\r\n", True),
        (b"*2\r\n*1\r\n:1\r\n$3\r\na\r\n\r\n", [[1], b"a\r\n"]),
    ],
)
def test_replies_are_read_whole_and_only_when_whole(reply, value):
    assert ratelimit.parse_reply(reply + b":9\r\n", 0) == (value, len(reply))
    for cut in range(len(reply)):
        assert ratelimit.parse_reply(reply[:cut], 0) is None


def test_error_replies_become_redis_py_errors():
    error, end = ratelimit.parse_reply(b"-NOSCRIPT No matching script.\r\n", 0)
    assert isinstance(error, NoScriptError) and end == 31
    error, _end = ratelimit.parse_reply(b"-ERR wrong number of arguments\r\n", 0)
    assert type(error) is ResponseError and "wrong number" in str(error)
    with pytest.raises(RedisConnectionError):
        ratelimit.parse_reply(b"?what\r\n", 0)


def test_redis_error_replies_are_raised(redis_cache):
    connection = ratelimit._redis()
    with pytest.raises(ResponseError):
        connection.command("NO-SUCH-COMMAND")
    assert connection.command("MGET", "nothing-here") == [None]  # the connection still works


def test_the_connection_follows_the_cache_setting(redis_cache):
    first = ratelimit._redis()
    assert first is not None and ratelimit._redis() is first  # kept by the thread
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        assert ratelimit._redis() is None
        assert not LIMIT.blocked(request(), "C9")  # through Django's cache API
    again = ratelimit._redis()
    assert again is not None and again is not first and again.backend is caches["default"]


def test_address_buckets_are_kept_and_are_the_counter_keys():
    first = LIMIT._buckets(request("10.0.0.7"), "N1")
    second = LIMIT._buckets(request("10.0.0.7"), "N2")
    assert first[0] is second[0]
    assert first[0] == Bucket(ratelimit.counter_key("test", "lookup-address", "10.0.0.7"), 3, 900)
    assert first[1].key == ratelimit.counter_key("test", "lookup-number", "N1")
