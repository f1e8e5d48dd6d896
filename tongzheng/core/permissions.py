"""Permissions and navigation of the organisation pages (机构管理), registered from ready()."""

from django.utils.translation import gettext_lazy as _

from tongzheng.core.registry import NavEntry, Permission, platform


def register_organisations() -> None:
    platform.add_permissions(
        Permission("core.view_organisation", _("查看机构")),
        Permission("core.manage_organisation", _("维护机构")),
    )
    platform.add_navigation(
        NavEntry(_("机构"), "organisations:list", "core.view_organisation", order=800),
    )
