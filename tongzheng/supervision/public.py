"""What other modules may call in supervision (电子监察 / 好差评). Nothing else is public.

Writes::

    raise_warning(*, kind, subject, organisation, detail="", at=None, actor=None)
    urge(*, task, level, message="", by=None, organisation=None, recipients=None,
         subject=None, at=None)                  # 催办 / 督办 of a module's timed task
    record_rating(*, subject, organisation, level, indicators, comment, rater, at=None)
    rerate(*, subject, level, indicators, comment, rater, at=None)
    register_warning_kind(code, label)          # from your AppConfig.ready()
    copy_urges_of(model, copy)                  # from your AppConfig.ready()

Reads::

    warning_kinds()  rating_levels()  rating_indicators()
    warnings_for(subject)  ratings_for(subject)  rating_state(subject)  urges_for(task)
    subjects_warned(kind, model, pks)

``subject`` is any saved model instance (an application, a ticket …). Supervision keeps
its model label, primary key, display text (``timed_title()`` for a timed task, else
``str()``) and division path; it never holds a foreign key into your app.
``organisation`` is the responsible ``core.Organisation`` (the department rated, or the
one that broke the rule). ``level`` is 1–5 (``RatingLevel``: 5 非常满意 … 1 非常不满意);
``indicators`` maps indicator keys (``rating_indicators()``) to 1–5.

Errors are ``ValidationError`` with a Chinese message; nothing is written then.
The caller checks that ``rater`` is the person served (supervision cannot know).

催办 / 督办 (``urge``): the supervision ``Urge`` row is the one record of truth of every
urge, whoever presses (the dashboard's supervisors, a module's own staff, a module's
automatic 催办). A module that shows urges in its own history (the hotline's
``TicketUpdate``) registers ``copy_urges_of(model, copy)`` in its ``AppConfig.ready()``:
``copy(urge, task)`` then runs in the same transaction for every urge of that model's
tasks, from whichever page or command, and its result is ``urge.task_copy``. The copy is
a view and is never written alone. The caller checks its own permission and
records its own audit event (naming ``urge.pk``): ``urge`` only writes and notifies.
"""

from dataclasses import dataclass

from tongzheng.supervision.actions import (
    copy_urges_of,
    raise_warning,
    record_rating,
    rerate,
    urge,
)
from tongzheng.supervision.kinds import (
    DISPATCH_OVERDUE,
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
    Urge,
    UrgeLevel,
)

__all__ = [
    "BAD_LEVELS",
    "copy_urges_of",
    "DISPATCH_OVERDUE",
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
    "subjects_warned",
    "Urge",
    "UrgeLevel",
    "urge",
    "urges_for",
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


def subjects_warned(kind: str, model, pks) -> set[str]:
    """The primary keys (as strings) among ``pks`` of ``model`` with a warning of ``kind``.

    One query for a whole batch, so a periodic job raises each warning once.
    """
    return set(
        SystemWarning.objects.filter(
            kind=kind,
            subject_type=model._meta.label_lower,
            subject_id__in=[str(pk) for pk in pks],
        ).values_list("subject_id", flat=True)
    )


# --- 催办 / 督办 ---------------------------------------------------------------------------


def urges_for(task):
    """The urges of ``task``, newest first (not scoped: for the owning module)."""
    return Urge.objects.filter(task_type=task._meta.label_lower, task_id=str(task.pk))
