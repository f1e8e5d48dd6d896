from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "tongzheng.services"
    label = "services"
    verbose_name = _("政务服务")

    def ready(self):
        from tongzheng.core.registry import NavEntry, Permission, PortalTile, platform
        from tongzheng.services.models import Application, ApplicationTask

        platform.add_permissions(
            Permission("services.manage_item", _("管理政务服务事项")),
            Permission("services.view_application", _("查看办件")),
            Permission("services.handle_application", _("受理、审查和决定办件")),
        )
        platform.add_navigation(
            NavEntry(_("政务服务待办"), "services:inbox", "services.view_application", order=60),
            NavEntry(_("事项管理"), "services:item_list", "services.manage_item", order=61),
        )
        # 电子监察 sees the whole limit of each application and each department's task.
        platform.add_timed_task_model(Application)
        platform.add_timed_task_model(ApplicationTask)
        platform.add_demo_generator(import_module("tongzheng.services.demo").generate_applications)
        platform.add_portal_tiles(
            PortalTile(
                "services",
                _("办事服务"),
                _("查询办事指南，在线申请政务服务事项，查看办件进度。"),
                url_name="services:public_guides",
                order=10,
            )
        )
