"""A per-second trace of the machine during a load benchmark, to explain stalls.

Started by ``bench/hotline_load.py --trace`` beside locust (whose ``--csv-full-history``
gives the requests per second and percentiles of each second); by hand::

    .venv/bin/python bench/system_trace.py OUT.csv --database tz_bench [--seconds N]

One CSV row a second: the machine's CPU split from ``/proc/stat`` (user, system, idle,
iowait and steal — time the hypervisor gave to other guests — in percent of both cores),
runnable and blocked processes, context switches, TCP listen-queue overflows and
retransmitted segments (``/proc/net/netstat``, ``/proc/net/snmp``: a full accept queue
drops a SYN, and the client retries after 1, 3, 7 … s), dirty and writeback memory
(``/proc/meminfo``), and PostgreSQL's backends of the database by state and by what they
wait for (``pg_stat_activity``: ``Lock``, ``LWLock``, ``IO`` …) with the longest running
statement's age and text. ``summarise`` joins it to locust's history and prints the worst seconds.
"""

import argparse
import csv
import signal
import sys
import time

CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
COLUMNS = (
    "time",
    "user%",
    "system%",
    "idle%",
    "iowait%",
    "steal%",
    "running",
    "blocked",
    "ctxt/s",
    "listen_overflows",
    "listen_drops",
    "retrans_segs",
    "dirty_kb",
    "writeback_kb",
    "pg_active",
    "pg_idle_in_tx",
    "pg_waiting",
    "pg_wait_events",
    "pg_longest_ms",
    "pg_longest_query",
)


def _proc_stat() -> dict:
    values = {}
    with open("/proc/stat", encoding="ascii") as handle:
        for line in handle:
            name, *fields = line.split()
            if name == "cpu":
                values["cpu"] = dict(zip(CPU_FIELDS, map(int, fields), strict=False))
            elif name in ("ctxt", "procs_running", "procs_blocked"):
                values[name] = int(fields[0])
    return values


def _counters(path: str, prefix: str, names: tuple[str, ...]) -> dict:
    """Named counters of one section (``TcpExt:``, ``Tcp:``) of a /proc/net file."""
    with open(path, encoding="ascii") as handle:
        lines = [line.split() for line in handle if line.startswith(prefix)]
    found = {}
    for header, values in zip(lines[::2], lines[1::2], strict=False):
        row = dict(zip(header[1:], values[1:], strict=False))
        found.update({name: int(row[name]) for name in names if name in row})
    return found


def _meminfo() -> dict:
    with open("/proc/meminfo", encoding="ascii") as handle:
        rows = dict(line.split(":", 1) for line in handle)
    return {name: int(rows[name].split()[0]) for name in ("Dirty", "Writeback")}


def _postgres(cursor, database: str) -> tuple:
    cursor.execute(
        "SELECT state, wait_event_type, wait_event,"
        " extract(epoch FROM clock_timestamp() - query_start) * 1000, left(query, 160)"
        " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,),
    )
    active = idle_in_tx = waiting = 0
    events: dict[str, int] = {}
    longest = 0.0
    longest_query = ""
    for state, wait_type, wait_event, age_ms, query in cursor.fetchall():
        if state == "active":
            active += 1
            if float(age_ms or 0) > longest:
                longest, longest_query = float(age_ms or 0), " ".join(query.split())
            if wait_type and wait_type != "Client":
                waiting += 1
                key = f"{wait_type}:{wait_event}"
                events[key] = events.get(key, 0) + 1
        elif state and state.startswith("idle in transaction"):
            idle_in_tx += 1
    described = " ".join(f"{key}={count}" for key, count in sorted(events.items()))
    return active, idle_in_tx, waiting, described, round(longest), longest_query


def trace(out: str, database: str, seconds: float) -> None:
    import psycopg  # the project's driver; imported here so --help needs nothing

    connection = psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}", autocommit=True)
    cursor = connection.cursor()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    before = _proc_stat()
    ended = time.monotonic() + seconds if seconds else float("inf")
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        tick = time.monotonic()
        while not stopping and tick < ended:
            tick += 1
            time.sleep(max(0.0, tick - time.monotonic()))
            now = _proc_stat()
            spent = {key: now["cpu"][key] - before["cpu"][key] for key in CPU_FIELDS}
            total = sum(spent.values()) or 1
            net = _counters("/proc/net/netstat", "TcpExt:", ("ListenOverflows", "ListenDrops"))
            tcp = _counters("/proc/net/snmp", "Tcp:", ("RetransSegs",))
            memory = _meminfo()
            writer.writerow(
                (
                    round(time.time()),
                    round(100 * (spent["user"] + spent["nice"]) / total, 1),
                    round(100 * (spent["system"] + spent["irq"] + spent["softirq"]) / total, 1),
                    round(100 * spent["idle"] / total, 1),
                    round(100 * spent["iowait"] / total, 1),
                    round(100 * spent["steal"] / total, 1),
                    now["procs_running"],
                    now["procs_blocked"],
                    now["ctxt"] - before["ctxt"],
                    net.get("ListenOverflows", 0),
                    net.get("ListenDrops", 0),
                    tcp.get("RetransSegs", 0),
                    memory["Dirty"],
                    memory["Writeback"],
                    *_postgres(cursor, database),
                )
            )
            handle.flush()
            before = now


def summarise(trace_csv: str, history_csv: str, worst: int = 15) -> str:
    """The ``worst`` seconds by locust's p95 in its history, with the trace of each."""
    with open(trace_csv, encoding="utf-8") as handle:
        rows = {int(row["time"]): row for row in csv.DictReader(handle)}
    seconds = []
    with open(history_csv, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] != "Aggregated" or row["95%"] in ("N/A", ""):
                continue
            seconds.append((int(row["Timestamp"]), float(row["95%"]), float(row["Requests/s"])))
    if not seconds:
        return "no per-second history"
    seconds.sort(key=lambda item: item[1], reverse=True)
    lines = [
        "| second (UTC) | locust p95 ms (last 10 s) | req/s | user % | sys % | iowait % | "
        "steal % | run | blk | listen overflows | retrans | PG active / waiting | PG waits | "
        "PG longest ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    first = (
        {
            key: int(value)
            for key, value in next(iter(rows.values())).items()
            if key in ("listen_overflows", "retrans_segs")
        }
        if rows
        else {}
    )
    for stamp, p95, rps in seconds[:worst]:
        row = rows.get(stamp)
        when = time.strftime("%H:%M:%S", time.gmtime(stamp))
        if row is None:
            lines.append(f"| {when} | {p95:.0f} | {rps:.0f} | (no trace) |")
            continue
        lines.append(
            f"| {when} | {p95:.0f} | {rps:.0f} | {row['user%']} | {row['system%']} | "
            f"{row['iowait%']} | {row['steal%']} | {row['running']} | {row['blocked']} | "
            f"{int(row['listen_overflows']) - first.get('listen_overflows', 0)} | "
            f"{int(row['retrans_segs']) - first.get('retrans_segs', 0)} | "
            f"{row['pg_active']} / {row['pg_waiting']} | {row['pg_wait_events'] or '-'} | "
            f"{row['pg_longest_ms']} |"
        )
    steal = [float(row["steal%"]) for row in rows.values()]
    lines.append("")
    lines.append(
        f"steal over the trace: mean {sum(steal) / len(steal):.1f} %, max {max(steal):.1f} %; "
        f"seconds with steal >= 20 %: {sum(1 for value in steal if value >= 20)}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--database", required=True)
    parser.add_argument("--seconds", type=float, default=0, help="0: until SIGTERM")
    parser.add_argument("--summarise", metavar="HISTORY_CSV", help="print the worst seconds")
    args = parser.parse_args()
    if args.summarise:
        print(summarise(args.out, args.summarise))
        return 0
    trace(args.out, args.database, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
