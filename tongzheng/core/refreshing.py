"""Values too costly to compute on a request, kept in the cache and refreshed by one process.

A plain cache entry that expires makes every request arriving while it is recomputed
compute it too (a cache stampede). The hotline's public totals — a GROUP BY over a year
of tickets, several seconds at five million tickets — expired every ten minutes, and the
letters page then ran that query on all sixteen of the app servers' database
connections at once: for ~30 s PostgreSQL read the table sixteen times over, every
thread waited on it and every page of the platform stalled (docs/benchmarks.md, seventh
session).

``refreshed`` keeps the value longer than it counts as fresh. Once stale, the first
request takes a lock (``cache.add``, atomic in every backend) and recomputes it while
every other request goes on with the stale value. Only when there is no value at all (a
new or flushed cache) do the others wait for the one computing — up to ``wait`` seconds,
then they compute it themselves rather than fail. In a cache private to one process
(the default without Redis) the same holds within that process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

#: How long a refresh may run before another process may start one (a process that died
#: while computing must not leave the value stale for ever).
LOCK_SECONDS = 120


def refreshed(
    key: str,
    compute: Callable[[], T],
    *,
    fresh: float,
    keep: float,
    wait: float = 15.0,
    poll: float = 0.05,
) -> T:
    """The cached value of ``key``; ``compute()`` runs in one process at a time.

    ``fresh``: seconds a value is served without a refresh; ``keep``: seconds a value is
    kept at all (served stale while one process refreshes it), longer than ``fresh``.
    """
    entry = cache.get(key)
    if entry is not None and time.time() - entry[0] < fresh:
        return entry[1]
    lock = f"{key}:refreshing"
    if cache.add(lock, 1, timeout=LOCK_SECONDS):
        try:
            value = compute()
            cache.set(key, (time.time(), value), timeout=keep)
        finally:
            cache.delete(lock)
        return value
    if entry is not None:
        return entry[1]
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(poll)
        entry = cache.get(key)
        if entry is not None:
            return entry[1]
    return compute()
