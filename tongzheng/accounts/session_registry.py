"""Which sessions belong to which user (会话登记), so that they can be ended at once.

A row is written when a session is bound to a user (login, password change) and removed
at logout. Ending a user's sessions is two indexed deletes, whatever the session count,
plus one cache call when the session engine caches sessions (``cached_db``).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from tongzheng.accounts.models import UserSession


def remember_session(request, user) -> None:
    """Bind the request's current session to ``user``; prune the user's dead sessions."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    alive = set(
        Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
            "session_key", flat=True
        )
    )
    dead = [k for k in keys if k not in alive and k != key]
    if dead:
        UserSession.objects.filter(session_key__in=dead).delete()


def forget_session(request) -> None:
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def end_sessions(user, *, keep: str | None = None) -> int:
    """Delete every session of ``user`` (except ``keep``); returns how many were ended."""
    mapped = UserSession.objects.filter(user=user)
    if keep:
        mapped = mapped.exclude(session_key=keep)
    keys = list(mapped.values_list("session_key", flat=True))
    if not keys:
        return 0
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    _drop_cached(keys)
    return ended


def _drop_cached(keys: list[str]) -> None:
    """Remove the sessions' cache entries too: a cached session engine answers from the
    cache without reading the row, so a deleted row alone would leave the session alive.

    Dropped at once and again on commit: a request of the user that reads the row before
    the deletion commits may put it back in the cache meanwhile (the callers delete inside
    their action's transaction).
    """
    prefix = getattr(import_module(settings.SESSION_ENGINE).SessionStore, "cache_key_prefix", None)
    if prefix is None:  # the database engine: the rows were the sessions
        return
    cache = caches[settings.SESSION_CACHE_ALIAS]
    cache_keys = [prefix + key for key in keys]
    cache.delete_many(cache_keys)
    transaction.on_commit(lambda: cache.delete_many(cache_keys))


LAST_ACTIVITY_KEY = "tongzheng_last_activity"
# The last-activity stamp is rewritten at most this often, so that an active user does not
# cost a session write on every request; the idle timeout is exact to within this much.
TOUCH_INTERVAL_SECONDS = 60


def touch(request, *, force: bool = False) -> None:
    now = int(timezone.now().timestamp())
    last = request.session.get(LAST_ACTIVITY_KEY)
    if force or last is None or now - last >= TOUCH_INTERVAL_SECONDS:
        request.session[LAST_ACTIVITY_KEY] = now


def idle_seconds(request) -> int | None:
    last = request.session.get(LAST_ACTIVITY_KEY)
    if last is None:
        return None
    return int(timezone.now().timestamp()) - int(last)
