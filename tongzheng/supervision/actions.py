"""Every write of supervision: warnings, ratings, rectification, appeals, urges.

Each action is one transaction with its permission (or ownership) check, its state rule
and one audit record. A refused action raises ``ValidationError`` (a Chinese message),
``PermissionDenied`` or ``Http404`` and writes nothing.

Two writes come from the system or the public rather than from a supervisor:

- ``raise_warning`` is called by a module when one of its rules is broken; the actor is
  the module's acting user when there is one, else the system.
- ``record_rating`` / ``rerate`` are called by a module's public side for the person
  who was served; that module has already checked that the rater owns the subject.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.notifications import notify
from tongzheng.core.timed import (
    TimedStatus,
    task_division_path,
    task_organisation,
    timed_model_by_label,
)
from tongzheng.supervision.kinds import INDICATOR_KEYS, warning_kind
from tongzheng.supervision.models import (
    Appeal,
    AppealDecision,
    Rating,
    RatingLevel,
    Rectification,
    RectificationStatus,
    SystemWarning,
    Urge,
    UrgeLevel,
)

VIEW_DASHBOARD = "supervision.view_dashboard"
URGE_TASK = "supervision.urge_task"
REVIEW_RATING = "supervision.review_rating"
VIEW_PERFORMANCE = "supervision.view_performance"
RECTIFY_RATING = "supervision.rectify_rating"

#: Recipients of one urge at most (the organisation's active staff).
URGE_RECIPIENT_LIMIT = 50


def rectification_limit() -> int:
    """Working days a department has to rectify a bad rating (default 15)."""
    return int(
        getattr(
            settings,
            "SUPERVISION_RECTIFICATION_LIMIT_WORKING_DAYS",
            Rectification.DEFAULT_LIMIT_WORKING_DAYS,
        )
    )


# --- helpers ---------------------------------------------------------------------------


def describe_subject(subject, organisation=None) -> dict:
    """The stored description of any model instance: type label, pk, text, division path."""
    if subject is None or getattr(subject, "pk", None) is None:
        raise ValidationError(_("评价或预警的对象必须是已保存的记录。"))
    model = type(subject)
    if timed_model_by_label(model._meta.label_lower) is not None:
        division_path = task_division_path(subject)
        title = subject.timed_title()
    else:
        division_path = getattr(subject, "division_path", "") or ""
        title = str(subject)
    if not division_path and organisation is not None:
        division_path = organisation.division_path
    return {
        "subject_type": model._meta.label_lower,
        "subject_id": str(subject.pk),
        "subject_repr": str(title)[:200],
        "division_path": division_path,
    }


def _staff_of(organisation, permission: str | None = None, limit: int = URGE_RECIPIENT_LIMIT):
    """Active staff users of ``organisation`` (holding ``permission`` when given)."""
    users = (
        get_user_model()
        .objects.filter(organisation=organisation, is_active=True, kind="staff")
        .prefetch_related("roles")
        .order_by("pk")
    )
    chosen = []
    for user in users:
        if permission is None or has_permission(user, permission):
            chosen.append(user)
        if len(chosen) >= limit:
            break
    return chosen


def _clean_indicators(indicators) -> dict:
    indicators = dict(indicators or {})
    unknown = set(indicators) - INDICATOR_KEYS
    if unknown:
        raise ValidationError(
            _("未知的评价指标：%(keys)s。") % {"keys": "、".join(sorted(unknown))}
        )
    cleaned = {}
    for key, value in indicators.items():
        if value in (None, ""):
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = 0
        if value not in RatingLevel.values:
            raise ValidationError(_("评价指标的分值必须是 1 至 5。"))
        cleaned[key] = value
    return cleaned


def _level(level) -> int:
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in RatingLevel.values:
        raise ValidationError(_("评价等级必须是非常满意、满意、基本满意、不满意或非常不满意之一。"))
    return level


# --- 预警 ---------------------------------------------------------------------------------


def raise_warning(
    *, kind: str, subject, organisation, detail: str = "", at=None, actor=None
) -> SystemWarning:
    """Record one 预警 of a registered ``kind`` about ``subject`` (any saved model instance)."""
    if warning_kind(kind) is None:
        raise ValidationError(_("未登记的预警类型：%(kind)s。") % {"kind": kind})
    with transaction.atomic():
        warning = SystemWarning.objects.create(
            kind=kind,
            organisation=organisation,
            detail=detail,
            raised_at=at or timezone.now(),
            **describe_subject(subject, organisation),
        )
        record_event(
            actor=actor,
            actor_name="" if actor is not None else "system",
            action="supervision.raise_warning",
            target=warning,
            detail={"kind": kind, "subject": f"{warning.subject_type}:{warning.subject_id}"},
        )
    return warning


# --- 好差评 -------------------------------------------------------------------------------


def record_rating(
    *, subject, organisation, level, indicators: dict, comment: str = "", rater, at=None
) -> Rating:
    """好差评: one first rating of ``subject``; a bad one opens a ``Rectification``."""
    if organisation is None:
        raise ValidationError(_("评价必须指明被评价的部门。"))
    level = _level(level)
    indicators = _clean_indicators(indicators)
    at = at or timezone.now()
    described = describe_subject(subject, organisation)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                organisation=organisation,
                level=level,
                indicators=indicators,
                comment=comment.strip(),
                rater=rater if getattr(rater, "pk", None) else None,
                rated_at=at,
                **described,
            )
            rectification = None
            if rating.is_bad:
                rectification = _open_rectification(rating, at)
            record_event(
                actor=rater,
                actor_name="" if getattr(rater, "pk", None) else "public",
                action="supervision.record_rating",
                target=rating,
                detail={
                    "level": level,
                    "subject": f"{rating.subject_type}:{rating.subject_id}",
                    "rectification": rectification.pk if rectification else None,
                },
            )
    except IntegrityError as exc:
        raise ValidationError(_("该事项已经评价过；整改后可以复评。")) from exc
    return rating


def _open_rectification(rating: Rating, at: datetime.datetime) -> Rectification:
    rectification = Rectification(rating=rating, organisation=rating.organisation)
    rectification.start(at, rectification_limit())
    rectification.save()
    for user in _staff_of(rating.organisation, RECTIFY_RATING):
        notify(
            recipient=user,
            subject=_("收到差评，请在期限内整改答复"),
            body=_("%(subject)s 收到“%(level)s”评价，请于 %(due)s 前整改并答复。")
            % {
                "subject": rating.subject_repr,
                "level": rating.get_level_display(),
                "due": timezone.localtime(rectification.due_at).date().isoformat(),
            },
            channels=("site",),
            about=rectification,
        )
    return rectification


def rerate(*, subject, level, indicators: dict, comment: str = "", rater, at=None) -> Rating:
    """复评: the rater rates ``subject`` again after the department answered the bad rating."""
    level = _level(level)
    indicators = _clean_indicators(indicators)
    at = at or timezone.now()
    label, pk = subject._meta.label_lower, str(subject.pk)
    with transaction.atomic():
        original = (
            Rating.objects.select_for_update()
            .filter(subject_type=label, subject_id=pk, rerating_of__isnull=True)
            .first()
        )
        rectification = (
            Rectification.objects.select_for_update().filter(rating=original).first()
            if original
            else None
        )
        if rectification is None or rectification.status != RectificationStatus.ANSWERED:
            raise ValidationError(_("该事项没有待复评的差评整改。"))
        if original.rater_id is not None and original.rater_id != getattr(rater, "pk", None):
            raise ValidationError(_("只有原评价人可以复评。"))
        rating = Rating.objects.create(
            subject_type=original.subject_type,
            subject_id=original.subject_id,
            subject_repr=original.subject_repr,
            organisation=original.organisation,
            division_path=original.division_path,
            level=level,
            indicators=indicators,
            comment=comment.strip(),
            rater=original.rater,
            rated_at=at,
            rerating_of=original,
        )
        rectification.status = RectificationStatus.CLOSED
        rectification.save(update_fields=["status"])
        record_event(
            actor=rater,
            actor_name="" if getattr(rater, "pk", None) else "public",
            action="supervision.rerate",
            target=rating,
            detail={"level": level, "rectification": rectification.pk},
        )
    return rating


# --- 整改与申诉 ----------------------------------------------------------------------------


def _rectification_for(actor, permission: str, pk) -> Rectification:
    """Lock and return the rectification if ``actor`` sees it with ``permission`` (else 404)."""
    Rectification.objects.get_for_user(actor, permission, pk=pk)
    return Rectification.objects.select_for_update().select_related("rating").get(pk=pk)


def answer_rectification(*, actor, pk, answer: str, request=None) -> Rectification:
    """整改答复: the department says what it did; the clock stops; the rater may re-rate."""
    require_permission(actor, RECTIFY_RATING)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(_("请填写整改情况。"))
    with transaction.atomic():
        rectification = _rectification_for(actor, RECTIFY_RATING, pk)
        if rectification.status != RectificationStatus.OPEN:
            raise ValidationError(_("只有待整改的差评可以答复。"))
        now = timezone.now()
        rectification.finish(now)
        rectification.status = RectificationStatus.ANSWERED
        rectification.answer = answer
        rectification.answered_by = actor
        rectification.save()
        rater = rectification.rating.rater
        if rater is not None:
            notify(
                recipient=rater,
                subject=_("您的差评已整改，请复评"),
                body=_("%(subject)s：%(answer)s")
                % {
                    "subject": rectification.rating.subject_repr,
                    "answer": answer[:500],
                },
                channels=("site",),
                about=rectification,
            )
        record_event(
            actor=actor,
            action="supervision.answer_rectification",
            target=rectification,
            request=request,
            detail={"late": rectification.finished_late},
        )
    return rectification


def file_appeal(*, actor, pk, reason: str, request=None) -> Appeal:
    """申诉: the department disputes the bad rating; the clock stops until it is decided."""
    require_permission(actor, RECTIFY_RATING)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写申诉理由。"))
    with transaction.atomic():
        rectification = _rectification_for(actor, RECTIFY_RATING, pk)
        if rectification.status != RectificationStatus.OPEN:
            raise ValidationError(_("只有待整改的差评可以申诉。"))
        if rectification.appeals.exists():
            raise ValidationError(_("每条差评只能申诉一次。"))
        now = timezone.now()
        rectification.pause(now)
        rectification.status = RectificationStatus.APPEALED
        rectification.save()
        appeal = Appeal.objects.create(
            rectification=rectification, reason=reason, filed_by=actor, filed_at=now
        )
        record_event(actor=actor, action="supervision.file_appeal", target=appeal, request=request)
    return appeal


def review_appeal(*, actor, pk, upheld: bool, comment: str, request=None) -> Appeal:
    """审核申诉: upheld → the rating no longer counts; rejected → the clock runs again."""
    require_permission(actor, REVIEW_RATING)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("请填写审核意见。"))
    with transaction.atomic():
        Appeal.objects.get_for_user(actor, REVIEW_RATING, pk=pk)
        appeal = Appeal.objects.select_for_update().get(pk=pk)
        if appeal.decision != AppealDecision.PENDING:
            raise ValidationError(_("该申诉已经审核。"))
        rectification = Rectification.objects.select_for_update().get(pk=appeal.rectification_id)
        now = timezone.now()
        if upheld:
            rectification.finish(now)
            rectification.status = RectificationStatus.WITHDRAWN
            Rating.objects.filter(pk=rectification.rating_id).update(excluded=True)
        else:
            rectification.resume(now)
            rectification.status = RectificationStatus.OPEN
        rectification.save()
        appeal.decision = AppealDecision.UPHELD if upheld else AppealDecision.REJECTED
        appeal.reviewed_by = actor
        appeal.reviewed_at = now
        appeal.review_comment = comment
        appeal.save()
        for user in _staff_of(rectification.organisation, RECTIFY_RATING):
            notify(
                recipient=user,
                subject=_("差评申诉审核结果：%(decision)s")
                % {"decision": appeal.get_decision_display()},
                body=comment,
                channels=("site",),
                about=rectification,
            )
        record_event(
            actor=actor,
            action="supervision.review_appeal",
            target=appeal,
            request=request,
            detail={"decision": appeal.decision},
        )
    return appeal


# --- 催办 / 督办 ---------------------------------------------------------------------------


# Modules that keep urges in their own history of a task: model label -> copy(urge, task).
_URGE_COPIES = {}


def copy_urges_of(model, copy) -> None:
    """Have ``copy(urge, task)`` write the module's own record of every urge of
    ``model``'s tasks, in the urge's transaction (see ``supervision.public``)."""
    _URGE_COPIES[model._meta.label_lower] = copy


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
        copy = _URGE_COPIES.get(label)
        record.task_copy = copy(record, task) if copy else None
    return record


def urge_task(
    *, actor, task_type: str, task_id, level: str, message: str = "", request=None
) -> Urge:
    """催办 or 督办 a red or yellow task of any module; its organisation's staff are notified."""
    require_permission(actor, URGE_TASK)
    if level not in UrgeLevel.values:
        raise ValidationError(_("请选择催办或督办。"))
    model = timed_model_by_label(task_type or "")
    if model is None:
        raise ValidationError(_("未知的任务类型。"))
    with transaction.atomic():
        task = model.objects.get_for_user(actor, URGE_TASK, pk=task_id)
        status = task.status_at()
        if status not in (TimedStatus.RED, TimedStatus.YELLOW):
            raise ValidationError(_("只能催办红牌或黄牌任务。"))
        organisation = task_organisation(task)
        if organisation is None:
            raise ValidationError(_("该任务尚未确定承办单位，无法催办。"))
        urge_record = urge(
            task=task, level=level, message=message, by=actor, organisation=organisation
        )
        record_event(
            actor=actor,
            action=f"supervision.{level}",
            target=urge_record,
            request=request,
            detail={
                "task": f"{urge_record.task_type}:{urge_record.task_id}",
                "notified": urge_record.notified,
            },
        )
    return urge_record
