"""What the throughput benchmarks share about the server they start on loopback: a free
port, waiting until it answers, and the CPU its processes used (bench/ is not a package;
the scripts run from it, so ``from loopback_server import ...`` finds this file)."""

import os
import socket
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path


def redis_url(url: str) -> str:
    """``url`` when its Redis answers, else "" (per-process memory, with a warning).

    Production shares one Redis between app servers (settings: REDIS_URL; ``make run``
    uses this machine's Redis when it answers); granian's two workers are two processes,
    so the rate limiters' counters, cached sessions and the page cache are measured with
    the round trips they cost there.
    """
    if not url:
        return ""
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2):
            return url
    except OSError:
        print(f"No Redis at {url}: the cache is per-process memory.", file=sys.stderr)
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def server_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of every process in the server's process group (the
    granian workers, not PostgreSQL): divided by the requests served, a cost per request
    that holds whatever share of a busy machine the server got."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _ticks(stat_line: str) -> tuple[str, int, int]:
    """(command name, process group, CPU ticks) of a /proc/<pid>/stat line: its own user
    and system time plus that of its children that ended and were waited for (a
    PostgreSQL backend that closes is added to the postmaster's; without that, a
    connection closed between two readings made PostgreSQL's share negative)."""
    name, rest = stat_line.split(" (", 1)[1].rsplit(")", 1)
    fields = rest.split()
    return name, int(fields[2]), sum(int(field) for field in fields[11:15])


def _other_database(pid: str, database: str) -> bool:
    """Whether this PostgreSQL process is a backend (or autovacuum worker) of another
    database than ``database`` (its title: ``postgres: 15/main: <user> <database> …``)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().decode(errors="replace").replace("\0", " ").split()
    except OSError:
        return True
    if "autovacuum" in words and "worker" in words:
        return words[-1] != database
    # A backend's title has "<user> <database> <host>(<port>)"; helpers have neither.
    return any("(" in word for word in words) and database not in words


def database_name() -> str:
    """The database of ``DATABASE_URL`` (``postgres://…/<name>``)."""
    return urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")


def cpu_by_role(server_group: int, database: str = "") -> dict[str, float]:
    """CPU seconds used so far by the server (its process group), PostgreSQL, Redis and the
    whole machine (busy time of every CPU, from /proc/stat). With ``database``, PostgreSQL
    backends of other databases are left out (the server-wide helpers stay in).

    Differences of two readings, divided by the requests served between them, say where a
    request's CPU goes beyond the server itself: on two cores the database, the cache and
    the load generator share the CPUs with it. PostgreSQL backends that end in between are
    not counted (the server keeps its connections, CONN_MAX_AGE); ``machine`` counts
    everything, the load generator included.
    """
    roles = {"server": 0, "postgres": 0, "redis": 0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, group, ticks = _ticks(stat.read_text())
        except (OSError, ValueError, IndexError):  # the process ended meanwhile
            continue
        if group == server_group:
            roles["server"] += ticks
        elif name == "postgres":
            if not (database and _other_database(stat.parent.name, database)):
                roles["postgres"] += ticks
        elif name.startswith("redis-server"):
            roles["redis"] += ticks
    with open("/proc/stat", encoding="ascii") as handle:
        cpu = [int(value) for value in handle.readline().split()[1:]]
    idle = cpu[3] + cpu[4]  # idle + iowait
    roles["machine"] = sum(cpu[:8]) - idle  # user nice system idle iowait irq softirq steal
    tick = os.sysconf("SC_CLK_TCK")
    return {role: ticks / tick for role, ticks in roles.items()}


def cpu_per_request(before: dict, after: dict, requests: int, **more: float) -> str:
    """'server 1.23, postgres 0.45, … ms' per request between two ``cpu_by_role`` readings;
    ``more`` adds other CPU seconds (the load generator's own)."""
    spent = {role: after[role] - before[role] for role in before if role != "machine"}
    spent |= more
    spent["machine"] = after["machine"] - before["machine"]
    return ", ".join(f"{role} {seconds * 1000 / requests:.2f}" for role, seconds in spent.items())
