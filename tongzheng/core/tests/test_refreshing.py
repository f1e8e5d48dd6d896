"""core.refreshing: a costly value computed by one caller at a time, stale served meanwhile."""

import threading
import time

import pytest
from django.core.cache import cache

from tongzheng.core import refreshing
from tongzheng.core.refreshing import refreshed

KEY = "test:refreshing"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


class Counting:
    """A compute function that counts its calls and can be slow."""

    def __init__(self, value="v", seconds=0.0):
        self.calls = 0
        self.value = value
        self.seconds = seconds
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        time.sleep(self.seconds)
        return f"{self.value}{self.calls}"


def test_a_fresh_value_is_not_computed_again():
    compute = Counting()
    assert refreshed(KEY, compute, fresh=60, keep=600) == "v1"
    assert refreshed(KEY, compute, fresh=60, keep=600) == "v1"
    assert compute.calls == 1


def test_a_stale_value_is_recomputed_by_the_caller_that_takes_the_lock(monkeypatch):
    compute = Counting()
    refreshed(KEY, compute, fresh=60, keep=600)
    later = time.time() + 61
    monkeypatch.setattr(refreshing.time, "time", lambda: later)
    assert refreshed(KEY, compute, fresh=60, keep=600) == "v2"
    assert compute.calls == 2
    assert cache.get(f"{KEY}:refreshing") is None


def test_while_one_refreshes_the_others_get_the_stale_value(monkeypatch):
    compute = Counting()
    refreshed(KEY, compute, fresh=60, keep=600)
    later = time.time() + 61
    monkeypatch.setattr(refreshing.time, "time", lambda: later)
    cache.add(f"{KEY}:refreshing", 1)  # another process is computing
    assert refreshed(KEY, compute, fresh=60, keep=600) == "v1"
    assert compute.calls == 1


def test_with_no_value_the_others_wait_for_the_one_computing():
    compute = Counting(seconds=0.3)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(refreshed(KEY, compute, fresh=60, keep=600)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.calls == 1
    assert results == ["v1"] * 8


def test_a_waiter_computes_itself_when_the_one_computing_takes_too_long():
    cache.add(f"{KEY}:refreshing", 1)  # taken by a process that never finishes
    compute = Counting()
    assert refreshed(KEY, compute, fresh=60, keep=600, wait=0.1, poll=0.02) == "v1"
    assert compute.calls == 1


def test_a_failed_computation_releases_the_lock():
    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        refreshed(KEY, broken, fresh=60, keep=600)
    assert cache.get(f"{KEY}:refreshing") is None
    assert refreshed(KEY, Counting(), fresh=60, keep=600) == "v1"
