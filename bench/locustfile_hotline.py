"""Mixed hotline workload for locust: operators in the workbench and citizens on the portal.

Run by ``bench/hotline_load.py`` (which starts granian, prepares the accounts and the
sample file and reads the CSV); by hand::

    HOTLINE_BENCH_SAMPLE=var/bench/hotline_sample.json .venv/bin/locust \
        -f bench/locustfile_hotline.py --headless -u 300 -r 30 -t 2m --host http://127.0.0.1:8000

Users (each at a fixed pace, ``constant_throughput``):

- ``Operator`` (话务员 of the top 12345 centre, one bench account each, password and TOTP
  at ``on_start`` like a person): the ticket list (by deadline, keyset pages, filtered by
  status, searched by a word), a ticket's detail page;
- ``Citizen``: following a ticket by number + 提取码 (POST, the demo's derived codes), the
  published letters list and a letter, the intake form and filing a named web ticket.

The statistics are reset when the last operator has signed in (the PBKDF2 password
hashes of 60 operators take the server many seconds, and the mix is the steady state
after them); with ``HOTLINE_BENCH_MEASURE_SECONDS`` the run stops that many seconds
later, so the figures cover exactly that window.

Locust runs on the server's two cores, so its own CPU is kept low without changing what
is sent: cookies in ``LeanCookieJar`` (bench/locust_cookies.py) instead of
``http.cookiejar``, checks on the body's bytes, form bodies encoded once, each URL's
client and target remembered (``TargetCachingUserAgent``). ``bench/locust_standin.py``
measures locust alone against recorded responses, and ``drive --log-requests`` shows the
requests byte-identical to those of the plain FastHttpUser version.

The sample file (JSON) holds ``tickets`` ([number, code] pairs), ``letters`` (published
letter numbers), ``divisions`` (township codes), ``subjects`` (ids), ``words`` (search
terms) and ``operators`` ([username, password, TOTP key hex]).
"""

import functools
import itertools
import json
import logging
import os
import random
import re
import sys
import urllib.parse

import gevent
from locust import FastHttpUser, constant_throughput, events, task
from locust.contrib.fasthttp import LocustUserAgent

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_totp import totp  # noqa: E402
from locust_cookies import LeanCookieJar  # noqa: E402
from loopback_server import cpu_by_role, database_name  # noqa: E402 - bench/ is not a package

SAMPLE = json.loads(open(os.environ["HOTLINE_BENCH_SAMPLE"], encoding="utf-8").read())  # noqa: SIM115
OPERATOR_RATE = float(os.environ.get("HOTLINE_BENCH_OPERATOR_RATE", "1"))
CITIZEN_RATE = float(os.environ.get("HOTLINE_BENCH_CITIZEN_RATE", "1"))
# The checks read the body as bytes (UTF-8): what they look for is ASCII, and decoding
# every page to text (locust's ``.text``, with its charset lookup) costs locust CPU that
# the server, on the same two cores, would otherwise have.
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TICKET_NUMBER = re.compile(rb'data-testid="ticket-number">([0-9-]+)<')
EXTRACTION_CODE = re.compile(rb'data-testid="extraction-code">([0-9A-Z]+)<')
_accounts = itertools.count()
OPERATORS = int(os.environ.get("HOTLINE_BENCH_OPERATOR_WEIGHT", "1"))
MEASURE_SECONDS = float(os.environ.get("HOTLINE_BENCH_MEASURE_SECONDS", "0"))
_signed_in = itertools.count(1)


SERVER_GROUP = int(os.environ.get("HOTLINE_BENCH_SERVER_GROUP", "0"))
CPU_FILE = os.environ.get("HOTLINE_BENCH_CPU_FILE", "")
_window = {}


SETTLE_SECONDS = float(os.environ.get("HOTLINE_BENCH_SETTLE_SECONDS", "0"))


def all_signed_in(environment) -> None:
    """Start the measured window SETTLE_SECONDS after the last operator's sign-in.

    The 60 sign-ins (PBKDF2 password hashes) hold the server's CPU for many seconds while
    the citizens' requests queue behind them; in a closed loop at a load near capacity
    that queue drains only slowly, and measured from the sign-in on, every request of the
    next minutes carried it (a 10-minute run: max 22 s, p95 360 ms; a 3-minute run that
    started without it: p95 140 ms). The window starts when the mix runs on its own.
    """
    logging.warning(
        "all %d operators signed in: measuring %g s from %g s on",
        OPERATORS,
        MEASURE_SECONDS,
        SETTLE_SECONDS,
    )
    gevent.spawn_later(SETTLE_SECONDS, start_window, environment)


def start_window(environment) -> None:
    """The measured window: statistics reset, the run stopped MEASURE_SECONDS later."""
    environment.stats.reset_all()
    if SERVER_GROUP:
        _window["cpu"] = cpu_by_role(SERVER_GROUP, database_name())
        _window["locust"] = _own_cpu()
    logging.warning("statistics reset, measuring %g s", MEASURE_SECONDS)
    if MEASURE_SECONDS and environment.runner is not None:
        gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


def csrf_token(html: bytes | None) -> str:
    match = CSRF.search(html or b"")
    return match.group(1).decode("ascii") if match else ""


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


@events.quitting.add_listener
def _server_cpu(environment, **_kwargs):
    """CPU readings at both ends of the measured window (``loopback_server.cpu_by_role``,
    and locust's own) and the requests served in it, for hotline_load."""
    if "cpu" in _window and CPU_FILE:
        window = {
            "before": _window["cpu"],
            "after": cpu_by_role(SERVER_GROUP, database_name()),
            "locust": _own_cpu() - _window["locust"],
            "requests": environment.stats.total.num_requests,
        }
        with open(CPU_FILE, "w", encoding="utf-8") as handle:
            json.dump(window, handle)


# A form POST as geventhttpclient sends a dict payload (``urlencode(data).encode()`` and
# these headers, in this order after locust's Accept-Encoding), with the quoting of the
# values that recur (sample numbers and codes, tokens, texts) remembered.
_quote = functools.lru_cache(maxsize=1 << 16)(urllib.parse.quote_plus)
FORM_HEADERS = {
    "Accept-Encoding": "gzip, deflate, br",
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
}


READ_BLOCK = 64 * 1024


def form_body(data: dict[str, str]) -> bytes:
    """``urllib.parse.urlencode(data).encode()`` for str values."""
    return "&".join([f"{_quote(key)}={_quote(value)}" for key, value in data.items()]).encode()


class TargetCachingUserAgent(LocustUserAgent):
    """locust's user agent with each URL's client and request target remembered.

    ``LocustUserAgent._urlopen`` looks up the connection pool's client by the URL's host
    and port and percent-encodes the request target for every request (two URL parses);
    for one user's URLs they never change. The request sent is the same.
    """

    _targets: dict[tuple[str, str], tuple]  # set on each instance (HotlineUser)

    def _urlopen(self, request):
        # request.url is the URL as given: ``params`` are only in url_split's query
        key = (request.url, request.url_split.query)
        try:
            client, target = self._targets[key]
        except KeyError:
            split = request.url_split
            client = self.clientpool.get_client(split)
            target = getattr(split, "quoted_uri", split.request_uri)
            self._targets[key] = (client, target)
        response = client.request(
            request.method, target, body=request.payload, headers=request.headers
        )
        return self.response_type(response, request=request, sent_request=response._sent_request)


class HotlineUser(FastHttpUser):
    """A FastHttpUser whose cookies are kept by ``LeanCookieJar`` (bench/locust_cookies.py):
    the same Cookie headers as the standard library's jar, at a fraction of its CPU; its
    forms are posted by ``post_form``, the same bytes as a dict payload."""

    abstract = True

    def __init__(self, environment) -> None:
        super().__init__(environment)
        jar = LeanCookieJar()
        self.client.cookiejar = jar
        self.client.client.cookiejar = jar
        # Read a response in 64 KiB blocks rather than geventhttpclient's 4 KiB: a page of
        # 3-27 KB in one or two recv() and parser calls instead of up to seven (the
        # connection is made at the first request, with these arguments).
        self.client.client.clientpool.client_args["block_size"] = READ_BLOCK
        agent = self.client.client
        agent.__class__ = TargetCachingUserAgent  # FastHttpSession makes a LocustUserAgent
        agent._targets = {}

    def post_form(self, path: str, data: dict[str, str], **kwargs):
        body = form_body(data)
        headers = {**FORM_HEADERS, "content-length": str(len(body))}
        return self.client.post(path, data=body, headers=headers, **kwargs)


class Operator(HotlineUser):
    weight = int(os.environ.get("HOTLINE_BENCH_OPERATOR_WEIGHT", "1"))
    wait_time = constant_throughput(OPERATOR_RATE)

    def on_start(self):
        username, password, key = SAMPLE["operators"][next(_accounts) % len(SAMPLE["operators"])]
        page = self.client.get("/accounts/login/", name="login")
        response = self.post_form(
            "/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": csrf_token(page.content),
            },
            name="login",
        )
        page = self.client.get("/accounts/otp/", name="login")
        response = self.post_form(
            "/accounts/otp/",
            data={"token": totp(key), "csrfmiddlewaretoken": csrf_token(page.content)},
            name="login",
        )
        if "/accounts/" in (response.url or "") and response.status_code != 200:
            raise RuntimeError(f"operator {username} could not sign in")
        if next(_signed_in) == OPERATORS:
            all_signed_in(self.environment)

    @task(4)
    def ticket_list(self):
        self.client.get("/workbench/hotline/tickets/", name="operator: ticket list")

    @task(2)
    def ticket_list_by_status(self):
        status = random.choice(("received", "handling", "answered", "closed"))
        self.client.get(
            f"/workbench/hotline/tickets/?status={status}", name="operator: list by status"
        )

    @task(2)
    def ticket_search(self):
        word = random.choice(SAMPLE["words"])
        self.client.get("/workbench/hotline/tickets/", params={"q": word}, name="operator: search")

    @task(5)
    def ticket_detail(self):
        number, _code = random.choice(SAMPLE["tickets"])
        self.client.get(f"/workbench/hotline/tickets/{number}/", name="operator: ticket detail")


class Citizen(HotlineUser):
    weight = int(os.environ.get("HOTLINE_BENCH_CITIZEN_WEIGHT", "4"))
    wait_time = constant_throughput(CITIZEN_RATE)

    def on_start(self):
        page = self.client.get("/hotline/track/", name="public: track form")
        self.track_token = csrf_token(page.content)
        self.filed = []

    @task(6)
    def track(self):
        number, code = random.choice(self.filed or SAMPLE["tickets"])
        with self.post_form(
            "/hotline/track/",
            data={"number": number, "code": code, "csrfmiddlewaretoken": self.track_token},
            name="public: track",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and number.encode() not in (response.content or b""):
                response.failure("the tracked ticket is not on the page")

    @task(3)
    def letters(self):
        self.client.get("/hotline/letters/", name="public: letters list")

    @task(1)
    def letter(self):
        if SAMPLE["letters"]:
            number = random.choice(SAMPLE["letters"])
            self.client.get(f"/hotline/letters/{number}/", name="public: letter")

    @task(1)
    def intake_form(self):
        self.client.get("/hotline/new/", name="public: intake form")

    @task(1)
    def intake(self):
        page = self.client.get("/hotline/new/", name="public: intake form")
        subject = random.choice(SAMPLE["subjects"])
        data = {
            "csrfmiddlewaretoken": csrf_token(page.content),
            "channel": "web",
            "type": random.choice(("complaint", "enquiry", "suggestion", "help")),
            "subject": str(subject),
            "title": "小区路灯不亮",
            "content": random.choice(SAMPLE["contents"]),
            "address": "人民路18号",
            "division": random.choice(SAMPLE["divisions"]),
            "reporter_name": "王芳",
            "reporter_phone": f"139{random.randrange(10**8):08d}",
        }
        with self.post_form(
            "/hotline/new/", data, name="public: intake", catch_response=True
        ) as response:
            body = response.content or b""
            found = TICKET_NUMBER.search(body)
            code = EXTRACTION_CODE.search(body)
            if response.status_code != 200 or not found:
                response.failure(f"intake answered {response.status_code} without a number")
            elif code:
                self.filed.append((found.group(1).decode(), code.group(1).decode()))
