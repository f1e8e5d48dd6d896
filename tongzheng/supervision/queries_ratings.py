"""Reads of 好差评: the rectification worklist, appeals to review, the public aggregate.

A department sees its own rectifications with ``supervision.rectify_rating``; a
supervisor sees those of the division with ``supervision.review_rating`` (or the
dashboard permission). Another organisation's rectification is a 404.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.core.access import has_permission
from tongzheng.supervision.models import (
    BAD_LEVELS,
    Appeal,
    AppealDecision,
    Rating,
    RatingLevel,
    Rectification,
)

RECTIFY_RATING = "supervision.rectify_rating"
REVIEW_RATING = "supervision.review_rating"
VIEW_DASHBOARD = "supervision.view_dashboard"
READ_PERMISSIONS = (RECTIFY_RATING, REVIEW_RATING, VIEW_DASHBOARD)


def _read_permissions(user) -> list[str]:
    held = [code for code in READ_PERMISSIONS if has_permission(user, code)]
    if not held:
        raise PermissionDenied(_("您没有查看差评整改的权限。"))
    return held


def rectifications(user, *, status: str = ""):
    """Every rectification the user may read (the union of the scopes of each permission)."""
    held = _read_permissions(user)
    queryset = Rectification.objects.for_user(user, held[0])
    for code in held[1:]:
        queryset = queryset | Rectification.objects.for_user(user, code)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("rating", "organisation").order_by("due_at", "pk")


def rectification_for(user, pk) -> Rectification:
    """One rectification in the user's scope, or 404."""
    held = _read_permissions(user)
    for code in held:
        found = Rectification.objects.for_user(user, code).filter(pk=pk).first()
        if found is not None:
            return found
    return Rectification.objects.get_for_user(user, held[0], pk=pk)  # raises 404


def pending_appeals(user):
    if not has_permission(user, REVIEW_RATING):
        raise PermissionDenied(_("您没有审核申诉的权限。"))
    return (
        Appeal.objects.for_user(user, REVIEW_RATING)
        .filter(decision=AppealDecision.PENDING)
        .select_related("rectification__rating", "rectification__organisation")
        .order_by("filed_at", "pk")
    )


def public_ratings(*, year: int):
    """Ratings of one calendar year in aggregate per department, by name.

    Counts first ratings and re-ratings alike, leaving out ratings whose appeal was
    upheld; no rater, comment or subject is published.
    """
    start = timezone.make_aware(
        datetime.datetime.combine(datetime.date(year, 1, 1), datetime.time.min)
    )
    end = timezone.make_aware(
        datetime.datetime.combine(datetime.date(year + 1, 1, 1), datetime.time.min)
    )
    levels = {f"level_{value}": Count("pk", filter=Q(level=value)) for value in RatingLevel.values}
    rows = (
        Rating.objects.filter(
            rated_at__gte=start, rated_at__lt=end, excluded=False, organisation__isnull=False
        )
        .order_by()
        .values("organisation_id", "organisation__name")
        .annotate(total=Count("pk"), bad=Count("pk", filter=Q(level__in=BAD_LEVELS)), **levels)
        .order_by("organisation__name")
    )
    result = []
    for row in rows:
        good = row["level_5"] + row["level_4"] + row["level_3"]
        result.append(
            {
                "name": row["organisation__name"],
                "total": row["total"],
                "levels": [row[f"level_{value}"] for value in (5, 4, 3, 2, 1)],
                "bad": row["bad"],
                "satisfaction": round(100 * good / row["total"], 1) if row["total"] else None,
            }
        )
    return result
