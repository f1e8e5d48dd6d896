from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _

from tongzheng.core.registry import NavEntry

NAVIGATION = (
    NavEntry(_("电子监察"), "supervision:dashboard", "supervision.view_dashboard", order=60),
    NavEntry(
        _("差评整改"), "supervision:rectification_list", "supervision.rectify_rating", order=61
    ),
    NavEntry(_("申诉审核"), "supervision:appeal_list", "supervision.review_rating", order=62),
    NavEntry(_("绩效考核"), "supervision:performance", "supervision.view_performance", order=63),
)


def _drop_counters(using="default", **kwargs):
    from tongzheng.supervision import open_counts

    open_counts.drop(connections[using])


def _install_counters(using="default", **kwargs):
    from tongzheng.supervision import open_counts

    open_counts.install(connections[using])


class SupervisionConfig(AppConfig):
    name = "tongzheng.supervision"
    label = "supervision"
    verbose_name = _("电子监察")

    def ready(self):
        from tongzheng.core.registry import Permission, PortalTile, platform

        platform.add_permissions(
            Permission("supervision.view_dashboard", _("查看电子监察")),
            Permission("supervision.urge_task", _("催办、督办")),
            Permission("supervision.review_rating", _("审核差评整改与申诉")),
            Permission("supervision.view_performance", _("查看绩效考核")),
            Permission("supervision.rectify_rating", _("整改差评、提出申诉")),
        )
        from tongzheng.supervision.models import Rectification

        # 差评整改 is itself a timed task: the dashboard and the inbox read it like any other.
        platform.add_timed_task_model(Rectification)
        platform.add_navigation(*NAVIGATION)
        # The open-task counters' triggers: dropped while migrations change tables,
        # recreated with a full recount afterwards (open_counts.py).
        pre_migrate.connect(_drop_counters, sender=self, dispatch_uid="supervision_otc_drop")
        post_migrate.connect(_install_counters, sender=self, dispatch_uid="supervision_otc_in")
        platform.add_portal_tiles(
            PortalTile(
                "ratings",
                _("好差评"),
                _("各部门政务服务评价汇总：满意率与差评整改。"),
                url_name="supervision:public_ratings",
                order=60,
            )
        )
