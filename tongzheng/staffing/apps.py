from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "tongzheng.staffing"
    label = "staffing"
    verbose_name = _("机构编制")

    def ready(self):
        from tongzheng.core.registry import Permission, platform

        platform.add_permissions(
            Permission("staffing.view_person", _("查看实名人员")),
            Permission("staffing.change_person", _("维护实名人员")),
            Permission("staffing.view_quota", _("查看编制台账")),
            Permission("staffing.change_quota", _("维护编制台账")),
        )
