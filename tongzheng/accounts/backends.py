"""Password authentication under the login policy.

Lockout counting and the audit of attempts live in ``accounts.actions.log_in``; this
backend refuses inactive and locked accounts and grants no Django permissions at all:
permissions come from roles (``tongzheng.core.access``), never from the superuser flag.
"""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from tongzheng.accounts.models import User
from tongzheng.core.models import Organisation
from tongzheng.core.prepared import PreparedQuery

#: Stands for the user's primary key while the query is compiled (never sent).
_USER_PK = -(2**62) + 2026


@cache
def _columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The user's and the organisation's columns, in field order (as ``from_db`` takes them)."""
    return (
        tuple(f.attname for f in User._meta.concrete_fields),
        tuple(f.attname for f in Organisation._meta.concrete_fields),
    )


def _session_user_query(pk):
    users, organisations = _columns()
    return User._default_manager.filter(pk=pk).values_list(
        *users, *(f"organisation__{name}" for name in organisations)
    )


_SESSION_USER = PreparedQuery(_session_user_query, _USER_PK)


def session_user(pk) -> User | None:
    """The user with its organisation, as ``select_related("organisation")`` would load
    them: one query, compiled once per connection (every signed-in request runs it)."""
    rows = _SESSION_USER.rows(int(pk))
    if not rows:
        return None
    users, organisations = _columns()
    row = rows[0]
    user = User.from_db(DEFAULT_DB_ALIAS, users, row[: len(users)])
    organisation_row = row[len(users) :]
    organisation = (
        None
        if organisation_row[0] is None
        else Organisation.from_db(DEFAULT_DB_ALIAS, organisations, organisation_row)
    )
    User.organisation.field.set_cached_value(user, organisation)
    return user


class PolicyBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if not user.is_active:
            return False
        locked_until = getattr(user, "locked_until", None)
        return locked_until is None or locked_until <= timezone.now()

    def get_user(self, user_id):
        """The session's user on every request, with the organisation in the same query
        (scoped queries and the workbench read it on every staff page)."""
        try:
            user = session_user(user_id)
        except (TypeError, ValueError):  # not a primary key
            return None
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None) -> set:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set:
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return False
