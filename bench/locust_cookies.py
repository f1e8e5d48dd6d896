"""A lean cookie jar for the load generator (bench/locustfile_hotline.py).

Locust's FastHttpSession keeps a user's cookies in the standard library's
``http.cookiejar.CookieJar``, which parses every ``Set-Cookie`` with its date and
policy machinery and, for every request, walks its domains, paths and policy checks
and then clears expired cookies under a lock: measured on the stand-in
(bench/locust_standin.py), some 30 % of locust's CPU in the hotline mix, where every
response sets the CSRF cookie again. On the two cores the server shares with locust,
that CPU is taken from the server.

``LeanCookieJar`` does what a browser does for this benchmark's one loopback origin
(RFC 6265 §5.2-5.4): it keeps each cookie's value, path and expiry per host; a
``Set-Cookie`` with ``Max-Age`` <= 0 or an ``Expires`` in the past removes the cookie;
a request carries the unexpired cookies whose path matches, longest path first, as one
``Cookie`` header — the header the standard jar writes for these responses (checked by
``bench/locust_standin.py check`` against ``CookieJar`` on the recorded responses).
What it leaves out does not occur here: ``Domain`` attributes (Django sets none unless
``SESSION_COOKIE_DOMAIN``/``CSRF_COOKIE_DOMAIN`` are set), ``Secure`` cookies over
plain HTTP, and the RFC 2965 ``Set-Cookie2`` header.

It has the two methods geventhttpclient's ``UserAgent.urlopen`` calls:
``add_cookie_header(request)`` and ``extract_cookies(response, request)``.
"""

import time
from email.utils import parsedate_to_datetime


def _default_path(path: str) -> str:
    """RFC 6265 §5.1.4: the request path up to its last "/" (exclusive), or "/"."""
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rfind("/")]


def _host(request) -> str:
    """The request's host, without the port (cookies are per host, RFC 6265 §8.5): from
    the URL's netloc, cheaper than geventhttpclient's ``url_split.host`` (a parse)."""
    netloc = request.url_split.netloc
    host, colon, port = netloc.rpartition(":")
    return host if colon and port.isdigit() and not netloc.endswith("]") else netloc


def _path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4 path-match."""
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


class LeanCookieJar:
    """Per host: {(path, name): (value, expires or None)}, in the order first set."""

    def __init__(self) -> None:
        self._hosts: dict[str, dict[tuple[str, str], tuple[str, float | None]]] = {}

    def add_cookie_header(self, request) -> None:
        cookies = self._hosts.get(_host(request))
        if not cookies or "cookie" in request.headers:
            return
        path = request.url_split.path or "/"
        now = time.time()
        matched = []
        expired = []
        for key, (value, expires) in cookies.items():
            if expires is not None and expires <= now:
                expired.append(key)
            elif key[0] == "/" or _path_matches(path, key[0]):
                matched.append((key, value))
        for key in expired:
            del cookies[key]
        if matched:
            # Longest path first (RFC 6265 §5.4, as CookieJar); a stable sort keeps the
            # order they were first set in among cookies of one path.
            if len(matched) > 1 and any(key[0] != "/" for key, _value in matched):
                matched.sort(key=lambda item: len(item[0][0]), reverse=True)
            request.headers.add("Cookie", "; ".join(f"{k[1]}={v}" for k, v in matched))

    def extract_cookies(self, response, request) -> None:
        # "is not None": the truth of a Headers object is its len(), a count over every value
        headers = response.headers.getlist("set-cookie") if response.headers is not None else ()
        if not headers:
            return
        cookies = self._hosts.setdefault(_host(request), {})
        for header in headers:
            self._set(cookies, header, request.url_split.path or "/")

    @staticmethod
    def _set(cookies: dict, header: str, request_path: str) -> None:
        pair, *attributes = header.split(";")
        name, equals, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name:
            return  # RFC 6265 §5.2: ignored
        path = None
        max_age = None
        expires_text = None
        for attribute in attributes:
            key, _, attribute_value = attribute.partition("=")
            key = key.strip().lower()
            if key == "max-age":
                try:
                    max_age = int(attribute_value)
                except ValueError:
                    continue
            elif key == "expires":
                expires_text = attribute_value.strip()
            elif key == "path":
                attribute_value = attribute_value.strip()
                if attribute_value.startswith("/"):
                    path = attribute_value
        if path is None:
            path = _default_path(request_path)
        if max_age is not None:  # Max-Age wins over Expires (§5.3 step 3)
            expires = time.time() + max_age if max_age > 0 else 0.0
        elif expires_text is not None:
            try:
                expires = parsedate_to_datetime(expires_text).timestamp()
            except (TypeError, ValueError, IndexError):
                expires = None
        else:
            expires = None
        key = (path, name)
        if expires is not None and expires <= time.time():
            cookies.pop(key, None)
        else:
            cookies[key] = (value, expires)
