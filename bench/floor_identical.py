"""Pages rendered with the request-floor shortcuts and without them, compared byte for byte.

The floor shortcuts (``core.redis_cache``: cache reads on the lean connection;
``core.templatetags.static_urls``: ``{% static %}`` kept per path) must not change a
response. This renders a sample of pages across the apps twice in one process, back to
back, once with Django's own ``RedisCache.get``/``get_many`` and ``StaticNode.render``
put back and once as shipped, and compares status, headers and body (CSRF tokens
masked; the cookies' values too, as each response sets its own).

Pages: the links of the workbench home page for each of several staff users (signed in
with the second factor passed, as ``bench/floor_profile.py`` does), and of the portal
home page anonymously, one level deep, GET only.

Usage (REDIS_URL is needed: without it the cache is LocMemCache and nothing differs)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tz_floor REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/floor_identical.py
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
os.environ["DJANGO_SETTINGS_MODULE"] = "hotline_settings"

import django  # noqa: E402

django.setup()

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache  # noqa: E402
from django.templatetags.static import StaticNode  # noqa: E402
from django.test import Client  # noqa: E402
from floor_profile import staff_cookie  # noqa: E402

from tongzheng.core import redis_cache  # noqa: E402
from tongzheng.core.templatetags import static_urls  # noqa: E402

USERS = ("hotline", "hotlinehandler", "supervisor", "service", "staffing", "sysadmin", "secretary")
MASKS = [
    (re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+'), rb"\1CSRF"),
    (re.compile(rb'("X-CSRFToken": ")[^"]+'), rb"\1CSRF"),
    (re.compile(rb"(csrftoken=)[^;]+"), rb"\1CSRF"),
    (re.compile(rb"(sessionid=)[^;]+"), rb"\1SESSION"),
]
SHIPPED = (redis_cache.RedisCache.get, redis_cache.RedisCache.get_many)


def floor(on: bool) -> None:
    if on:
        redis_cache.RedisCache.get, redis_cache.RedisCache.get_many = SHIPPED
        static_urls.KeptStaticNode.render = static_urls.KeptStaticNode.__dict__["_shipped"]
    else:
        redis_cache.RedisCache.get = DjangoRedisCache.get
        redis_cache.RedisCache.get_many = DjangoRedisCache.get_many
        static_urls.KeptStaticNode.render = StaticNode.render


static_urls.KeptStaticNode._shipped = static_urls.KeptStaticNode.render


def snapshot(response) -> bytes:
    headers = b"".join(
        f"{k}: {v}\n".encode() for k, v in sorted(response.items()) if k.lower() != "date"
    )
    cookies = b"".join(f"{c.output()}\n".encode() for c in response.cookies.values())
    data = b"%d\n%b%b\n%b" % (response.status_code, headers, cookies, response.content)
    for pattern, replacement in MASKS:
        data = pattern.sub(replacement, data)
    return data


def links(html: str) -> list[str]:
    found = re.findall(r'href="(/[^"#?]*)"', html)
    return sorted({u for u in found if not u.startswith(("/static/", "/accounts/logout"))})


def main() -> int:
    sessions = [("anonymous", Client(HTTP_HOST="127.0.0.1"), "/")]
    for username in USERS:
        client = Client(HTTP_HOST="127.0.0.1")
        cookie = staff_cookie(username)
        for part in cookie.split("; "):
            name, value = part.split("=", 1)
            client.cookies[name] = value
        sessions.append((username, client, "/workbench/"))
    same = differ = drifting = 0
    statuses: dict[int, int] = {}
    for who, client, home in sessions:
        urls = [home, *links(client.get(home).content.decode())]
        for url in urls:
            pages = []
            for on in (False, True, False):  # the last: the first again (a page's own drift)
                floor(on)
                response = client.get(url)
                pages.append(snapshot(response))
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if pages[0] != pages[2]:
                drifting += 1  # changes by itself between two requests: not comparable
                continue
            if pages[0] == pages[1]:
                same += 1
            else:
                differ += 1
                print(f"DIFFERENT {who} {url}")
    floor(True)
    print(f"{same} pages byte-identical, {differ} different, {drifting} drifting by themselves")
    print("statuses:", ", ".join(f"{code} x{n}" for code, n in sorted(statuses.items())))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
