"""Public portal (政务服务门户) views: no login required."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tongzheng.core.registry import platform
from tongzheng.portal.templatetags.portal import optional_url


@dataclass(frozen=True)
class Tile:
    """An entry on the portal home; without ``url_name`` it is shown as coming soon."""

    key: str
    title: str | Promise
    description: str | Promise
    url_name: str | None = None

    @property
    def url(self) -> str | None:
        return optional_url(self.url_name) if self.url_name else None


# The sections every portal has; a module replaces one by registering a tile with the
# same key (``platform.add_portal_tiles`` in its AppConfig.ready()).
PLACEHOLDERS = (
    Tile("services", _("办事服务"), _("查询办事指南，在线申请政务服务事项，查看办件进度。")),
    Tile(
        "interaction",
        _("互动交流"),
        _("12345 政务服务便民热线与领导信箱：咨询、投诉、建议、求助。"),
    ),
    Tile("disclosure", _("信息公开"), _("政府信息主动公开与依申请公开。")),
)


def portal_tiles() -> list[Tile]:
    """The placeholders, each replaced by a module's tile of the same key, then the rest."""
    offered = {
        t.key: Tile(t.key, t.title, t.description, t.url_name) for t in platform.portal_tiles
    }
    tiles = [offered.pop(placeholder.key, placeholder) for placeholder in PLACEHOLDERS]
    return tiles + list(offered.values())


@login_not_required
def home(request):
    """门户首页."""
    return render(request, "portal/home.html", {"tiles": portal_tiles()})


@login_not_required
def about(request):
    """关于平台."""
    return render(request, "portal/about.html")
