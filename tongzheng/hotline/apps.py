from importlib import import_module

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reinstall_search_index(using="default", **kwargs):
    # On SQLite, a later migration that remakes hotline_ticket drops the FTS triggers with
    # the old table; putting them back after every migrate costs one cheap check.
    from tongzheng.hotline.search import install_index

    install_index(connections[using])


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
            Permission("hotline.reveal_reporter_phone", _("查看所主办工单反映人的完整号码")),
            Permission("hotline.manage_hotline", _("管理诉求分类、派单规则、信箱与 Open311 密钥")),
            Permission("hotline.view_statistics", _("查看热线统计")),
        )
        platform.add_timed_task_model(Ticket)
        # Every 催办 / 督办 of a ticket, wherever pressed, also shows in its history.
        from tongzheng.hotline.actions.centre import copy_urge_to_history
        from tongzheng.supervision.public import copy_urges_of

        copy_urges_of(Ticket, copy_urge_to_history)
        platform.add_demo_generator(import_module("tongzheng.hotline.demo").generate_tickets)
        platform.add_portal_tiles(
            PortalTile(
                "interaction",
                _("互动交流"),
                _("12345 政务服务便民热线与领导信箱：咨询、投诉、建议、求助。"),
                url_name="hotline:new",
                order=20,
            ),
            PortalTile(
                "mailbox",
                _("领导信箱"),
                _("给领导写信：咨询、投诉、建议、求助，答复后可公开。"),
                url_name="hotline:mailbox_list",
                order=21,
            ),
            PortalTile(
                "letters",
                _("信件公开"),
                _("已答复并公开的群众来信及办理结果。"),
                url_name="hotline:letters",
                order=22,
            ),
        )
        post_migrate.connect(_reinstall_search_index, sender=self, weak=False)
        for name in VIEW_MODULES:
            module = import_module(f"tongzheng.hotline.views.{name}")
            platform.add_navigation(*module.NAVIGATION)
