"""The CSRF token's mask drawn from one read of the system's random source, and the CSRF
cookie sent only when the visitor does not hold it already.

Django masks the CSRF secret afresh for every page that shows a token (``get_token``), so
that a compressed response never repeats it (BREACH). Its mask is 32 characters each
drawn by ``secrets.choice``: 32 reads of the random source and ~200 µs of CPU, more than
the status lookup page spends on its own content. This draws the same mask — 32
characters uniform over ``CSRF_ALLOWED_CHARS``, from the same source (``os.urandom``, as
``secrets`` uses) — from one read, by rejection sampling (bytes at or above the largest
multiple of 62 are dropped, so no character is more likely than another). The bytes are
filtered and mapped by ``bytes.translate`` and the cipher is read from a table of the
62 × 62 sums, so no Python runs per character: ~9 µs on a loaded machine (~15 µs with a
generator per byte and per character, which was the first version of this module).

Only the mask's drawing changes; the cipher is Django's (its test:
``_unmask_cipher_token`` gives the secret back), the check is Django's middleware, and
``install`` replaces the one module function ``get_token`` calls. Its tests fail if a
Django upgrade moves that function.

The cookie. Django sends the CSRF cookie again (``Set-Cookie`` with a fresh expiry, and
``Vary: Cookie``) on every page that showed a token, even when the request brought that
very cookie, to slide its expiry. Here it is sent only when the request did not bring
the secret the page's tokens are masked from: a first visit, a missing or malformed
cookie, a secret rotated at sign-in (``rotate_token``), Django's old 64-character
format. So a visitor's cookie expires ``CSRF_COOKIE_AGE`` after it was *issued* (a year
by default), no longer after their last page with a form. ``Vary: Cookie`` stays on
every page that used the token. The middleware stays Django's ``CsrfViewMiddleware``
under its own name in ``settings.MIDDLEWARE`` (``check --deploy`` looks for that name:
security.W003 and W016) — the same check of every unsafe request, the same token and
cookie — with ``install`` putting this module's ``process_response`` on it. The status
lookup (issue 4) spent ~0.14 M instructions a request (callgrind) on the header it no
longer sends.
"""

import os

from django.conf import settings
from django.middleware import csrf
from django.utils.cache import patch_vary_headers

_CHARS = csrf.CSRF_ALLOWED_CHARS
_BASE = len(_CHARS)
_LIMIT = 256 - 256 % _BASE  # bytes below this map evenly onto the 62 characters
#: byte -> the character it draws (bytes at or above _LIMIT are deleted before).
_DRAW = bytes(ord(_CHARS[byte % _BASE]) for byte in range(256))
_REJECTED = bytes(range(_LIMIT, 256))
#: (secret character, mask character) -> cipher character: Django's (x + y) % 62.
_ADD = {
    (secret, mask): _CHARS[(i + j) % _BASE]
    for i, secret in enumerate(_CHARS)
    for j, mask in enumerate(_CHARS)
}


def random_mask(length: int = csrf.CSRF_SECRET_LENGTH) -> str:
    """``length`` characters of CSRF_ALLOWED_CHARS, uniform and independent: the random
    bytes filtered and mapped by ``bytes.translate`` (one C loop, no Python per byte)."""
    mask = b""
    while len(mask) < length:
        mask += os.urandom(length + 16).translate(_DRAW, _REJECTED)
    return mask[:length].decode("ascii")


def mask_cipher_secret(secret: str) -> str:
    """Django's ``_mask_cipher_secret``: mask + (secret + mask) character by character."""
    mask = random_mask(len(secret))
    return mask + "".join(map(_ADD.__getitem__, zip(secret, mask, strict=True)))


def install() -> None:
    csrf._mask_cipher_secret = mask_cipher_secret
    csrf.CsrfViewMiddleware.process_response = process_response


_django_process_response = csrf.CsrfViewMiddleware.process_response


def process_response(self, request, response):
    """``CsrfViewMiddleware.process_response`` not sending the cookie the request brought
    (see above); otherwise Django's."""
    meta = request.META
    if (
        meta.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not settings.CSRF_USE_SESSIONS
        and request.COOKIES.get(settings.CSRF_COOKIE_NAME) == meta["CSRF_COOKIE"]
    ):
        # The page's tokens are masked from the secret the visitor holds already. The
        # page still depends on the cookie, so caches must key on it.
        if "Vary" in response.headers:
            patch_vary_headers(response, ("Cookie",))
        else:
            response.headers["Vary"] = "Cookie"
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response
    return _django_process_response(self, request, response)
