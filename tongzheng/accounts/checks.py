"""System checks of the accounts app.

accounts.E001: in production mode no active superuser may exist. The superuser flag
grants nothing in Tongzheng (permissions come from roles), but an account that looks
all-powerful is a trap for the next integration, and 三员分立 forbids it.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError
from django.utils.translation import gettext as _


@register()
def no_superuser_in_production(app_configs=None, databases=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    from tongzheng.accounts.models import User

    errors = []
    for alias in databases or ["default"]:
        try:
            names = list(
                User.objects.using(alias)
                .filter(is_superuser=True, is_active=True)
                .values_list("username", flat=True)[:5]
            )
        except DatabaseError:  # not migrated yet: nothing to check
            continue
        if names:
            errors.append(
                Error(
                    _("生产模式下存在有效的超级用户账户：%(names)s") % {"names": ", ".join(names)},
                    hint=_("请停用这些账户或取消其超级用户标记；三员角色取代超级用户。"),
                    obj=User,
                    id="accounts.E001",
                )
            )
    return errors
