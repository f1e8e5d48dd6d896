from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tongzheng.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self):
        from tongzheng.core.registry import NavEntry, Permission, platform

        platform.add_permissions(Permission("audit.view_event", _("查看审计日志（审计管理员）")))
        platform.add_navigation(
            NavEntry(_("审计日志"), "audit:event_list", "audit.view_event", order=900)
        )
