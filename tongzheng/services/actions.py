"""Writes of 政务服务: the catalogue and every step of an application's lifecycle.

Lifecycle (docs/services.md has the diagram)::

    draft → submitted → reviewing → deciding → approved → issued → closed
                 │  ↘ not_accepted            ↘ refused ──────────↗
                 ↕ supplement (补正, clock stopped)   reviewing ↕ suspended (特别程序)

Every action is one transaction that locks the application row (``select_for_update``),
checks the permission and the state, appends one ``ApplicationEvent`` (from-state,
to-state, who, role, transaction id) and one audit record, and writes the applicant's
notification into the outbox. A wrong move — deciding an application not accepted,
accepting twice — raises ``ValidationError`` with a Chinese message and writes nothing.

Idempotency: each action takes an optional ``transaction_id`` (the API passes its
Idempotency-Key, a page its form token). If the application already carries an event
with that id, the action returns without acting again; a second click *without* an id
finds the state already moved and is refused by the state check under the lock.

Clocks: the application's own ``TimedTask`` runs the item's promised limit from 受理; each
``ApplicationTask`` (受理 within 5 days, each department's stage task, 决定, 制证 within 10
days) has its own. 补正 and special procedures stop every open clock of the application
and resumes them together, so "paused" always means "an open notice or procedure".
"""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core import calendar
from tongzheng.core.access import require_permission
from tongzheng.services.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    ApplicationStatus,
    ApplicationTask,
    Channel,
    ItemVersion,
    LimitUnit,
    Material,
    Result,
    ServiceItem,
    SpecialKind,
    SpecialProcedure,
    Stage,
    StageTask,
    SupplementNotice,
    TaskKind,
    TaskOutcome,
    new_query_code,
)
from tongzheng.services.notify import tell_applicant

MANAGE_ITEM = "services.manage_item"
VIEW_APPLICATION = "services.view_application"
HANDLE_APPLICATION = "services.handle_application"

# 行政许可法 第八十二条: the law's periods are working days (法定节假日 excluded).
#: 第三十二条: tell everything missing on the spot or within 5 days.
ACCEPTANCE_LIMIT_DAYS = 5
#: 第四十四条: issue the licence within 10 days of the decision.
RESULT_LIMIT_DAYS = 10
#: 第四十二条: +10 days with the head's approval; 并联 / joint handling (45 days) +15.
EXTENSION_LIMIT_DAYS = 10
JOINT_EXTENSION_LIMIT_DAYS = 15

S = ApplicationStatus


def now() -> datetime.datetime:
    """The actions' clock (one place, so tests can move it across the Spring Festival)."""
    return timezone.now()


# --- time limits ------------------------------------------------------------------------


def limit_in_working_days(start: datetime.datetime, limit: int, unit: str) -> int:
    """The limit as working days from ``start`` on the official calendar.

    A limit in natural days (自然日) ends on the ``limit``-th calendar day after the start;
    when that day is a holiday or a weekend the limit runs to the next working day
    (行政许可法 / 民法典 第二百零三条), so it is converted to the working days up to there.
    """
    if unit == LimitUnit.WORKING_DAYS:
        return limit
    end = calendar.as_date(start) + datetime.timedelta(days=limit)
    days = calendar.working_days_between(start, end)
    return days if calendar.is_working_day(end) else days + 1


# --- supervision (电子监察) --------------------------------------------------------------


def warn_supervision(kind: str, *, subject, organisation, detail: str, actor=None) -> None:
    """The single call site for 电子监察 warnings, inside the caller's transaction."""
    from tongzheng.supervision.public import raise_warning

    raise_warning(kind=kind, subject=subject, organisation=organisation, detail=detail, actor=actor)


# --- helpers ----------------------------------------------------------------------------


def _actor_role(actor, applicant: bool = False) -> str:
    if applicant:
        return _("申请人")
    names = [str(role.name) for role in actor.roles.all()]
    return ("、".join(names) or _("工作人员"))[:100]


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock (a double click waits here, then sees the
    state the first click left)."""
    return (
        Application.objects.select_for_update()
        .select_related("version", "organisation")
        .get(pk=application.pk)
    )


def _replayed(application: Application, transaction_id: str | None) -> bool:
    return (
        bool(transaction_id) and application.events.filter(transaction_id=transaction_id).exists()
    )


def _staff_application(actor, application: Application) -> Application:
    """The locked application if ``actor`` may handle it (its implementing organisation's
    scope); another organisation's application is a 404."""
    require_permission(actor, HANDLE_APPLICATION)
    if (
        not Application.objects.for_user(actor, HANDLE_APPLICATION)
        .filter(pk=application.pk)
        .exists()
    ):
        raise Http404
    return _lock(application)


def _applicant_application(actor, application: Application) -> Application:
    if getattr(actor, "kind", None) not in ("citizen", "enterprise"):
        raise PermissionDenied(_("只有申请人本人可以办理此操作。"))
    if application.applicant_id != actor.pk:
        raise Http404
    return _lock(application)


def _require_status(application: Application, *allowed: str, message: str) -> None:
    if application.status not in allowed:
        raise ValidationError(message)


def _append_event(
    application: Application,
    *,
    actor,
    action: str,
    to_status: str,
    note: str = "",
    transaction_id: str | None = None,
    applicant: bool = False,
    detail: dict | None = None,
    request=None,
    at: datetime.datetime,
) -> ApplicationEvent:
    """Append the event, move the status, audit it and tell the applicant (``notify.py``:
    the one place the applicant's messages are written)."""
    sequence = (
        application.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    ) + 1
    event = ApplicationEvent.objects.create(
        application=application,
        sequence=sequence,
        action=action,
        actor=actor,
        actor_role=_actor_role(actor, applicant),
        organisation=None if applicant else actor.organisation,
        at=at,
        transaction_id=transaction_id or None,
        from_status=application.status,
        to_status=to_status,
        note=note,
        detail=detail or {},
    )
    application.status = to_status
    application.save()
    record_event(
        actor=actor,
        action=f"services.{action}",
        target=application,
        request=request,
        detail={"from": event.from_status, "to": to_status, **(detail or {})},
    )
    tell_applicant(application, event)
    return event


def _open_task(
    application: Application,
    *,
    kind: str,
    organisation,
    at: datetime.datetime,
    limit: int,
    stage: Stage | None = None,
    stage_task: StageTask | None = None,
) -> ApplicationTask:
    task = ApplicationTask(
        application=application,
        kind=kind,
        organisation=organisation,
        stage=stage,
        stage_task=stage_task,
    )
    task.start(at, max(0, limit))
    task.save()
    return task


def _open_tasks(application: Application):
    return application.tasks.select_for_update().filter(finished_at__isnull=True)


def _pause_all(application: Application, at: datetime.datetime) -> None:
    if application.started_at is not None:
        application.pause(at)
    for task in _open_tasks(application):
        task.pause(at)
        task.save()


def _resume_all(application: Application, at: datetime.datetime) -> None:
    if application.started_at is not None:
        application.resume(at)
    for task in _open_tasks(application):
        task.resume(at)
        task.save()


def _finish_task(task: ApplicationTask, *, actor, outcome: str, opinion: str, at) -> None:
    task.finish(at)
    task.outcome = outcome
    task.opinion = opinion
    task.decided_by = actor
    task.save()


def _open_stage(application: Application, stage: Stage, at: datetime.datetime) -> None:
    """Start every department's task of ``stage`` at once (并联)."""
    application.current_stage = stage
    for stage_task in stage.tasks.select_related("organisation"):
        _open_task(
            application,
            kind=TaskKind.REVIEW,
            organisation=stage_task.organisation,
            at=at,
            limit=stage.limit_working_days,
            stage=stage,
            stage_task=stage_task,
        )


def _open_decision(application: Application, at: datetime.datetime) -> None:
    """After the stages: the implementing organisation decides within what is left."""
    application.current_stage = None
    remaining = application.remaining_working_days(at) or 0
    _open_task(
        application,
        kind=TaskKind.DECISION,
        organisation=application.organisation,
        at=at,
        limit=remaining,
    )


def _stage_over_limit(task: ApplicationTask, application: Application, actor) -> None:
    """电子监察: a department late on its own stage limit while the whole limit is not."""
    if task.finished_late and application.status_at(task.finished_at) != "red":
        warn_supervision(
            "stage_over_limit",
            subject=application,
            organisation=task.organisation,
            detail=_("%(stage)s环节超过本环节时限%(days)s个工作日，办件总时限未超。")
            % {"stage": task.stage.name if task.stage else "", "days": task.limit_working_days},
            actor=actor,
        )


# --- the catalogue (事项) ------------------------------------------------------------------


def publish_item_version(
    *,
    actor,
    organisation,
    implementation_code: str,
    elements: dict,
    materials: list[dict],
    stages: list[dict],
    change_note: str = "",
    request=None,
) -> ItemVersion:
    """Create the item if new, then publish a complete new version of its content.

    ``elements`` are the ``ItemVersion`` fields; ``materials`` dicts carry name,
    requirement, form, source and optionally blank_form / sample (a file or a stored
    name, copied from the previous version); ``stages`` dicts carry name,
    limit_working_days, refusal_ends_stage and ``departments`` (Organisation rows, each
    with an optional duty in ``duties``). The previous version stays untouched.
    """
    require_permission(actor, MANAGE_ITEM)
    from tongzheng.core.models import Organisation

    if not Organisation.objects.for_user(actor, MANAGE_ITEM).filter(pk=organisation.pk).exists():
        raise Http404
    at = now()
    with transaction.atomic():
        item = (
            ServiceItem.objects.select_for_update()
            .filter(implementation_code=implementation_code)
            .first()
        )
        if item is None:
            item = ServiceItem.objects.create(
                implementation_code=implementation_code, organisation=organisation
            )
        elif not ServiceItem.objects.for_user(actor, MANAGE_ITEM).filter(pk=item.pk).exists():
            raise ValidationError(_("实施编码已被其他机构的事项使用。"))
        elif item.organisation_id != organisation.pk:
            item.organisation = organisation
            item.save()
        previous = item.current_version
        version = ItemVersion(
            item=item,
            number=(previous.number + 1) if previous else 1,
            published_at=at,
            published_by=actor,
            change_note=change_note,
            **elements,
        )
        _validate_version(version, stages)
        version.save()
        for order, data in enumerate(materials, start=1):
            material = Material(version=version, order=order, **_material_fields(data))
            material.full_clean(exclude=["version", "blank_form", "sample"])
            material.save()
        for order, data in enumerate(stages, start=1):
            stage = Stage(
                version=version,
                order=order,
                name=data["name"],
                limit_working_days=data["limit_working_days"],
                refusal_ends_stage=data.get("refusal_ends_stage", True),
            )
            stage.full_clean(exclude=["version"])
            stage.save()
            duties = data.get("duties", {})
            for department in data["departments"]:
                StageTask.objects.create(
                    stage=stage, organisation=department, duty=duties.get(department.pk, "")
                )
        item.current_version = version
        item.is_active = True
        item.save()
        record_event(
            actor=actor,
            action="services.publish_item_version",
            target=item,
            request=request,
            detail={"version": version.number, "name": version.name},
        )
        if version.fee_charged and not version.fee_basis.strip():
            warn_supervision(
                "fee_without_basis",
                subject=item,
                organisation=organisation,
                detail=_("事项“%(name)s”收费但未写明收费依据。") % {"name": version.name},
                actor=actor,
            )
    return version


def _material_fields(data: dict) -> dict:
    fields = {key: data[key] for key in ("name", "requirement", "form", "source")}
    for key in ("blank_form", "sample"):
        if data.get(key):
            fields[key] = data[key]
    return fields


def _validate_version(version: ItemVersion, stages: list[dict]) -> None:
    version.full_clean(exclude=["item", "published_by", "number"], validate_constraints=False)
    if version.promised_limit > version.legal_limit:
        raise ValidationError({"promised_limit": _("承诺办结时限不能超过法定办结时限。")})
    for data in stages:
        if not data.get("departments"):
            raise ValidationError(
                _("环节“%(name)s”至少需要一个办理部门。") % {"name": data.get("name", "")}
            )


def import_items(*, actor, payload, request=None) -> list[ItemVersion]:
    """事项导入: publish a new version of every item of a JSON export — all or nothing."""
    from tongzheng.services.catalogue import FORMAT, parse_item

    require_permission(actor, MANAGE_ITEM)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValidationError(
            _("不是通政事项导出文件（format 应为 %(format)s）。") % {"format": FORMAT}
        )
    items = payload.get("items")
    if not isinstance(items, list) or not items:
        raise ValidationError(_("文件中没有事项。"))
    versions = []
    with transaction.atomic():
        for number, data in enumerate(items, start=1):
            try:
                arguments = parse_item(data)
                versions.append(
                    publish_item_version(
                        actor=actor, change_note=_("导入"), request=request, **arguments
                    )
                )
            except (ValidationError, TypeError, ValueError) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise ValidationError(
                    _("第%(n)s个事项：%(error)s") % {"n": number, "error": "；".join(messages)}
                ) from exc
    return versions


def withdraw_item(*, actor, item: ServiceItem, request=None) -> ServiceItem:
    """Stop new applications for an item (停用); filed applications keep their version."""
    require_permission(actor, MANAGE_ITEM)
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get_for_user(actor, MANAGE_ITEM, pk=item.pk)
        if not item.is_active:
            raise ValidationError(_("事项已停用。"))
        item.is_active = False
        item.save(update_fields=["is_active"])
        record_event(actor=actor, action="services.withdraw_item", target=item, request=request)
    return item


# --- the applicant's steps ------------------------------------------------------------------


def _new_number(at: datetime.datetime) -> str:
    return f"SQ{timezone.localtime(at):%Y%m%d}{secrets.randbelow(10**10):010d}"


def save_draft(
    *,
    actor,
    item: ServiceItem,
    form_data: dict,
    application: Application | None = None,
    channel: str = Channel.ONLINE,
    request=None,
) -> Application:
    """Save the applicant's form between visits (草稿); nothing is sent to the department."""
    if getattr(actor, "kind", None) not in ("citizen", "enterprise"):
        raise PermissionDenied(_("只有个人或法人用户可以申请办理事项。"))
    with transaction.atomic():
        if application is None:
            if not item.is_active or item.current_version is None:
                raise ValidationError(_("该事项已停用，不能申请。"))
            application = Application(
                number=_new_number(now()),
                applicant=actor,
                applicant_name=str(actor)[:200],
                item=item,
                version=item.current_version,
                organisation=item.organisation,
                channel=channel,
                form_data=form_data,
            )
            application.set_code(new_query_code())  # replaced by the code issued on submit
            application.save()
            record_event(
                actor=actor, action="services.save_draft", target=application, request=request
            )
            return application
        application = _applicant_application(actor, application)
        _require_status(application, S.DRAFT, message=_("办件已提交，不能再修改草稿。"))
        application.form_data = form_data
        application.save(update_fields=["form_data"])
        record_event(actor=actor, action="services.save_draft", target=application, request=request)
    return application


def submit(
    *,
    actor,
    item: ServiceItem | None = None,
    form_data: dict | None = None,
    application: Application | None = None,
    files: list[tuple[Material, object]] = (),
    channel: str = Channel.ONLINE,
    submission_key: str | None = None,
    request=None,
) -> tuple[Application, str | None]:
    """提交申请: a draft (``application``) or a new one (``item`` + ``form_data``).

    Returns the application and its query code (查询码), shown to the applicant once and
    stored only as a hash; a replay with the same ``submission_key`` returns ``None`` for
    the code (it cannot be recovered). The 受理 task of the implementing organisation
    starts at once: 5 days to accept, refuse or ask for everything missing.
    """
    if getattr(actor, "kind", None) not in ("citizen", "enterprise"):
        raise PermissionDenied(_("只有个人或法人用户可以申请办理事项。"))
    at = now()
    try:
        with transaction.atomic():
            if submission_key:
                earlier = Application.objects.filter(
                    applicant=actor, submission_key=submission_key
                ).first()
                if earlier is not None:
                    return earlier, None
            if application is None:
                if item is None:
                    raise ValidationError(_("请选择要申请的事项。"))
                application = save_draft(
                    actor=actor, item=item, form_data=form_data or {}, channel=channel
                )
            application = _applicant_application(actor, application)
            _require_status(application, S.DRAFT, message=_("办件已提交，请勿重复提交。"))
            if form_data is not None:
                application.form_data = form_data
            _check_required_materials(application, files)
            for material, upload in files:
                _attach(application, material, upload)
            code = new_query_code()
            application.set_code(code)
            application.submitted_at = at
            application.submission_key = submission_key or None
            _open_task(
                application,
                kind=TaskKind.ACCEPTANCE,
                organisation=application.organisation,
                at=at,
                limit=ACCEPTANCE_LIMIT_DAYS,
            )
            _append_event(
                application,
                actor=actor,
                action="submit",
                to_status=S.SUBMITTED,
                applicant=True,
                transaction_id=submission_key,
                request=request,
                at=at,
            )
    except IntegrityError:
        # Two concurrent submissions with one key: the other one won.
        earlier = Application.objects.filter(applicant=actor, submission_key=submission_key)
        if submission_key and earlier.exists():
            return earlier.get(), None
        raise
    return application, code


def _check_required_materials(application: Application, files) -> None:
    """Online applications bring every 必要 electronic material (容缺后补 may follow)."""
    if application.channel != Channel.ONLINE:
        return
    given = {material.pk for material, _upload in files}
    given |= set(application.files.values_list("material_id", flat=True))
    missing = [
        m.name
        for m in application.version.materials.filter(requirement="required")
        .exclude(form="paper")
        .exclude(pk__in=given)
    ]
    if missing:
        raise ValidationError(_("请上传必要材料：%(names)s。") % {"names": "、".join(missing)})


def _attach(application: Application, material: Material, upload) -> ApplicationFile:
    from tongzheng.services.uploads import check_upload

    if material.version_id != application.version_id:
        raise ValidationError(_("材料不属于该事项。"))
    content_type = check_upload(upload)
    return ApplicationFile.objects.create(
        application=application,
        material=material,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
    )


def resubmit(
    *,
    actor,
    application: Application,
    form_data: dict | None = None,
    files: list[tuple[Material, object]] = (),
    transaction_id: str | None = None,
    request=None,
) -> Application:
    """补正后提交: the applicant answers the notice; every stopped clock runs again."""
    at = now()
    with transaction.atomic():
        application = _applicant_application(actor, application)
        if _replayed(application, transaction_id):
            return application
        _require_status(application, S.SUPPLEMENT, message=_("办件没有待补正的告知。"))
        notice = application.supplements.select_for_update().get(resubmitted_at__isnull=True)
        for material, upload in files:
            _attach(application, material, upload)
        if form_data is not None:
            application.form_data = form_data
        notice.resubmitted_at = at
        notice.save(update_fields=["resubmitted_at"])
        _resume_all(application, at)
        _append_event(
            application,
            actor=actor,
            action="resubmit",
            to_status=notice.resume_status,
            applicant=True,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
    return application


# --- the staff's steps ---------------------------------------------------------------------


def accept(
    *, actor, application: Application, transaction_id: str | None = None, request=None
) -> Application:
    """受理: the application's clock starts with the item's promised limit, and the first
    stage's departments all start at once."""
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application
        if application.accepted_at is not None:
            raise ValidationError(_("办件已经受理，不能重复受理。"))
        _require_status(application, S.SUBMITTED, message=_("只有待受理的办件可以受理。"))
        version = application.version
        acceptance = application.tasks.select_for_update().get(
            kind=TaskKind.ACCEPTANCE, finished_at__isnull=True
        )
        _finish_task(acceptance, actor=actor, outcome=TaskOutcome.DONE, opinion="", at=at)
        application.accepted_at = at
        application.start(at, limit_in_working_days(at, version.promised_limit, version.limit_unit))
        first = version.stages.order_by("order").first()
        if first is not None:
            _open_stage(application, first, at)
            to_status = S.REVIEWING
        else:
            to_status = S.DECIDING
            _open_decision(application, at)
        _append_event(
            application,
            actor=actor,
            action="accept",
            to_status=to_status,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
        if version.online_required and application.channel != Channel.ONLINE:
            warn_supervision(
                "not_online",
                subject=application,
                organisation=application.organisation,
                detail=_("事项要求网上办理，办件经%(channel)s受理。")
                % {"channel": application.get_channel_display()},
                actor=actor,
            )
    return application


def refuse_acceptance(
    *,
    actor,
    application: Application,
    reason: str,
    transaction_id: str | None = None,
    request=None,
) -> Application:
    """不予受理: the reason is mandatory and goes to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予受理必须说明理由。")})
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application
        _require_status(application, S.SUBMITTED, message=_("只有待受理的办件可以不予受理。"))
        acceptance = application.tasks.select_for_update().get(
            kind=TaskKind.ACCEPTANCE, finished_at__isnull=True
        )
        _finish_task(acceptance, actor=actor, outcome=TaskOutcome.REFUSED, opinion=reason, at=at)
        application.decision_reason = reason
        application.closed_at = at
        _append_event(
            application,
            actor=actor,
            action="refuse_acceptance",
            to_status=S.NOT_ACCEPTED,
            note=reason,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
    return application


def request_supplement(
    *,
    actor,
    application: Application,
    materials: list[Material] = (),
    other_items: str = "",
    note: str = "",
    transaction_id: str | None = None,
    request=None,
) -> SupplementNotice:
    """一次性告知补正: every missing material in one notice; every clock stops.

    Allowed once before 受理 and once during 审查: the law asks for everything at once.
    """
    other_items = (other_items or "").strip()
    if not materials and not other_items:
        raise ValidationError(_("请列出需要补正的全部材料或内容。"))
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application.supplements.order_by("-issued_at").first()
        _require_status(
            application,
            S.SUBMITTED,
            S.REVIEWING,
            message=_("只有待受理或审查中的办件可以要求补正。"),
        )
        if application.supplements.filter(resume_status=application.status).exists():
            raise ValidationError(_("本阶段已一次性告知补正，不能再次要求补正。"))
        if any(m.version_id != application.version_id for m in materials):
            raise ValidationError(_("材料不属于该事项。"))
        notice = SupplementNotice.objects.create(
            application=application,
            other_items=other_items,
            note=note,
            issued_at=at,
            issued_by=actor,
            resume_status=application.status,
        )
        notice.materials.set(materials)
        _pause_all(application, at)
        names = "、".join([m.name for m in materials] + ([other_items] if other_items else []))
        _append_event(
            application,
            actor=actor,
            action="request_supplement",
            to_status=S.SUPPLEMENT,
            note=_("需补正：%(names)s") % {"names": names},
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
    return notice


def decide_task(
    *,
    actor,
    task: ApplicationTask,
    approve: bool,
    opinion: str = "",
    transaction_id: str | None = None,
    request=None,
) -> ApplicationTask:
    """One department's opinion in a parallel stage (并联审批).

    The stage completes when every department has decided; a refusal ends it at once
    when the stage says so (the other departments' tasks are closed as 已终止). Then the
    next stage starts, or — after the last stage or a refusal that ends its stage — the
    implementing organisation's 决定 task.
    """
    opinion = (opinion or "").strip()
    if not approve and not opinion:
        raise ValidationError({"opinion": _("不同意必须说明理由。")})
    require_permission(actor, HANDLE_APPLICATION)
    at = now()
    with transaction.atomic():
        if (
            not ApplicationTask.objects.for_user(actor, HANDLE_APPLICATION)
            .filter(pk=task.pk)
            .exists()
        ):
            raise Http404
        application = _lock(task.application)
        task = ApplicationTask.objects.select_for_update().get(pk=task.pk)
        if _replayed(application, transaction_id):
            return task
        if task.kind != TaskKind.REVIEW:
            raise ValidationError(_("该任务不是审查环节的部门任务。"))
        if task.finished_at is not None:
            raise ValidationError(_("本部门已经提出意见，不能重复办理。"))
        _require_status(application, S.REVIEWING, message=_("办件不在审查中，不能提出审查意见。"))
        outcome = TaskOutcome.APPROVED if approve else TaskOutcome.REFUSED
        _finish_task(task, actor=actor, outcome=outcome, opinion=opinion, at=at)
        _stage_over_limit(task, application, actor)
        stage = task.stage
        siblings = application.tasks.select_for_update().filter(stage=stage)
        open_siblings = [t for t in siblings if t.finished_at is None]
        ends_stage = not approve and stage.refusal_ends_stage
        if ends_stage:
            for other in open_siblings:
                _finish_task(
                    other,
                    actor=actor,
                    outcome=TaskOutcome.CANCELLED,
                    opinion=_("本环节已有部门不同意，环节结束。"),
                    at=at,
                )
            open_siblings = []
        to_status = S.REVIEWING
        if not open_siblings:
            following = (
                None
                if ends_stage
                else application.version.stages.filter(order__gt=stage.order)
                .order_by("order")
                .first()
            )
            if following is not None:
                _open_stage(application, following, at)
            else:
                to_status = S.DECIDING
                _open_decision(application, at)
        _append_event(
            application,
            actor=actor,
            action="approve_task" if approve else "refuse_task",
            to_status=to_status,
            note=opinion,
            transaction_id=transaction_id,
            request=request,
            detail={"task": task.pk, "stage": stage.name, "department": task.organisation.name},
            at=at,
        )
    return task


def start_special_procedure(
    *,
    actor,
    application: Application,
    kind: str,
    reason: str,
    transaction_id: str | None = None,
    request=None,
) -> SpecialProcedure:
    """特别程序 (听证、检验、检测、鉴定、专家评审): the clocks stop from now."""
    reason = (reason or "").strip()
    if kind not in SpecialKind.values:
        raise ValidationError({"kind": _("请选择特别程序的种类。")})
    if not reason:
        raise ValidationError({"reason": _("启动特别程序必须说明理由。")})
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application.special_procedures.order_by("-started_at").first()
        _require_status(
            application,
            S.REVIEWING,
            S.DECIDING,
            message=_("只有审查中或待决定的办件可以启动特别程序。"),
        )
        procedure = SpecialProcedure.objects.create(
            application=application,
            kind=kind,
            reason=reason,
            started_at=at,
            started_by=actor,
            resume_status=application.status,
        )
        _pause_all(application, at)
        _append_event(
            application,
            actor=actor,
            action="start_special_procedure",
            to_status=S.SUSPENDED,
            note=f"{procedure.get_kind_display()}：{reason}",
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
    return procedure


def end_special_procedure(
    *,
    actor,
    application: Application,
    outcome: str = "",
    transaction_id: str | None = None,
    request=None,
) -> SpecialProcedure:
    """特别程序结束: the clocks run again, moved by the working days it took."""
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application.special_procedures.order_by("-started_at").first()
        _require_status(application, S.SUSPENDED, message=_("办件没有进行中的特别程序。"))
        procedure = application.special_procedures.select_for_update().get(ended_at__isnull=True)
        procedure.ended_at = at
        procedure.ended_by = actor
        procedure.outcome = (outcome or "").strip()
        procedure.save(update_fields=["ended_at", "ended_by", "outcome"])
        _resume_all(application, at)
        _append_event(
            application,
            actor=actor,
            action="end_special_procedure",
            to_status=procedure.resume_status,
            note=procedure.outcome,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
    return procedure


def extend_limit(
    *,
    actor,
    application: Application,
    working_days: int,
    reason: str,
    transaction_id: str | None = None,
    request=None,
) -> Application:
    """延长办理期限 with the head's approval: once, at most 10 working days (15 when the
    item is handled jointly by several departments). Open tasks keep their own limits."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("延长期限必须说明理由和批准情况。")})
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application
        _require_status(
            application,
            S.REVIEWING,
            S.DECIDING,
            message=_("只有审查中或待决定的办件可以延长办理期限。"),
        )
        if application.events.filter(action="extend_limit").exists():
            raise ValidationError(_("办理期限已经延长过一次，不能再次延长。"))
        departments = (
            StageTask.objects.filter(stage__version=application.version)
            .values("organisation")
            .distinct()
            .count()
        )
        most = JOINT_EXTENSION_LIMIT_DAYS if departments > 1 else EXTENSION_LIMIT_DAYS
        if not isinstance(working_days, int) or not 1 <= working_days <= most:
            raise ValidationError(
                {"working_days": _("延长的期限应为1至%(most)s个工作日。") % {"most": most}}
            )
        application.extend(working_days)
        _append_event(
            application,
            actor=actor,
            action="extend_limit",
            to_status=application.status,
            note=_("延长%(days)s个工作日：%(reason)s") % {"days": working_days, "reason": reason},
            transaction_id=transaction_id,
            request=request,
            detail={"working_days": working_days},
            at=at,
        )
    return application


def decide(
    *,
    actor,
    application: Application,
    approve: bool,
    reason: str = "",
    transaction_id: str | None = None,
    request=None,
) -> Application:
    """作出决定 (准予 / 不予许可); a refusal states its reason."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("不予许可必须说明理由。")})
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application
        if application.status in (S.DRAFT, S.SUBMITTED, S.SUPPLEMENT, S.NOT_ACCEPTED):
            raise ValidationError(_("办件尚未受理，不能作出决定。"))
        if application.status in (S.APPROVED, S.REFUSED, S.ISSUED, S.CLOSED):
            raise ValidationError(_("办件已经作出决定，不能重复决定。"))
        _require_status(application, S.DECIDING, message=_("办件尚未完成审查环节，不能作出决定。"))
        decision = application.tasks.select_for_update().get(
            kind=TaskKind.DECISION, finished_at__isnull=True
        )
        outcome = TaskOutcome.APPROVED if approve else TaskOutcome.REFUSED
        _finish_task(decision, actor=actor, outcome=outcome, opinion=reason, at=at)
        application.decided_at = at
        application.decision_reason = reason
        if approve:
            _open_task(
                application,
                kind=TaskKind.RESULT,
                organisation=application.organisation,
                at=at,
                limit=RESULT_LIMIT_DAYS,
            )
        _append_event(
            application,
            actor=actor,
            action="approve" if approve else "refuse",
            to_status=S.APPROVED if approve else S.REFUSED,
            note=reason,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
    return application


def issue_result(
    *,
    actor,
    application: Application,
    licence_number: str,
    document=None,
    fee_amount=0,
    transaction_id: str | None = None,
    request=None,
) -> Result:
    """制证: the licence number and the document; a fee without basis is flagged."""
    licence_number = (licence_number or "").strip()
    if not licence_number:
        raise ValidationError({"licence_number": _("请填写证照或文书编号。")})
    if fee_amount is None or fee_amount < 0:
        raise ValidationError({"fee_amount": _("收费金额不能为负数。")})
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application.result
        _require_status(application, S.APPROVED, message=_("只有准予许可的办件可以制证。"))
        result = Result.objects.create(
            application=application,
            licence_number=licence_number,
            document=document or "",
            fee_amount=fee_amount,
            issued_at=at,
            issued_by=actor,
        )
        task = application.tasks.select_for_update().get(
            kind=TaskKind.RESULT, finished_at__isnull=True
        )
        _finish_task(task, actor=actor, outcome=TaskOutcome.DONE, opinion=licence_number, at=at)
        _append_event(
            application,
            actor=actor,
            action="issue_result",
            to_status=S.ISSUED,
            note=licence_number,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
        version = application.version
        if fee_amount > 0 and not (version.fee_charged and version.fee_basis.strip()):
            warn_supervision(
                "fee_without_basis",
                subject=application,
                organisation=application.organisation,
                detail=_("收取费用%(amount)s元，事项未载明收费依据。") % {"amount": fee_amount},
                actor=actor,
            )
    return result


def close(
    *, actor, application: Application, transaction_id: str | None = None, request=None
) -> Application:
    """办结: the application's clock stops for good."""
    at = now()
    with transaction.atomic():
        application = _staff_application(actor, application)
        if _replayed(application, transaction_id):
            return application
        _require_status(
            application,
            S.ISSUED,
            S.REFUSED,
            message=_("只有已制证或不予许可的办件可以办结。"),
        )
        application.finish(at)
        application.closed_at = at
        application.current_stage = None
        late = application.finished_late
        _append_event(
            application,
            actor=actor,
            action="close",
            to_status=S.CLOSED,
            transaction_id=transaction_id,
            request=request,
            at=at,
        )
        if late:
            warn_supervision(
                "over_promised_limit",
                subject=application,
                organisation=application.organisation,
                detail=_("办件超过承诺时限办结。"),
                actor=actor,
            )
    return application
