"""What other modules may call in supervision (电子监察 / 好差评). Nothing else is public.

Writes::

    raise_warning(*, kind, subject, organisation, detail="", at=None, actor=None)
    record_rating(*, subject, organisation, level, indicators, comment, rater, at=None)
    rerate(*, subject, level, indicators, comment, rater, at=None)
    register_warning_kind(code, label)          # from your AppConfig.ready()

Reads::

    warning_kinds()  rating_levels()  rating_indicators()
    warnings_for(subject)  ratings_for(subject)  rating_state(subject)

``subject`` is any saved model instance (an application, a ticket …). Supervision keeps
its model label, primary key, display text (``timed_title()`` for a timed task, else
``str()``) and division path; it never holds a foreign key into your app.
``organisation`` is the responsible ``core.Organisation`` (the department rated, or the
one that broke the rule). ``level`` is 1–5 (``RatingLevel``: 5 非常满意 … 1 非常不满意);
``indicators`` maps indicator keys (``rating_indicators()``) to 1–5.

Errors are ``ValidationError`` with a Chinese message; nothing is written then.
The caller checks that ``rater`` is the person served (supervision cannot know).
"""

from dataclasses import dataclass

from tongzheng.supervision.actions import raise_warning, record_rating, rerate
from tongzheng.supervision.kinds import (
    INDICATORS,
    WarningKind,
    register_warning_kind,
    warning_kinds,
)
from tongzheng.supervision.models import (
    BAD_LEVELS,
    Rating,
    RatingLevel,
    RectificationStatus,
    SystemWarning,
)

__all__ = [
    "BAD_LEVELS",
    "RatingLevel",
    "RatingState",
    "WarningKind",
    "raise_warning",
    "rating_indicators",
    "rating_levels",
    "rating_state",
    "ratings_for",
    "record_rating",
    "register_warning_kind",
    "rerate",
    "warning_kinds",
    "warnings_for",
]


def _key(subject) -> dict:
    return {"subject_type": subject._meta.label_lower, "subject_id": str(subject.pk)}


def rating_levels() -> list[tuple[int, str]]:
    """(level, label) from 非常满意 (5) down to 非常不满意 (1)."""
    return [(value, str(label)) for value, label in RatingLevel.choices]


def rating_indicators() -> list[tuple[str, str]]:
    """(key, label) of the online evaluation indicators."""
    return [(indicator.key, str(indicator.label)) for indicator in INDICATORS]


def warnings_for(subject):
    """The warnings raised about ``subject``, newest first (not scoped: for the owning module)."""
    return SystemWarning.objects.filter(**_key(subject)).order_by("-raised_at", "-id")


def ratings_for(subject):
    """The ratings of ``subject``: the first one, then its re-rating if any."""
    return Rating.objects.filter(**_key(subject)).order_by("rated_at", "id")


@dataclass(frozen=True)
class RatingState:
    """Where the rating of one subject stands, for the module's public page."""

    rated: bool  # a first rating exists
    level: int | None  # the latest level (the re-rating's if any)
    rectification_status: str | None  # RectificationStatus value, None without a bad rating
    can_rate: bool  # no rating yet
    can_rerate: bool  # the department answered the bad rating; the rater may re-rate


def rating_state(subject) -> RatingState:
    ratings = list(ratings_for(subject).select_related("rectification"))
    if not ratings:
        return RatingState(False, None, None, True, False)
    first = next((r for r in ratings if r.rerating_of_id is None), ratings[0])
    rectification = getattr(first, "rectification", None)
    status = rectification.status if rectification else None
    return RatingState(
        rated=True,
        level=ratings[-1].level,
        rectification_status=status,
        can_rate=False,
        can_rerate=status == RectificationStatus.ANSWERED,
    )
