"""A stand-in server for measuring locust's own CPU in the hotline mix (bench/locustfile_hotline.py).

The mixed benchmark (``bench/hotline_load.py``) runs locust on the same two cores as the
server, so every millisecond of CPU locust spends on a request is taken from the server.
To measure locust alone, this file answers every URL of the mix with responses recorded
once from a real server (status, headers, cookies and bodies of their real size), at
almost no cost of its own, and reads locust's CPU per request in the measured window
(the locustfile's ``HOTLINE_BENCH_CPU_FILE``, ``os.times()`` of the locust process).

Commands:

``record``
    With ``DATABASE_URL`` on a county demo copy: prepares the bench accounts and the sample
    file as ``hotline_load.py`` does, starts granian on ``--upstream-port`` (bench
    settings), puts a recording proxy in front of it and runs the real locustfile through
    it with a few users; writes ``var/bench/locust_standin.json`` (responses by request
    kind) and ``var/bench/locust_standin_sample.json``.
``serve``
    Answers from the recording (asyncio, HTTP/1.1 keep-alive). A track POST's page carries
    the number that was asked for (the locustfile checks it); ``--delay`` holds every answer
    that long (the real server's latency, so that as many connections wait as in a real run).
``run``
    Starts ``serve`` in its own process group and runs locust with the real locustfile and
    ``hotline_load.py``'s options (``--headless --reset-stats --csv --only-summary``, the
    window from the last operator's sign-in plus ``--settle``); prints locust's CPU in ms
    per request and the request count. ``--locustfile`` for A/B runs, ``--py-spy`` to
    profile locust (py-spy in a venv of its own).
``drive``
    The locustfile's tasks called back to back by one greenlet (seeded, no pacing): CPU per
    request in process, ``--cprofile``, ``--callgrind`` (run under ``valgrind
    --tool=callgrind --instr-atstart=no``: collection is on around the loop only, so the
    instruction count per request is deterministic), ``--log-requests`` (every request as
    the stand-in received it: two locustfiles' logs diff byte for byte, port and TOTP
    code aside).
``check``
    ``LeanCookieJar`` (bench/locust_cookies.py) against ``http.cookiejar.CookieJar`` on the
    recorded Set-Cookie headers and on deletions and narrower paths.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_locust REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/locust_standin.py record
    .venv/bin/python bench/locust_standin.py run --users 300 --measure 60 --delay 0.03
    valgrind --tool=callgrind --instr-atstart=no \\
        .venv/bin/python bench/locust_standin.py drive --requests 1000 --callgrind

Not a benchmark of the server: the figures it prints are locust's alone.
"""

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))
RECORDING = ROOT / "var" / "bench" / "locust_standin.json"
SAMPLE = ROOT / "var" / "bench" / "locust_standin_sample.json"
MARK = "\x00NUMBER\x00"
# Headers the stand-in writes itself (date, from the body it sends) or that are hop-by-hop.
DROPPED = {"date", "content-length", "transfer-encoding", "connection", "keep-alive"}
SAMPLES_PER_KIND = 40
NUMBERED = re.compile(r"/[0-9][0-9-]*/")


def kind(method: str, target: str) -> str:
    """The request kind a response is filed under: method, path with ticket/letter
    numbers as ``<n>``, and the names (not values) of the query's parameters."""
    path, _, query = target.partition("?")
    path = NUMBERED.sub("/<n>/", path)
    names = sorted({pair.partition("=")[0] for pair in query.split("&") if pair})
    return f"{method} {path}" + (f"?{'&'.join(names)}" if names else "")


# --- record -------------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int]
    store: dict
    lock = threading.Lock()
    local = threading.local()

    def log_message(self, *_args):
        pass

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(*self.upstream, timeout=120)
            self.local.connection = connection
        return connection

    def _forward(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        headers["Host"] = f"{self.upstream[0]}:{self.upstream[1]}"
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        raw_headers = response.getheaders()
        text = content.decode("utf-8", errors="surrogateescape")
        if self.command == "POST" and self.path.startswith("/hotline/track/") and body:
            number = urllib.parse.parse_qs(body.decode()).get("number", [""])[0]
            if number and number in text:
                text = text.replace(number, MARK)
        entry = {
            "status": response.status,
            "reason": response.reason,
            "headers": raw_headers,
            "body": text,
        }
        with self.lock:
            entries = self.store.setdefault(kind(self.command, self.path), [])
            if len(entries) < SAMPLES_PER_KIND:
                entries.append(entry)
        self.send_response_only(response.status, response.reason)
        for name, value in raw_headers:
            if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _forward  # noqa: N815 - BaseHTTPRequestHandler's names


def record(args) -> int:
    from hotline_load import prepare
    from loopback_server import free_port, wait_until_up

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL copy of a demo (not tz_county).", file=sys.stderr)
        return 2
    prepare_args = argparse.Namespace(
        users=args.users, operators=0.2, seed=args.seed, sample=args.sample
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongzheng.settings")
    sys.path.insert(0, str(ROOT))
    sample = prepare(prepare_args)
    SAMPLE.parent.mkdir(parents=True, exist_ok=True)
    SAMPLE.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")

    upstream_port = args.upstream_port
    env = {
        **os.environ,
        "TONGZHENG_MODE": os.environ.get("TONGZHENG_MODE", "development"),
        "DJANGO_SETTINGS_MODULE": "hotline_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "granian"),
            *("--interface", "wsgi", "--workers", "1", "--blocking-threads", "4"),
            *("--host", "127.0.0.1", "--port", str(upstream_port), "--no-access-log"),
            "tongzheng.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    store: dict = {}
    Recorder.upstream = ("127.0.0.1", upstream_port)
    Recorder.store = store
    proxy_port = free_port()
    proxy = ThreadingHTTPServer(("127.0.0.1", proxy_port), Recorder)
    proxy.daemon_threads = True
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        wait_until_up(f"http://127.0.0.1:{upstream_port}/hotline/letters/")
        operators = max(1, round(args.users * 0.2))
        subprocess.run(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                *("-f", str(BENCH / "locustfile_hotline.py"), "--headless"),
                *("--users", str(args.users), "--spawn-rate", str(args.users)),
                *("--run-time", f"{args.seconds}s", "--only-summary", "--loglevel", "WARNING"),
                *("--host", f"http://127.0.0.1:{proxy_port}"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "HOTLINE_BENCH_SAMPLE": str(SAMPLE),
                "HOTLINE_BENCH_OPERATOR_WEIGHT": str(operators),
                "HOTLINE_BENCH_CITIZEN_WEIGHT": str(args.users - operators),
            },
            check=False,
        )
    finally:
        proxy.shutdown()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    RECORDING.write_text(json.dumps(store, ensure_ascii=False, indent=0), encoding="utf-8")
    for name, entries in sorted(store.items()):
        sizes = sorted(len(e["body"].encode("utf-8", "surrogateescape")) for e in entries)
        statuses = sorted({e["status"] for e in entries})
        print(f"{name}: {len(entries)} responses, status {statuses}, {sizes[0]}-{sizes[-1]} bytes")
    return 0


# --- serve --------------------------------------------------------------------------


class Answers:
    """The recorded responses as ready-made bytes (head, body) by request kind."""

    def __init__(self, path: Path):
        self.turns: dict[str, int] = {}
        self.by_kind: dict[str, list[tuple[bytes, str, bool]]] = {}
        for name, entries in json.loads(path.read_text(encoding="utf-8")).items():
            answers = []
            for entry in entries:
                head = f"HTTP/1.1 {entry['status']} {entry['reason']}\r\n"
                head += "".join(
                    f"{k}: {v}\r\n" for k, v in entry["headers"] if k.lower() not in DROPPED
                )
                body = entry["body"]
                answers.append((head.encode("latin-1"), body, MARK in body))
            self.by_kind[name] = answers

    def answer(self, method: str, target: str, body: bytes, probe: bool = False) -> bytes:
        """The recorded answers of a kind in turn (the same sequence of requests gets the
        same answers, cookies included); a probe (``wait_until_up``) gets the first."""
        name = kind(method, target)
        answers = self.by_kind.get(name)
        if not answers:
            content = f"no recording for {name}".encode()
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: %d\r\n\r\n%s" % (
                len(content),
                content,
            )
        if probe:
            head, text, numbered = answers[0]
        else:
            turn = self.turns.get(name, 0)
            self.turns[name] = turn + 1
            head, text, numbered = answers[turn % len(answers)]
        if numbered:
            number = urllib.parse.parse_qs(body.decode()).get("number", [""])[0]
            text = text.replace(MARK, number)
        content = text.encode("utf-8", "surrogateescape")
        date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()).encode()
        return b"%sdate: %s\r\ncontent-length: %d\r\n\r\n%s" % (head, date, len(content), content)


class Connection(asyncio.Protocol):
    answers: Answers
    delay: float = 0.0
    log = None  # a binary file: every request as received, for comparing two locustfiles

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            lines = head.split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            probe = "Python-urllib" in head
            if self.log is not None and not probe:
                self.log.write(self.buffer[: end + 4 + length] + b"\n\n")
            self.buffer = self.buffer[end + 4 + length :]
            response = self.answers.answer(method, target, body, probe)
            if self.delay:
                asyncio.get_running_loop().call_later(self.delay, self._send, response)
            else:
                self._send(response)

    def _send(self, response: bytes):
        if not self.transport.is_closing():
            self.transport.write(response)


def serve(args) -> int:
    Connection.answers = Answers(Path(args.recording))
    Connection.delay = args.delay
    if args.log_requests:
        Connection.log = open(args.log_requests, "wb", buffering=0)  # noqa: SIM115

    async def main():
        server = await asyncio.get_running_loop().create_server(
            Connection, "127.0.0.1", args.port, backlog=1024
        )
        async with server:
            await server.serve_forever()

    asyncio.run(main())
    return 0


# --- run ----------------------------------------------------------------------------


def run(args) -> int:
    from loopback_server import free_port, wait_until_up

    port = args.port or free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            __file__,
            "serve",
            *("--port", str(port), "--delay", str(args.delay)),
            *("--recording", args.recording),
        ],
        start_new_session=True,
    )
    cpu_file = Path(f"{args.csv}_cpu.json")
    cpu_file.unlink(missing_ok=True)
    users = args.users
    operators = max(1, round(users * 0.2))
    try:
        wait_until_up(f"http://127.0.0.1:{port}/hotline/letters/", timeout=30)
        locust = [str(ROOT / ".venv" / "bin" / "locust")]
        if args.py_spy:
            spy = [args.py_spy, "record", "--gil", "-o", args.py_spy_out, "-r", "200"]
            if args.py_spy_out.endswith(".txt"):
                spy += ["--format", "raw"]  # collapsed stacks, one a line
            locust = [*spy, "--", *locust]
        subprocess.run(  # noqa: S603
            [
                *locust,
                *("-f", args.locustfile, "--headless"),
                *("--users", str(users), "--spawn-rate", str(args.spawn_rate)),
                *("--run-time", f"{args.measure + args.settle + 120}s"),
                *("--host", f"http://127.0.0.1:{port}", "--csv", args.csv),
                *("--only-summary", "--reset-stats", "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                # bench/ for the locustfile's own imports, wherever the locustfile is
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])
                ),
                "HOTLINE_BENCH_SAMPLE": args.sample,
                "HOTLINE_BENCH_OPERATOR_WEIGHT": str(operators),
                "HOTLINE_BENCH_CITIZEN_WEIGHT": str(users - operators),
                "HOTLINE_BENCH_OPERATOR_RATE": str(args.rate),
                "HOTLINE_BENCH_CITIZEN_RATE": str(args.rate),
                "HOTLINE_BENCH_MEASURE_SECONDS": str(args.measure),
                "HOTLINE_BENCH_SETTLE_SECONDS": str(args.settle),
                "HOTLINE_BENCH_SERVER_GROUP": str(server.pid),
                "HOTLINE_BENCH_CPU_FILE": str(cpu_file),
            },
            check=False,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if not cpu_file.exists():
        print("locust wrote no CPU file (did every operator sign in?)", file=sys.stderr)
        return 1
    cpu = json.loads(cpu_file.read_text())
    served = cpu["after"]["server"] - cpu["before"]["server"]
    requests = cpu["requests"]
    print(
        f"locust CPU {cpu['locust'] * 1000 / requests:.3f} ms per request "
        f"({cpu['locust']:.2f} s for {requests:,} requests in {args.measure} s, "
        f"{requests / args.measure:.1f} requests/s); stand-in {served * 1000 / requests:.3f} ms"
    )
    return 0


# --- check ------------------------------------------------------------------------

# Set-Cookie headers beyond those of the recording: a cookie deleted as Django deletes one,
# cookies of a narrower path (given, and by default from the request's path), an Expires
# without Max-Age in the future and in the past.
EXTRA_COOKIES = [
    ("/hotline/new/", "messages=abc; Path=/hotline/; SameSite=Lax"),
    ("/hotline/new/", "draft=1"),
    ("/hotline/track/", "until=2; expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/"),
    ("/hotline/track/", "gone=3; expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"),
    ("/hotline/", "messages=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/hotline/"),
    ("/accounts/login/", "sessionid=; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"),
]
PATHS = ("/", "/hotline/", "/hotline/new/", "/hotline/newer/", "/hotline/track/", "/workbench/")


def check(args) -> int:
    """LeanCookieJar against the standard library's CookieJar: the Cookie header each
    would send for a set of paths after every Set-Cookie of the recording (in the order
    recorded) and of EXTRA_COOKIES."""
    from http.cookiejar import CookieJar

    from geventhttpclient.header import Headers
    from geventhttpclient.useragent import CompatRequest
    from locust_cookies import LeanCookieJar

    class Response:
        def __init__(self, set_cookies):
            self.headers = Headers([("Set-Cookie", value) for value in set_cookies])

        def info(self):
            return self.headers

    def cookie_header(jar, path):
        request = CompatRequest(f"http://127.0.0.1:8108{path}", headers=Headers())
        jar.add_cookie_header(request)
        return request.headers.get("cookie")

    recorded = json.loads(Path(args.recording).read_text(encoding="utf-8"))
    steps = []
    for name, entries in recorded.items():
        path = name.split(" ", 1)[1].replace("<n>", "1").partition("?")[0]
        for entry in entries[:3]:
            set_cookies = [v for k, v in entry["headers"] if k.lower() == "set-cookie"]
            steps.append((path, set_cookies))
    steps += [(path, [value]) for path, value in EXTRA_COOKIES]
    standard, lean = CookieJar(), LeanCookieJar()
    compared = 0
    for path, set_cookies in steps:
        for jar in (standard, lean):
            request = CompatRequest(f"http://127.0.0.1:8108{path}", headers=Headers())
            jar.extract_cookies(Response(set_cookies), request)
        for probe in PATHS:
            want, got = cookie_header(standard, probe), cookie_header(lean, probe)
            if want != got:
                print(f"after {set_cookies} from {path}, {probe}: CookieJar {want!r}, lean {got!r}")
                return 1
            compared += 1
    print(f"LeanCookieJar sent the same Cookie header as CookieJar in {compared} cases")
    return 0


# --- drive ------------------------------------------------------------------------


def drive(args) -> int:
    """The locustfile's tasks called one after another by one greenlet against the
    stand-in (no pacing, no spawning): locust's CPU per request in process, for A/B
    comparisons of locustfiles that a busy machine does not blur as much, and for
    ``valgrind --tool=callgrind --instr-atstart=no`` (collection is switched on around
    the measured loop with ``callgrind_control``)."""
    import importlib.util

    from loopback_server import free_port, wait_until_up

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            *(sys.executable, __file__, "serve", "--port", str(port)),
            *("--recording", args.recording, "--log-requests", args.log_requests),
        ],
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/hotline/letters/", timeout=30)
        os.environ.setdefault("HOTLINE_BENCH_SAMPLE", args.sample)
        spec = importlib.util.spec_from_file_location("locustfile_under_test", args.locustfile)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from locust.env import Environment

        host = f"http://127.0.0.1:{port}"
        module.Operator.host = module.Citizen.host = host
        environment = Environment(user_classes=[module.Operator, module.Citizen], host=host)
        environment.create_local_runner()
        random.seed(args.seed)
        users = [module.Operator(environment) for _ in range(args.operators)]
        users += [module.Citizen(environment) for _ in range(args.operators * 4)]
        for user in users:
            user.on_start()
        environment.stats.reset_all()
        tasks = [(user, user.tasks) for user in users]
        callgrind = args.callgrind
        if callgrind:
            subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True)  # noqa: S607
        profile = None
        if args.cprofile:
            import cProfile

            profile = cProfile.Profile(time.process_time)
            profile.enable()
        started = time.process_time()
        while environment.stats.total.num_requests < args.requests:
            user, choices = random.choice(tasks)
            random.choice(choices)(user)
        spent = time.process_time() - started
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.cprofile)
        if callgrind:
            subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True)  # noqa: S607
        requests = environment.stats.total.num_requests
        failures = environment.stats.total.num_failures
        print(
            f"{args.locustfile}: {spent * 1000 / requests:.3f} ms CPU per request in process "
            f"({requests:,} requests, {failures} failures)"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    recording = commands.add_parser("record")
    recording.add_argument("--users", type=int, default=20)
    recording.add_argument("--seconds", type=int, default=60)
    recording.add_argument("--upstream-port", type=int, default=8107)
    recording.add_argument("--seed", type=int, default=2026)
    recording.add_argument("--sample", type=int, default=20_000)
    serving = commands.add_parser("serve")
    serving.add_argument("--port", type=int, default=8108)
    serving.add_argument("--delay", type=float, default=0.0)
    serving.add_argument("--recording", default=str(RECORDING))
    serving.add_argument("--log-requests", default="", help="write every request here")
    running = commands.add_parser("run")
    running.add_argument("--locustfile", default=str(BENCH / "locustfile_hotline.py"))
    running.add_argument("--users", type=int, default=300)
    running.add_argument("--spawn-rate", type=int, default=30)
    running.add_argument("--rate", type=float, default=1.0)
    running.add_argument("--measure", type=int, default=60)
    running.add_argument("--settle", type=int, default=10)
    running.add_argument("--delay", type=float, default=0.03)
    running.add_argument("--port", type=int, default=0)
    running.add_argument("--recording", default=str(RECORDING))
    running.add_argument("--sample", default=str(SAMPLE))
    running.add_argument("--csv", default=str(ROOT / "var" / "bench" / "locust_standin"))
    running.add_argument("--py-spy", default="", help="py-spy binary: record locust's profile")
    running.add_argument("--py-spy-out", default=str(ROOT / "var" / "bench" / "locust.svg"))
    driving = commands.add_parser("drive")
    driving.add_argument("--locustfile", default=str(BENCH / "locustfile_hotline.py"))
    driving.add_argument("--requests", type=int, default=5000)
    driving.add_argument("--operators", type=int, default=4)
    driving.add_argument("--seed", type=int, default=1)
    driving.add_argument("--callgrind", action="store_true")
    driving.add_argument("--cprofile", default="", help="write a cProfile of the loop here")
    driving.add_argument(
        "--log-requests", default="", help="the stand-in writes every request here (to diff)"
    )
    driving.add_argument("--recording", default=str(RECORDING))
    driving.add_argument("--sample", default=str(SAMPLE))
    checking = commands.add_parser("check")
    checking.add_argument("--recording", default=str(RECORDING))
    args = parser.parse_args()
    commands = {"record": record, "serve": serve, "run": run, "drive": drive, "check": check}
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
