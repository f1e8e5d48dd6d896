"""Permissions and navigation of the statistics, supervision and disclosure pages.

Called from ``StaffingConfig.ready()``; kept apart so that the owners of those pages
register them without editing each other's lines.
"""

from django.utils.translation import gettext_lazy as _

from tongzheng.core.registry import NavEntry, Permission, platform

VIEW_STATISTICS = "staffing.view_statistics"
VIEW_SUPERVISION = "staffing.view_supervision"
SUBMIT_DISCLOSURE = "staffing.submit_disclosure"
REVIEW_DISCLOSURE = "staffing.review_disclosure"


def register() -> None:
    platform.add_permissions(
        Permission(VIEW_STATISTICS, _("查看编制统计")),
        Permission(VIEW_SUPERVISION, _("查看下级编制监督信息")),
        Permission(SUBMIT_DISCLOSURE, _("提交实名制公示")),
        Permission(REVIEW_DISCLOSURE, _("审核发布实名制公示")),
    )
    platform.add_navigation(
        NavEntry(_("编制统计"), "staffing_statistics:index", VIEW_STATISTICS, order=43),
        NavEntry(_("上级监督"), "staffing_statistics:supervision", VIEW_SUPERVISION, order=44),
        NavEntry(_("实名制公示"), "staffing_disclosure:list", SUBMIT_DISCLOSURE, order=46),
    )
