from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tongzheng.core"
    label = "core"
    verbose_name = _("平台基础")

    def ready(self):
        from tongzheng.core import calendar, checks, csrf  # noqa: F401 - registers the checks

        csrf.install()  # the CSRF mask from one random read (see core/csrf.py)
        from tongzheng.core.models import CalendarOverride
        from tongzheng.core.registry import NavEntry, Permission, platform

        platform.add_permissions(
            Permission("core.manage_calendar", _("维护工作日历")),
            Permission("core.reveal_personal_data", _("查看完整个人信息")),
        )
        platform.add_navigation(
            NavEntry(_("工作日历"), "core:calendar", "core.manage_calendar", order=900),
        )

        def overrides_changed(**kwargs):
            calendar.overrides_changed()

        post_save.connect(overrides_changed, sender=CalendarOverride, weak=False)
        post_delete.connect(overrides_changed, sender=CalendarOverride, weak=False)

        from tongzheng.core.permissions import register_organisations

        register_organisations()
