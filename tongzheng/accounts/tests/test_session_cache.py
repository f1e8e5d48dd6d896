"""Sessions and permission scopes read from the shared cache (settings.SHARED_CACHE).

With ``cached_db`` a session is answered from the cache without reading its row, and a
staff user's scopes are kept per access version: ending a session and changing a role
must reach the cache too, or an ended session / a withdrawn permission stays usable.
The per-process memory cache of the test run stands in for Redis (one process here).
"""

from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from tongzheng.accounts import actions
from tongzheng.accounts.models import UserSession
from tongzheng.accounts.tests.factories import RoleFactory, UserFactory
from tongzheng.accounts.tests.test_user_admin import full_login
from tongzheng.core import access
from tongzheng.core.access import DataScope, has_permission

CACHED_DB = "django.contrib.sessions.backends.cached_db"
MANAGE_USERS = "accounts.manage_users"


@pytest.fixture
def shared_cache(settings):
    settings.SESSION_ENGINE = CACHED_DB
    settings.SHARED_CACHE = True
    cache.clear()
    yield
    cache.clear()


def cached_session_keys(user) -> list[str]:
    prefix = import_module(django_settings.SESSION_ENGINE).SessionStore.cache_key_prefix
    keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    return [key for key in keys if cache.get(prefix + key) is not None]


def signed_out(browser) -> bool:
    response = browser.get(reverse("accounts:password_change"))
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "end",
    [
        lambda admin, user: actions.disable_user(actor=admin, user=user, reason="离职"),
        lambda admin, user: actions.reset_password(actor=admin, user=user),
        lambda admin, user: actions.reset_second_factor(actor=admin, user=user),
    ],
    ids=["disable", "reset_password", "reset_second_factor"],
)
def test_an_ended_session_cannot_be_used(shared_cache, staff, system_admin, end):
    first, second = full_login(staff), full_login(staff)
    assert len(cached_session_keys(staff)) == 2  # answered from the cache from now on
    end(system_admin, staff)
    assert cached_session_keys(staff) == []
    assert signed_out(first)
    assert signed_out(second)


@pytest.mark.django_db(transaction=True)
def test_a_session_read_back_before_commit_is_dropped_again(shared_cache, staff, system_admin):
    """A request of the user between the deletion and the commit caches the row again."""
    browser = full_login(staff)
    with transaction.atomic():
        actions.disable_user(actor=system_admin, user=staff, reason="离职")
        # Another request reads the still-committed row meanwhile and caches it.
        key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
        store = import_module(django_settings.SESSION_ENGINE).SessionStore
        cache.set(store.cache_key_prefix + key, {"stale": True})
    assert cache.get(store.cache_key_prefix + key) is None
    assert signed_out(browser)


@pytest.mark.django_db
def test_password_change_ends_the_other_cached_sessions(shared_cache, staff):
    other, browser = full_login(staff), full_login(staff)
    response = browser.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Tongzheng#2026",
            "new_password1": "Another#Secret2027",
            "new_password2": "Another#Secret2027",
        },
    )
    assert response.status_code == 302
    assert signed_out(other)
    assert not signed_out(browser)


@pytest.mark.django_db
def test_sign_out_ends_the_cached_session(shared_cache, staff):
    browser = full_login(staff)
    cookie = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    browser.post(reverse("accounts:logout"))
    assert cached_session_keys(staff) == []
    browser.cookies[django_settings.SESSION_COOKIE_NAME] = cookie  # a copied cookie
    assert signed_out(browser)


def fresh(user):
    """The user as the next request loads it (no per-request memo)."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.django_db
def test_scopes_come_from_the_cache_until_roles_change(shared_cache, django_assert_num_queries):
    role = RoleFactory(permissions=[MANAGE_USERS], scope=DataScope.ALL)
    user = UserFactory(roles=[role])
    assert has_permission(fresh(user), MANAGE_USERS)
    again = fresh(user)
    with django_assert_num_queries(0):
        assert has_permission(again, MANAGE_USERS)
    user.roles.set([])
    assert not has_permission(fresh(user), MANAGE_USERS)
    user.roles.set([role])
    assert has_permission(fresh(user), MANAGE_USERS)
    role.permissions = []
    role.save()
    assert not has_permission(fresh(user), MANAGE_USERS)
    role.permissions = [MANAGE_USERS]
    role.save()
    assert access.scope_for(fresh(user), MANAGE_USERS) == DataScope.ALL
    role.delete()
    assert not has_permission(fresh(user), MANAGE_USERS)


@pytest.mark.django_db
def test_assigning_roles_reaches_a_signed_in_user(shared_cache, staff, security_admin):
    role = RoleFactory(permissions=[MANAGE_USERS], scope=DataScope.OWN_ORGANISATION)
    actions.assign_roles(actor=security_admin, user=staff, roles=[role])
    browser = full_login(staff)
    assert browser.get(reverse("accounts:user_list")).status_code == 200
    assert browser.get(reverse("accounts:user_list")).status_code == 200  # from the cache
    actions.assign_roles(actor=security_admin, user=staff, roles=[])
    assert browser.get(reverse("accounts:user_list")).status_code == 403


@pytest.mark.django_db
def test_scopes_stored_under_an_old_version_are_read_again(shared_cache):
    role = RoleFactory(permissions=[MANAGE_USERS], scope=DataScope.ALL)
    user = UserFactory(roles=[role])
    has_permission(fresh(user), MANAGE_USERS)  # stored under the current version
    version = cache.get(access.ACCESS_VERSION)
    # A request that read the roles before a change committed stored them under the
    # version of the change's first bump; the bump on commit retires that entry.
    cache.set(f"tz:access:scopes:{user.pk}", (version, {}))
    access.access_changed()
    assert has_permission(fresh(user), MANAGE_USERS)
    cache.delete(access.ACCESS_VERSION)  # evicted: restarts from the clock, above the old
    assert has_permission(fresh(user), MANAGE_USERS)
    assert cache.get(access.ACCESS_VERSION) > version


@pytest.mark.django_db
def test_without_a_shared_cache_nothing_is_cached(settings, django_assert_num_queries):
    settings.SHARED_CACHE = False
    cache.clear()
    role = RoleFactory(permissions=[MANAGE_USERS], scope=DataScope.ALL)
    user = UserFactory(roles=[role])
    assert has_permission(fresh(user), MANAGE_USERS)
    again = fresh(user)
    with django_assert_num_queries(1):
        assert has_permission(again, MANAGE_USERS)
    assert cache.get(access.ACCESS_VERSION) is None
