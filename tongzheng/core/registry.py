"""What each app offers the platform, registered from its AppConfig.ready().

The platform reads these registries and never names a module: the workbench builds
its navigation and inbox from them, supervision reads every timed-task model, and the
role editor lists every permission.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class Permission:
    code: str  # "<app>.<verb>_<noun>", e.g. "audit.view_event"
    label: str | Promise


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    permission: str | None  # None: every signed-in staff user
    order: int = 100


@dataclass(frozen=True)
class PortalTile:
    """An entry on the public portal's home page (门户首页), offered by a module."""

    key: str
    title: str | Promise
    description: str | Promise
    url_name: str
    order: int = 100


@dataclass
class Registry:
    permissions: dict[str, Permission] = field(default_factory=dict)
    navigation: list[NavEntry] = field(default_factory=list)
    timed_task_models: list[type] = field(default_factory=list)
    portal_tiles: list[PortalTile] = field(default_factory=list)
    # Called by ``tongzheng demo`` after the demo government and its users exist, inside
    # the same transaction: ``generator(builder, options)`` (see core.demo.generator).
    demo_generators: list = field(default_factory=list)

    def add_permissions(self, *permissions: Permission) -> None:
        for permission in permissions:
            self.permissions[permission.code] = permission

    def add_navigation(self, *entries: NavEntry) -> None:
        self.navigation.extend(e for e in entries if e not in self.navigation)
        self.navigation.sort(key=lambda e: e.order)

    def add_timed_task_model(self, model: type) -> None:
        if model not in self.timed_task_models:
            self.timed_task_models.append(model)

    def add_demo_generator(self, generator) -> None:
        """Let ``tongzheng demo`` fill a module's tables too (e.g. the hotline's tickets)."""
        if generator not in self.demo_generators:
            self.demo_generators.append(generator)

    def add_portal_tiles(self, *tiles: PortalTile) -> None:
        self.portal_tiles.extend(t for t in tiles if t not in self.portal_tiles)
        self.portal_tiles.sort(key=lambda t: t.order)


platform = Registry()
