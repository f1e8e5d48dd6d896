"""上级监督 — read-only lists of what a superior office watches in its scope.

- units over quota (超编单位): any establishment type with occupied > approved, from the
  trigger-maintained ``UnitFigures`` (one indexed query);
- expired quota-use notices (过期控编通知单) with unused slots;
- personnel changes not entered within 10 working days (人员变动逾期录入): the movement's
  date vs the day it was entered, on the working-day calendar.

Everything is scoped with ``staffing.view_supervision`` (a city user sees its city's
subtree); nothing here writes.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.core import calendar
from tongzheng.core.access import has_permission
from tongzheng.core.models import Organisation
from tongzheng.staffing.models import EstablishmentType, Movement, QuotaUseNotice, UnitFigures
from tongzheng.staffing.registrations import VIEW_SUPERVISION

ENTRY_LIMIT_WORKING_DAYS = 10
LIST_LIMIT = 200


def _require(user) -> None:
    if not has_permission(user, VIEW_SUPERVISION):
        raise PermissionDenied(_("您没有查看编制监督信息的权限。"))


def _organisations(user):
    return Organisation.objects.for_user(user, VIEW_SUPERVISION)


@dataclass(frozen=True)
class OverQuota:
    organisation: Organisation
    type_name: str
    approved: int
    occupied: int

    @property
    def excess(self) -> int:
        return self.occupied - self.approved


def over_quota_units(user, limit: int = LIST_LIMIT) -> list[OverQuota]:
    """(unit, type, approved, occupied) for every unit over its quota of a type."""
    _require(user)
    rows = list(
        UnitFigures.objects.filter(
            occupied__gt=F("approved"),
            dimension__startswith="t",
            organisation_id__in=_organisations(user).values("pk"),
        )
        .order_by("division_path", "organisation_id", "dimension")
        .values_list("organisation_id", "dimension", "approved", "occupied")[:limit]
    )
    units = Organisation.objects.in_bulk({row[0] for row in rows})
    types = {f"t{t.pk}": t.name for t in EstablishmentType.objects.all()}
    return [
        OverQuota(units[org_id], types.get(dimension, dimension), approved, occupied)
        for org_id, dimension, approved, occupied in rows
        if org_id in units
    ]


def expired_notices(user, limit: int = LIST_LIMIT):
    """控编通知单 past their validity with slots still unused."""
    _require(user)
    today = timezone.localdate()
    return (
        QuotaUseNotice.objects.for_user(user, VIEW_SUPERVISION)
        .filter(valid_until__lt=today, slots_used__lt=F("slots"))
        .select_related("organisation", "establishment_type")
        .order_by("valid_until", "id")[:limit]
    )


@dataclass(frozen=True)
class LateEntry:
    movement: Movement
    entered_on: datetime.date
    deadline: datetime.date  # the 10th working day after the movement took effect


def late_entries(user, limit: int = LIST_LIMIT) -> list[LateEntry]:
    """Movements entered more than 10 working days after they took effect.

    SQL narrows to movements entered more than 10 calendar days late (a necessary
    condition); the working-day calendar decides among those.
    """
    _require(user)
    candidates = (
        Movement.objects.for_user(user, VIEW_SUPERVISION)
        .select_related("organisation", "person")
        .filter(created_at__gt=F("date") + datetime.timedelta(days=ENTRY_LIMIT_WORKING_DAYS))
        .order_by("-date", "-id")[: limit * 5]
    )
    late = []
    for movement in candidates:
        entered = timezone.localdate(movement.created_at)
        deadline = calendar.add_working_days(movement.date, ENTRY_LIMIT_WORKING_DAYS)
        if entered > deadline:
            late.append(LateEntry(movement, entered, deadline))
        if len(late) >= limit:
            break
    return late
