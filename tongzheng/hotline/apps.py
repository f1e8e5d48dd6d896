from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "tongzheng.hotline"
    label = "hotline"
    verbose_name = _("热线与信箱")

    def ready(self):
        from tongzheng.core.registry import Permission, platform

        platform.add_permissions(
            Permission("hotline.view_ticket", _("查看热线工单")),
        )
