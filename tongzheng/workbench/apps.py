from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "tongzheng.workbench"
    label = "workbench"
    verbose_name = _("工作台")

    def ready(self):
        from tongzheng.core.registry import NavEntry, platform

        platform.add_navigation(NavEntry(_("工作台"), "workbench:home", None, order=0))
