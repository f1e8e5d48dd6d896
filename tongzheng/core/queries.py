"""Reads of the core app, always for a caller."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from tongzheng.core import calendar
from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.actions import MANAGE_CALENDAR, MANAGE_ORGANISATION, VIEW_ORGANISATION
from tongzheng.core.models import CalendarOverride, Division, Organisation


@dataclass(frozen=True)
class CalendarYear:
    year: int
    package_knows: bool
    overrides: list
    package_exceptions: list
    working_day_count: int


def calendar_year(user, year: int) -> CalendarYear:
    """The calendar page's data: overrides and the package's holidays for one year."""
    require_permission(user, MANAGE_CALENDAR)
    overrides = list(CalendarOverride.objects.filter(date__year=year).select_related("created_by"))
    return CalendarYear(
        year=year,
        package_knows=calendar.package_knows(year),
        overrides=overrides,
        package_exceptions=calendar.package_exceptions(year),
        working_day_count=len(calendar.working_days_of_year(year)),
    )


def calendar_override(user, pk: int) -> CalendarOverride:
    require_permission(user, MANAGE_CALENDAR)
    return get_object_or_404(CalendarOverride, pk=pk)


# --- Organisations (机构) ---------------------------------------------------------------


def can_view_organisations(user) -> bool:
    return has_permission(user, VIEW_ORGANISATION) or has_permission(user, MANAGE_ORGANISATION)


def visible_organisations(user):
    """Organisations ``user`` may see: in the scope of viewing them, or of managing them."""
    if not can_view_organisations(user):
        raise PermissionDenied(_("您没有查看机构的权限。"))
    return (
        Organisation.objects.for_user(user, VIEW_ORGANISATION)
        | Organisation.objects.for_user(user, MANAGE_ORGANISATION)
    ).select_related("division", "parent")


def organisation_list(user, *, division_code: str = "", kind: str = "", q: str = ""):
    """机构列表: the caller's organisations in tree order, optionally under one division."""
    organisations = visible_organisations(user)
    if division_code:
        division = Division.objects.filter(code=division_code).first()
        if division is None:
            return organisations.none()
        organisations = organisations.filter(division_path__startswith=division.path)
    if kind:
        organisations = organisations.filter(kind=kind)
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    return organisations.order_by("path")


def organisation_detail(user, pk: int) -> Organisation:
    """One organisation in the caller's scope, or 404."""
    return get_object_or_404(visible_organisations(user), pk=pk)


def manageable_organisation(user, pk: int) -> Organisation:
    """One organisation the caller may edit, or 404 (403 without the permission at all)."""
    require_permission(user, MANAGE_ORGANISATION)
    return get_object_or_404(
        Organisation.objects.for_user(user, MANAGE_ORGANISATION).select_related("division"),
        pk=pk,
    )


def can_manage_organisation(user, organisation: Organisation) -> bool:
    managed = Organisation.objects.for_user(user, MANAGE_ORGANISATION)
    return managed.filter(pk=organisation.pk).exists()


def organisation_children(user, organisation: Organisation):
    """Internal departments and subordinate units the caller may see."""
    return visible_organisations(user).filter(parent=organisation).order_by("path")


def organisation_users(user, organisation: Organisation):
    """Active staff accounts of an organisation the caller may see (names only are shown)."""
    organisation_detail(user, organisation.pk)
    return organisation.users.filter(is_active=True, kind="staff").order_by("full_name", "pk")


def division_children(parent_code: str = ""):
    """Divisions directly under ``parent_code``; the provinces when it is empty. 404 if unknown."""
    if not parent_code:
        return Division.objects.filter(parent__isnull=True)
    parent = get_object_or_404(Division, code=parent_code)
    return Division.objects.filter(parent=parent)


def division_by_code(code: str) -> Division:
    return get_object_or_404(Division.objects.select_related("parent"), code=code)
