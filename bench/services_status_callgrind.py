"""Machine instructions per status lookup (办件查询), real page and bare view, by callgrind.

Instruction counts do not depend on the machine's load (unlike CPU time), so they are how
the real page's own work (real minus bare: the only part that moves the ratio measured by
``bench/services_status.py``) is compared between two trees on a shared machine. The
requests are the in-process ones of ``bench/services_status_profile.py`` (the whole WSGI
handler, every middleware, the same sampled number + code pairs), the cache the product's
(Redis when ``REDIS_URL`` is set).

The script runs itself under ``valgrind --tool=callgrind --collect-atstart=no
--dump-instr=no`` (``PYTHONHASHSEED=0``); a tiny C helper (compiled into /tmp with the
system's ``valgrind/callgrind.h``) zeroes callgrind's counters before and dumps them after
each measured stretch, so start-up and warm-up are not counted::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_status REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/services_status_callgrind.py [--out /tmp/cg]

It prints instructions per request for each endpoint and real − bare; the dumps are
``<out>.real`` and ``<out>.bare``: ``callgrind_annotate --inclusive=yes <out>.real``
shows where they go.
"""

import argparse
import ctypes
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "services_status_settings"

from services_status import BARE, REAL  # noqa: E402
from services_status_profile import TOKEN, environ, sample_pairs  # noqa: E402

HELPER_C = r"""
#include <valgrind/callgrind.h>
void tz_zero(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void tz_dump(const char *name) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS_AT(name); }
"""


LIBRARY = Path("/tmp/tz_callgrind_helper.so")


def build_helper() -> None:
    source = Path("/tmp/tz_callgrind_helper.c")
    source.write_text(HELPER_C)
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(LIBRARY), str(source)], check=True)


def launch(args) -> int:
    """Run this script under callgrind and print what its dumps count."""
    build_helper()
    out = Path(args.out)
    command = [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        "--instr-atstart=no",
        "--dump-instr=no",
        f"--callgrind-out-file={out}.%p",
        sys.executable,
        __file__,
        "--inside",
        *sys.argv[1:],
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout, done.stderr[-3000:], sep="\n")
        return done.returncode
    pid = done.stdout.split("pid ", 1)[1].split()[0]
    counts = {}
    for number, label in ((1, "real"), (2, "bare")):
        dump = Path(f"{out}.{pid}.{number}")
        dump.replace(f"{out}.{label}")
        summary = next(
            line
            for line in Path(f"{out}.{label}").read_text().splitlines()
            if line.startswith(("summary:", "totals:"))
        )
        counts[label] = int(summary.split()[1]) / args.requests
    for label in ("real", "bare"):
        print(f"{label}: {counts[label] / 1e6:.3f} M instructions a request ({out}.{label})")
    print(
        f"real - bare: {(counts['real'] - counts['bare']) / 1e6:.3f} M; "
        f"real / bare {counts['real'] / counts['bare']:.3f} "
        f"({args.requests} requests each after {args.warm} warm-up)"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--warm", type=int, default=100, help="unmeasured requests first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default="/tmp/cg_status")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.inside:
        return launch(args)

    pairs = sample_pairs(args.sample, args.seed)
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    bodies = [
        urllib.parse.urlencode({"csrfmiddlewaretoken": TOKEN, "number": n, "code": c}).encode()
        for n, c in pairs
    ]

    def call(path: str, body: bytes) -> None:
        status = []
        chunks = application(environ(path, body), lambda s, h, e=None: status.append(s))
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")

    for _ in range(max(1, args.warm // len(bodies))):
        for path in (REAL, BARE):
            for body in bodies:
                call(path, body)
    import gc

    gc.collect()
    gc.freeze()  # as tongzheng.wsgi does after start-up
    lib = ctypes.CDLL(str(LIBRARY))
    for label, path in (("real", REAL), ("bare", BARE)):
        lib.tz_zero()
        for i in range(args.requests):
            call(path, bodies[i % len(bodies)])
        lib.tz_dump(label.encode())
    print(f"pid {os.getpid()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
