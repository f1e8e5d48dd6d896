from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "tongzheng.staffing"
    label = "staffing"
    verbose_name = _("机构编制")

    def ready(self):
        from tongzheng.core.registry import NavEntry, Permission, PortalTile, platform

        platform.add_permissions(
            Permission("staffing.view_person", _("查看实名人员")),
            Permission("staffing.change_person", _("维护实名人员")),
            Permission("staffing.view_quota", _("查看编制台账")),
            Permission("staffing.change_quota", _("维护编制台账")),
            Permission("staffing.manage_quota", _("登记编制和领导职数台账")),
            Permission("staffing.manage_unit", _("维护单位三定信息")),
            Permission("staffing.edit_personnel", _("修改实名人员一般信息")),
            Permission("staffing.manage_personnel_locked", _("办理人员变动、修改锁定信息（编办）")),
            Permission("staffing.apply_quota_use", _("申请用编")),
            Permission("staffing.review_quota_use", _("审核用编申请")),
        )
        platform.add_portal_tiles(
            PortalTile(
                "staffing",
                _("实名制公示"),
                _("机关和事业单位的机构、编制与实有人员信息公示。"),
                url_name="staffing_disclosure:public_list",
                order=40,
            )
        )
        platform.add_navigation(
            NavEntry(_("编制台账"), "staffing:unit_list", "staffing.view_quota", order=40),
            NavEntry(_("实名人员"), "staffing:person_list", "staffing.view_person", order=41),
            NavEntry(_("用编审批"), "staffing:application_list", "staffing.view_quota", order=42),
        )
        from tongzheng.staffing.models import QuotaUseApplication

        platform.add_timed_task_model(QuotaUseApplication)
        from tongzheng.staffing.registrations import register  # statistics, disclosure

        register()
        # Excel import and export (engineer C).
        platform.add_permissions(
            Permission("staffing.import_personnel", _("导入单位和实名人员（Excel）")),
        )
        platform.add_navigation(
            NavEntry(
                _("导入导出"), "staffing_import:upload", "staffing.import_personnel", order=45
            ),
        )
        # Seeded after every migrate and every test-database flush, like the built-in roles.
        from tongzheng.staffing.seeds import ensure_establishment_types

        post_migrate.connect(ensure_establishment_types, sender=self)
