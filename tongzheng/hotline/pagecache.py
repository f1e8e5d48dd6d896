"""公开页缓存: public hotline pages that are the same for every anonymous visitor.

The published letters (list and letter) and the intake and tracking forms show nothing
that depends on who asks — except the CSRF token that every page carries (the forms, the
language switcher, htmx's header). Such a page is rendered once with a placeholder in
place of the token and kept in Django's cache (Redis in production, shared by every app
server); each visitor gets the stored bytes with *their own* token put in its place
(``get_token``, which also sets the CSRF cookie as a normal render would). So a token is
never shared between visitors and the forms keep Django's CSRF protection: no view here
is ``csrf_exempt``.

Only GET requests of anonymous visitors without pending messages are served or stored
(a signed-in user sees their name in the header), only 200 answers are stored, and only
for the query strings a view declares (``page=2`` on the list, ``line=12310`` on the
form): a search or an unknown parameter is rendered as usual, so nobody can fill the
cache with made-up URLs. The key carries the language.

Letters pages carry the *letters version*: ``letters_changed`` (called when the centre
publishes or unpublishes, after the commit) moves it on and every stored letters page
becomes stale at once — an unpublished letter leaves the portal at the next request. The
version and the page are read in one round trip; the stored page says which version it
was rendered for. Other pages (the intake form lists the active 诉求分类) expire after
their timeout.

All of this holds only in a cache that every process shares (Redis, memcached, database,
files). In a process's own memory — the default without REDIS_URL — a version moved on
by one app server's worker is unseen by the others, which would keep an unpublished
letter on the portal until their stored page times out. So with such a cache nothing is
stored and every page is rendered: correct at any number of processes, only slower.
"""

import re
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils import translation

# Rendered where the CSRF token goes; letters only, so escaping leaves it unchanged.
CSRF_PLACEHOLDER = "tzPageCacheCsrfTokenPlaceholderQ7vXk2mR"
LETTERS_VERSION = "hotline:page:letters-version"
NO_QUERY = re.compile(r"^$")
# Django's caches that live inside one process (the dummy one stores nothing anyway).
PER_PROCESS_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def enabled() -> bool:
    """Whether pages are stored: only in a cache shared by every process (see the module)."""
    return settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_BACKENDS


def letters_version() -> int:
    version = cache.get(LETTERS_VERSION)
    return version if version is not None else _new_letters_version()


def _new_letters_version() -> int:
    # A lost version key (eviction, a flushed cache) must not bring back an old number.
    cache.add(LETTERS_VERSION, time.time_ns(), timeout=None)
    return cache.get(LETTERS_VERSION)


def _bump() -> None:
    try:
        cache.incr(LETTERS_VERSION)
    except ValueError:
        _new_letters_version()


def letters_changed() -> None:
    """A letter was published or unpublished: every cached letters page is stale.

    Bumped now and again after the commit: between the two a concurrent request may
    have stored the old page under the first new version. (The centre's actions commit
    their own transaction, so outside a test both happen at once.)
    """
    _bump()
    transaction.on_commit(_bump)


def _cacheable(request, query: re.Pattern) -> bool:
    if not enabled():
        return False
    if request.method != "GET" or not query.fullmatch(request.META.get("QUERY_STRING", "")):
        return False
    if request.user.is_authenticated:
        return False
    return not len(get_messages(request))


def _serve(request, content: str, content_type: str) -> HttpResponse:
    return HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)), content_type)


def public_page(name: str, *, timeout: int, letters: bool = False, query=NO_QUERY):
    """Serve the decorated view's anonymous GET answer from the cache (see the module).

    The view must answer with a ``TemplateResponse`` (rendered here, with the
    placeholder token). ``name`` keys the page; ``query`` is the pattern of the query
    strings worth storing (default: none).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable(request, query):
                return view(request, *args, **kwargs)
            key = f"hotline:page:{name}:{translation.get_language()}:{request.get_full_path()}"
            if letters:
                found = cache.get_many([LETTERS_VERSION, key])
                version = found.get(LETTERS_VERSION)
                if version is None:
                    version = _new_letters_version()
            else:
                found, version = {key: cache.get(key)}, 0
            stored = found.get(key)
            if stored is not None and stored[0] == version:
                return _serve(request, stored[1], stored[2])
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or not isinstance(response, TemplateResponse):
                return response
            response.context_data = {
                **(response.context_data or {}),
                "csrf_token": CSRF_PLACEHOLDER,
            }
            content = response.rendered_content
            content_type = response["Content-Type"]
            cache.set(key, (version, content, content_type), timeout)
            return _serve(request, content, content_type)

        return wrapped

    return decorator
