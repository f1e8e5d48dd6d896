from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "tongzheng.hotline"
    label = "hotline"
    verbose_name = _("热线与信箱")

    def ready(self):
        from tongzheng.core.registry import Permission, PortalTile, platform
        from tongzheng.hotline.models import Ticket
        from tongzheng.hotline.views import VIEW_MODULES

        platform.add_permissions(
            Permission("hotline.view_ticket", _("查看热线工单")),
            Permission("hotline.take_call", _("电话受理工单")),
            Permission("hotline.dispatch_ticket", _("派单、合并、审核异议与延期、回访与办结")),
            Permission("hotline.handle_ticket", _("承办热线工单")),
            Permission("hotline.view_reporter", _("查看保密反映人身份")),
            Permission("hotline.manage_hotline", _("管理诉求分类、派单规则、信箱与 Open311 密钥")),
            Permission("hotline.view_statistics", _("查看热线统计")),
        )
        platform.add_timed_task_model(Ticket)
        platform.add_demo_generator(import_module("tongzheng.hotline.demo").generate_tickets)
        platform.add_portal_tiles(
            PortalTile(
                "interaction",
                _("互动交流"),
                _("12345 政务服务便民热线与领导信箱：咨询、投诉、建议、求助。"),
                url_name="hotline:new",
                order=20,
            )
        )
        for name in VIEW_MODULES:
            module = import_module(f"tongzheng.hotline.views.{name}")
            platform.add_navigation(*module.NAVIGATION)
