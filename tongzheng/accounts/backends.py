"""Password authentication under the login policy.

Lockout counting and the audit of attempts live in ``accounts.actions.log_in``; this
backend refuses inactive and locked accounts and grants no Django permissions at all:
permissions come from roles (``tongzheng.core.access``), never from the superuser flag.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone


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
            user = get_user_model()._default_manager.select_related("organisation").get(pk=user_id)
        except ObjectDoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

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
