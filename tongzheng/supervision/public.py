"""What other modules may call in supervision (电子监察 / 好差评). Nothing else is public.

Writes::

    raise_warning(*, kind, subject, organisation, detail="", at=None, actor=None)
    urge(*, task, level, message="", by=None, organisation=None, recipients=None,
         subject=None, at=None)                  # 催办 / 督办 of a module's timed task
    record_rating(*, subject, organisation, level, indicators, comment, rater, at=None)
    rerate(*, subject, level, indicators, comment, rater, at=None)
    register_warning_kind(code, label)          # from your AppConfig.ready()

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
``TicketUpdate``) writes its copy from the returned ``Urge`` in the same transaction; the
copy is a view and is never written alone. The caller checks its own permission and
records its own audit event (naming ``urge.pk``): ``urge`` only writes and notifies.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.core.notifications import notify
from tongzheng.core.timed import (
    TimedStatus,
    task_division_path,
    task_organisation,
    timed_model_by_label,
)
from tongzheng.supervision.actions import _staff_of, raise_warning, record_rating, rerate
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


def urge(
    *,
    task,
    level: str,
    message: str = "",
    by=None,
    organisation=None,
    recipients=None,
    subject: str | None = None,
    at=None,
) -> Urge:
    """催办 (``UrgeLevel.URGE``) or 督办 (``UrgeLevel.SUPERVISE``) one timed task.

    ``task`` is a saved instance of a registered timed-task model, ``by`` the user who
    presses (None: the system), ``organisation`` the one pressed (default: the task's).
    ``recipients`` (default: the organisation's active staff, at most 50) get ``subject``
    (default "催办：<task>") with ``message`` as the body, in the caller's transaction.
    Any clock status may be urged here; the dashboard's own rule (red or yellow only)
    stays in ``actions.urge_task``. Returns the ``Urge``; ``notified`` counts recipients.
    """
    if level not in UrgeLevel.values:
        raise ValidationError(_("请选择催办或督办。"))
    label = task._meta.label_lower
    if getattr(task, "pk", None) is None or timed_model_by_label(label) is None:
        raise ValidationError(_("未知的任务类型。"))
    organisation = organisation or task_organisation(task)
    if organisation is None:
        raise ValidationError(_("该任务尚未确定承办单位，无法催办。"))
    at = at or timezone.now()
    recipients = list(_staff_of(organisation) if recipients is None else recipients)
    # No savepoint of its own: inside the caller's transaction, it stands or falls with it.
    with transaction.atomic(savepoint=False):
        record = Urge.objects.create(
            level=level,
            task_type=label,
            task_id=str(task.pk),
            task_repr=str(task.timed_title())[:200],
            task_status=str(task.status_at(at)),
            organisation=organisation,
            division_path=task_division_path(task) or organisation.division_path,
            message=(message or "").strip(),
            urged_by=by,
            urged_at=at,
            notified=len(recipients),
        )
        if subject is None:
            subject = _("%(level)s：%(task)s") % {
                "level": record.get_level_display(),
                "task": record.task_repr,
            }
        body = record.message or _("该任务已%(status)s，请抓紧办理。") % {
            "status": TimedStatus(record.task_status).label
        }
        for user in recipients:
            notify(recipient=user, subject=subject, body=body, about=task)
    return record
