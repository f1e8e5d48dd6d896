"""Writes of the staffing registry (机构编制实名制): ledgers, 三定, movements, 用编审批.

Every action is one transaction holding its permission check, its scope check, its
business rule and its audit record. A refused action raises ``ValidationError`` (a
Chinese message), ``PermissionDenied`` or ``Http404`` and writes nothing.

The core rule: no movement may put a unit over its approved establishment of a type
(or over its approved leadership posts). Counting and writing happen under a lock on the
unit's organisation row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are
IMMEDIATE, so writers are serialized anyway). Movements touching two units lock both in
ascending id order, so two opposite transfers cannot deadlock.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.models import Organisation
from tongzheng.core.notifications import notify
from tongzheng.core.validators import resident_id_problem
from tongzheng.staffing.models import (
    ApplicationStatus,
    EntryMethod,
    EstablishmentType,
    LeadershipPost,
    LeaveMethod,
    Movement,
    MovementKind,
    NoticeCounter,
    Person,
    PersonStatus,
    PostLedgerEntry,
    QuotaLedgerEntry,
    QuotaUseApplication,
    QuotaUseNotice,
    UnitHistoryEntry,
    UnitProfile,
)

VIEW_QUOTA = "staffing.view_quota"
VIEW_PERSON = "staffing.view_person"
MANAGE_QUOTA = "staffing.manage_quota"
MANAGE_UNIT = "staffing.manage_unit"
EDIT_PERSONNEL = "staffing.edit_personnel"
MANAGE_PERSONNEL_LOCKED = "staffing.manage_personnel_locked"
APPLY_QUOTA_USE = "staffing.apply_quota_use"
REVIEW_QUOTA_USE = "staffing.review_quota_use"

#: 锁定信息: only the staffing office changes these (``MANAGE_PERSONNEL_LOCKED``).
LOCKED_FIELDS = ("name", "id_number", "birth_date", "work_start_date")
#: Fields a unit's HR user may edit (``EDIT_PERSONNEL``).
UNLOCKED_FIELDS = ("gender", "job_title", "education", "phone")
#: The establishment slot (占用编制) changes only through movements.

NOTICE_VALID_DAYS = 180


# --- helpers ---------------------------------------------------------------------------


def _in_scope(actor, permission: str, organisation: Organisation) -> Organisation:
    """The organisation, if inside the actor's scope for ``permission``; otherwise 404."""
    if not Organisation.objects.for_user(actor, permission).filter(pk=organisation.pk).exists():
        raise Http404
    return organisation


def lock_organisations(*organisations: Organisation) -> None:
    """Lock the organisation rows in ascending id order (a fixed order: no deadlocks)."""
    ids = sorted({o.pk for o in organisations})
    list(Organisation.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def approved_quota(organisation, establishment_type) -> int:
    """核定数 of one type: the ledger sum."""
    total = QuotaLedgerEntry.objects.filter(
        organisation=organisation, establishment_type=establishment_type
    ).aggregate(total=Sum(F("increase") - F("decrease")))["total"]
    return total or 0


def occupied_quota(organisation, establishment_type) -> int:
    """实有数 of one type: serving personnel holding it in the unit."""
    return (
        Person.objects.occupying()
        .filter(organisation=organisation, establishment_type=establishment_type)
        .count()
    )


def controlled_quota(organisation, establishment_type) -> int:
    """控编数 of one type: slots the office holds back (the ledger's ``control`` sum)."""
    total = QuotaLedgerEntry.objects.filter(
        organisation=organisation, establishment_type=establishment_type
    ).aggregate(total=Sum("control"))["total"]
    return total or 0


def promised_quota(organisation, establishment_type, *, on=None) -> int:
    """已核准待用: the unused slots of unexpired 控编通知单."""
    total = (
        QuotaUseNotice.objects.valid(on)
        .filter(organisation=organisation, establishment_type=establishment_type)
        .aggregate(total=Sum(F("slots") - F("slots_used")))["total"]
    )
    return total or 0


def approved_posts(organisation, post: str) -> int:
    total = PostLedgerEntry.objects.filter(organisation=organisation, post=post).aggregate(
        total=Sum(F("increase") - F("decrease"))
    )["total"]
    return total or 0


def occupied_posts(organisation, post: str) -> int:
    return Person.objects.serving().filter(organisation=organisation, post=post).count()


def over_quota_message(organisation, establishment_type, approved: int, occupied: int) -> str:
    return _("%(unit)s %(type)s 核定 %(approved)d 名，已占用 %(occupied)d 名，不能再入编。") % {
        "unit": organisation.name,
        "type": establishment_type.name,
        "approved": approved,
        "occupied": occupied,
    }


def _check_slot_free(organisation, establishment_type, *, counting_promised: bool) -> None:
    """Refuse when no slot of the type is free (call with the organisation row locked).

    ``counting_promised``: promised (notice) and controlled (控编) slots are not free
    either — true for every entry except a recruitment citing its own notice.
    """
    approved = approved_quota(organisation, establishment_type)
    occupied = occupied_quota(organisation, establishment_type)
    if occupied + 1 > approved:
        raise ValidationError(
            over_quota_message(organisation, establishment_type, approved, occupied),
            code="over_quota",
        )
    if not counting_promised:
        return
    promised = promised_quota(organisation, establishment_type)
    controlled = max(controlled_quota(organisation, establishment_type), 0)
    if occupied + promised + controlled + 1 > approved:
        raise ValidationError(
            _(
                "%(unit)s %(type)s 核定 %(approved)d 名，已占用 %(occupied)d 名，"
                "另有 %(promised)d 名已核准用于招录（控编通知单）、%(controlled)d 名控编，"
                "不能再入编。"
            )
            % {
                "unit": organisation.name,
                "type": establishment_type.name,
                "approved": approved,
                "occupied": occupied,
                "promised": promised,
                "controlled": controlled,
            },
            code="over_quota",
        )


def _check_post_free(organisation, post: str) -> None:
    approved = approved_posts(organisation, post)
    occupied = occupied_posts(organisation, post)
    if occupied + 1 > approved:
        raise ValidationError(
            _("%(unit)s %(post)s 核定 %(approved)d 名，已配备 %(occupied)d 名，不能再任职。")
            % {
                "unit": organisation.name,
                "post": LeadershipPost(post).label,
                "approved": approved,
                "occupied": occupied,
            },
            code="over_posts",
        )


def _clean_text(value: str | None, message: str, *, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code="required")
    if len(value) > max_length:
        raise ValidationError(_("内容不能超过%(max)d个字。") % {"max": max_length}, code="too_long")
    return value


def _check_counts(increase: int, decrease: int, control: int = 0) -> None:
    if increase < 0 or decrease < 0:
        raise ValidationError(_("增减数不能为负数。"), code="negative")
    if increase == 0 and decrease == 0 and control == 0:
        raise ValidationError(_("增加数、核减数和控编数不能都为零。"), code="no_change")


def _locked_person(actor, permission: str, person: Person) -> Person:
    """The person re-read under a row lock, if in the actor's scope; otherwise 404."""
    locked = (
        Person.objects.for_user(actor, permission)
        .select_for_update(of=("self",))
        .filter(pk=person.pk)
        .select_related("organisation", "establishment_type")
        .first()
    )
    if locked is None:
        raise Http404
    return locked


# --- Units: ledgers and 三定 ------------------------------------------------------------


def record_quota_change(
    *,
    actor,
    organisation: Organisation,
    establishment_type: EstablishmentType,
    increase: int = 0,
    decrease: int = 0,
    control: int = 0,
    reason: str,
    approval_document: str = "",
    date: datetime.date,
    request=None,
) -> QuotaLedgerEntry:
    """编制台账 entry: 增编, 减编 and/or 控编 (``control``: + holds vacant slots back,
    − releases them). Refused when the approved number would fall below occupied +
    promised + controlled, or the controlled number below zero."""
    reason = _clean_text(reason, _("请填写增减编制的事由。"), max_length=200)
    control = control or 0
    _check_counts(increase, decrease, control)
    with transaction.atomic():
        require_permission(actor, MANAGE_QUOTA)
        _in_scope(actor, MANAGE_QUOTA, organisation)
        lock_organisations(organisation)
        approved = approved_quota(organisation, establishment_type)
        after = approved + increase - decrease
        controlled = controlled_quota(organisation, establishment_type)
        controlled_after = controlled + control
        if controlled_after < 0:
            raise ValidationError(
                _("%(unit)s %(type)s 现有控编 %(controlled)d 名，不能解除 %(release)d 名。")
                % {
                    "unit": organisation.name,
                    "type": establishment_type.name,
                    "controlled": controlled,
                    "release": -control,
                },
                code="control_below_zero",
            )
        if decrease or control > 0:
            occupied = occupied_quota(organisation, establishment_type)
            promised = promised_quota(organisation, establishment_type)
            if after < occupied + promised + controlled_after:
                raise ValidationError(
                    _(
                        "%(unit)s %(type)s 核定 %(approved)d 名，已占用 %(occupied)d 名，"
                        "已核准待用 %(promised)d 名，控编 %(controlled)d 名；"
                        "登记后核定 %(after)d 名，不能少于已占用、待用和控编之和。"
                    )
                    % {
                        "unit": organisation.name,
                        "type": establishment_type.name,
                        "approved": approved,
                        "occupied": occupied,
                        "promised": promised,
                        "controlled": controlled_after,
                        "after": after,
                    },
                    code="below_occupied",
                )
        entry = QuotaLedgerEntry.objects.create(
            organisation=organisation,
            establishment_type=establishment_type,
            date=date,
            reason=reason,
            approval_document=(approval_document or "").strip(),
            increase=increase,
            decrease=decrease,
            control=control,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.quota_changed",
            target=entry,
            request=request,
            detail={
                "organisation_id": organisation.pk,
                "establishment_type": establishment_type.code,
                "increase": increase,
                "decrease": decrease,
                "control": control,
                "approved_before": approved,
                "approved_after": after,
                "controlled_after": controlled_after,
                "approval_document": entry.approval_document,
            },
        )
    return entry


def record_post_change(
    *,
    actor,
    organisation: Organisation,
    post: str,
    increase: int = 0,
    decrease: int = 0,
    reason: str,
    approval_document: str = "",
    date: datetime.date,
    request=None,
) -> PostLedgerEntry:
    """职数台账 entry. A decrease below the posts held is refused."""
    if post not in LeadershipPost.values or post == LeadershipPost.NONE:
        raise ValidationError(_("职数类别无效。"), code="invalid_post")
    reason = _clean_text(reason, _("请填写增减职数的事由。"), max_length=200)
    _check_counts(increase, decrease)
    with transaction.atomic():
        require_permission(actor, MANAGE_QUOTA)
        _in_scope(actor, MANAGE_QUOTA, organisation)
        lock_organisations(organisation)
        approved = approved_posts(organisation, post)
        after = approved + increase - decrease
        occupied = occupied_posts(organisation, post)
        if decrease and after < occupied:
            raise ValidationError(
                _(
                    "%(unit)s %(post)s 核定 %(approved)d 名，已配备 %(occupied)d 名；"
                    "核减后只剩 %(after)d 名，不能少于已配备数。"
                )
                % {
                    "unit": organisation.name,
                    "post": LeadershipPost(post).label,
                    "approved": approved,
                    "occupied": occupied,
                    "after": after,
                },
                code="below_occupied",
            )
        entry = PostLedgerEntry.objects.create(
            organisation=organisation,
            post=post,
            date=date,
            reason=reason,
            approval_document=(approval_document or "").strip(),
            increase=increase,
            decrease=decrease,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.posts_changed",
            target=entry,
            request=request,
            detail={
                "organisation_id": organisation.pk,
                "post": post,
                "increase": increase,
                "decrease": decrease,
                "approved_before": approved,
                "approved_after": after,
            },
        )
    return entry


PROFILE_FIELDS = (
    "main_duties",
    "funding_form",
    "institution_category",
    "approval_document",
    "approval_date",
)


def update_unit_profile(*, actor, organisation: Organisation, changes: dict, request=None):
    """三定: main duties, 经费形式, 事业单位类别, approval document and date."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("这些字段不能在此修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))}
        )
    with transaction.atomic():
        require_permission(actor, MANAGE_UNIT)
        _in_scope(actor, MANAGE_UNIT, organisation)
        lock_organisations(organisation)
        profile = UnitProfile.objects.filter(organisation=organisation).first()
        if profile is None:
            profile = UnitProfile(organisation=organisation)
        before = {name: getattr(profile, name) for name in changes}
        for name, value in changes.items():
            if isinstance(value, str):
                value = value.strip()
            setattr(profile, name, value)
        diff = {
            name: [str(before[name] or ""), str(getattr(profile, name) or "")]
            for name in changes
            if before[name] != getattr(profile, name)
        }
        if not diff and profile.pk:
            return profile
        profile.updated_by = actor
        profile.full_clean()
        profile.save()
        record_event(
            actor=actor,
            action="staffing.unit_profile_updated",
            target=organisation,
            request=request,
            detail={"changes": diff},
        )
    return profile


def add_unit_history(
    *,
    actor,
    organisation: Organisation,
    date: datetime.date,
    event: str,
    approval_document: str = "",
    request=None,
) -> UnitHistoryEntry:
    """历史沿革: one event in the unit's history."""
    event = _clean_text(event, _("请填写沿革事项。"), max_length=300)
    with transaction.atomic():
        require_permission(actor, MANAGE_UNIT)
        _in_scope(actor, MANAGE_UNIT, organisation)
        entry = UnitHistoryEntry.objects.create(
            organisation=organisation,
            date=date,
            event=event,
            approval_document=(approval_document or "").strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.unit_history_added",
            target=entry,
            request=request,
            detail={"organisation_id": organisation.pk, "date": date.isoformat(), "event": event},
        )
    return entry


# --- Movements ---------------------------------------------------------------------------


def _notice_for_recruitment(organisation, establishment_type, notice) -> QuotaUseNotice:
    """The cited notice, locked, if valid for this unit and type; else a clear refusal."""
    if notice is None:
        raise ValidationError(_("招录招聘入编必须引用有效的控编通知单。"), code="notice_required")
    locked = QuotaUseNotice.objects.select_for_update().filter(pk=notice.pk).first()
    if locked is None:
        raise ValidationError(_("控编通知单不存在。"), code="notice_invalid")
    if (
        locked.organisation_id != organisation.pk
        or locked.establishment_type_id != establishment_type.pk
    ):
        raise ValidationError(
            _("控编通知单 %(number)s 不是本单位该编制类型的通知单。") % {"number": locked.number},
            code="notice_mismatch",
        )
    if locked.valid_until < timezone.localdate():
        raise ValidationError(
            _("控编通知单 %(number)s 已于 %(date)s 过期。")
            % {"number": locked.number, "date": locked.valid_until.isoformat()},
            code="notice_expired",
        )
    if locked.slots_left <= 0:
        raise ValidationError(
            _("控编通知单 %(number)s 的 %(slots)d 个名额已用完。")
            % {"number": locked.number, "slots": locked.slots},
            code="notice_used_up",
        )
    return locked


def enter_person(
    *,
    actor,
    organisation: Organisation,
    establishment_type: EstablishmentType,
    entry_method: str,
    name: str,
    gender: str,
    birth_date: datetime.date,
    id_number: str,
    date: datetime.date,
    work_start_date: datetime.date | None = None,
    notice: QuotaUseNotice | None = None,
    document: str = "",
    job_title: str = "",
    request=None,
) -> Person:
    """入编: recruitment (cites a 控编通知单 and uses one of its slots), transfer in, or
    military transfer. Refused, writing nothing, when the unit has no free slot."""
    if entry_method not in EntryMethod.values:
        raise ValidationError(_("入编方式无效。"), code="invalid_method")
    name = _clean_text(name, _("请填写姓名。"), max_length=50)
    id_number = (id_number or "").strip().upper()
    if problem := resident_id_problem(id_number):
        raise ValidationError({"id_number": problem})
    with transaction.atomic():
        require_permission(actor, MANAGE_PERSONNEL_LOCKED)
        _in_scope(actor, MANAGE_PERSONNEL_LOCKED, organisation)
        lock_organisations(organisation)
        if (
            Person.objects.filter(Person.id_number.matches(id_number))
            .exclude(status=PersonStatus.HISTORY)
            .exists()
        ):
            raise ValidationError(
                {"id_number": _("该身份证号码的人员已在实名库中（在职或离退），不能重复入编。")},
            )
        if entry_method == EntryMethod.RECRUITMENT:
            notice = _notice_for_recruitment(organisation, establishment_type, notice)
            # The notice's own slot is already reserved: only occupied counts against it.
            _check_slot_free(organisation, establishment_type, counting_promised=False)
        else:
            notice = None
            _check_slot_free(organisation, establishment_type, counting_promised=True)
        person = Person(
            organisation=organisation,
            name=name,
            gender=gender,
            birth_date=birth_date,
            id_number=id_number,
            establishment_type=establishment_type,
            status=PersonStatus.SERVING,
            entered_at=date,
            work_start_date=work_start_date,
            job_title=(job_title or "").strip(),
        )
        person.full_clean(exclude=["organisation", "establishment_type"])
        person.save()
        if notice is not None:
            QuotaUseNotice.objects.filter(pk=notice.pk).update(slots_used=F("slots_used") + 1)
        movement = Movement.objects.create(
            person=person,
            organisation=organisation,
            kind=MovementKind.ENTER,
            method=entry_method,
            establishment_type=establishment_type,
            notice=notice,
            date=date,
            document=(document or "").strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.person_entered",
            target=person,
            request=request,
            detail={
                "movement_id": movement.pk,
                "organisation_id": organisation.pk,
                "establishment_type": establishment_type.code,
                "entry_method": entry_method,
                "notice": notice.number if notice else None,
            },
        )
    return person


def leave_person(
    *,
    actor,
    person: Person,
    leave_method: str,
    date: datetime.date,
    document: str = "",
    request=None,
) -> Person:
    """出编: transfer out, resignation and death make the person history, retirement
    makes them retired; either way the slot (and any leadership post) is freed."""
    if leave_method not in LeaveMethod.values:
        raise ValidationError(_("出编方式无效。"), code="invalid_method")
    with transaction.atomic():
        require_permission(actor, MANAGE_PERSONNEL_LOCKED)
        person = _locked_person(actor, MANAGE_PERSONNEL_LOCKED, person)
        if person.status != PersonStatus.SERVING:
            raise ValidationError(_("%(name)s 不是在职人员，不能出编。") % {"name": person.name})
        lock_organisations(person.organisation)
        before_post = person.post
        person.status = (
            PersonStatus.RETIRED if leave_method == LeaveMethod.RETIREMENT else PersonStatus.HISTORY
        )
        person.post = LeadershipPost.NONE
        person.save(update_fields=["status", "post", "updated_at"])
        movement = Movement.objects.create(
            person=person,
            organisation=person.organisation,
            kind=MovementKind.LEAVE,
            method=leave_method,
            establishment_type=person.establishment_type,
            post=before_post,
            date=date,
            document=(document or "").strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.person_left",
            target=person,
            request=request,
            detail={
                "movement_id": movement.pk,
                "organisation_id": person.organisation_id,
                "leave_method": leave_method,
                "status": person.status,
            },
        )
    return person


def transfer_internal(
    *,
    actor,
    person: Person,
    to_organisation: Organisation,
    date: datetime.date,
    establishment_type: EstablishmentType | None = None,
    document: str = "",
    request=None,
) -> Person:
    """内部调动 to another unit in the actor's scope (or 转编 to another type in the same
    unit). The target's quota is checked with both units locked in id order; a leadership
    post is not carried over (appoint again with ``promote``)."""
    with transaction.atomic():
        require_permission(actor, MANAGE_PERSONNEL_LOCKED)
        person = _locked_person(actor, MANAGE_PERSONNEL_LOCKED, person)
        _in_scope(actor, MANAGE_PERSONNEL_LOCKED, to_organisation)
        if person.status != PersonStatus.SERVING:
            raise ValidationError(_("%(name)s 不是在职人员，不能调动。") % {"name": person.name})
        target_type = establishment_type or person.establishment_type
        if target_type is None:
            raise ValidationError(_("请选择调入后占用的编制类型。"), code="type_required")
        source = person.organisation
        if source.pk == to_organisation.pk and target_type.pk == person.establishment_type_id:
            raise ValidationError(_("调入单位和编制类型与现在相同。"), code="no_change")
        lock_organisations(source, to_organisation)
        _check_slot_free(to_organisation, target_type, counting_promised=True)
        before_type = person.establishment_type
        person.organisation = to_organisation
        person.establishment_type = target_type
        person.post = LeadershipPost.NONE
        person.save()
        movement = Movement.objects.create(
            person=person,
            organisation=to_organisation,
            from_organisation=source,
            kind=MovementKind.TRANSFER,
            method="internal",
            establishment_type=target_type,
            date=date,
            document=(document or "").strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.person_transferred",
            target=person,
            request=request,
            detail={
                "movement_id": movement.pk,
                "from_organisation_id": source.pk,
                "to_organisation_id": to_organisation.pk,
                "from_type": before_type.code if before_type else None,
                "to_type": target_type.code,
            },
        )
    return person


def promote(
    *, actor, person: Person, post: str, date: datetime.date, document: str = "", request=None
) -> Person:
    """职务任免: appoint a serving person to a leadership post (or back to none), within the
    unit's approved posts of that kind."""
    if post not in LeadershipPost.values:
        raise ValidationError(_("领导职务无效。"), code="invalid_post")
    with transaction.atomic():
        require_permission(actor, MANAGE_PERSONNEL_LOCKED)
        person = _locked_person(actor, MANAGE_PERSONNEL_LOCKED, person)
        if person.status != PersonStatus.SERVING:
            raise ValidationError(_("%(name)s 不是在职人员。") % {"name": person.name})
        if person.post == post:
            raise ValidationError(_("该人员已担任此职务。"), code="no_change")
        lock_organisations(person.organisation)
        if post != LeadershipPost.NONE:
            _check_post_free(person.organisation, post)
        before = person.post
        person.post = post
        person.save(update_fields=["post", "updated_at"])
        movement = Movement.objects.create(
            person=person,
            organisation=person.organisation,
            kind=MovementKind.PROMOTE,
            method=post,
            establishment_type=person.establishment_type,
            post=post,
            date=date,
            document=(document or "").strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="staffing.person_promoted",
            target=person,
            request=request,
            detail={"movement_id": movement.pk, "from_post": before, "to_post": post},
        )
    return person


def update_person(*, actor, person: Person, changes: dict, request=None) -> Person:
    """Edit a person's details. Locked fields (name, ID number, birth date, start of work)
    need ``staffing.manage_personnel_locked``; the others ``staffing.edit_personnel``. The
    establishment slot and the post change only through the movement actions."""
    allowed = set(LOCKED_FIELDS) | set(UNLOCKED_FIELDS)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("这些字段不能在此修改：%(fields)s。") % {"fields": "、".join(sorted(unknown))}
        )
    locked_changes = set(changes) & set(LOCKED_FIELDS)
    permission = MANAGE_PERSONNEL_LOCKED if locked_changes else EDIT_PERSONNEL
    if "id_number" in changes:
        changes["id_number"] = (changes["id_number"] or "").strip().upper()
        if problem := resident_id_problem(changes["id_number"]):
            raise ValidationError({"id_number": problem})
    with transaction.atomic():
        if locked_changes and not has_permission(actor, MANAGE_PERSONNEL_LOCKED):
            raise ValidationError(
                _("姓名、身份证号码、出生日期、参加工作时间为锁定信息，只能由编办修改。"),
                code="locked",
            )
        require_permission(actor, permission)
        person = _locked_person(actor, permission, person)
        diff = {}
        for name, value in changes.items():
            if name == "id_number":
                if Person.id_number.unseal(person) != value:
                    if (
                        Person.objects.filter(Person.id_number.matches(value))
                        .exclude(status=PersonStatus.HISTORY)
                        .exclude(pk=person.pk)
                        .exists()
                    ):
                        raise ValidationError({"id_number": _("该身份证号码已被其他人员使用。")})
                    person.id_number = value
                    diff[name] = ["***", "***"]  # never the value in the audit trail
                continue
            if isinstance(value, str):
                value = value.strip()
            before = getattr(person, name)
            if before != value:
                setattr(person, name, value)
                diff[name] = [str(before or ""), str(value or "")]
        if not diff:
            return person
        person.full_clean(exclude=["organisation", "establishment_type"])
        person.save()
        record_event(
            actor=actor,
            action="staffing.person_updated",
            target=person,
            request=request,
            detail={"changes": diff, "locked": sorted(locked_changes & set(diff))},
        )
    return person


# --- Quota-use approval (用编审批) ---------------------------------------------------------


def create_application(
    *,
    actor,
    organisation: Organisation,
    establishment_type: EstablishmentType,
    slots: int,
    reason: str,
    submit: bool = True,
    request=None,
) -> QuotaUseApplication:
    """用编申请; submitted at once unless ``submit=False`` (a draft)."""
    reason = _clean_text(reason, _("请填写用编事由。"), max_length=2000)
    if slots is None or slots < 1:
        raise ValidationError({"slots": _("申请用编数至少为 1 名。")})
    with transaction.atomic():
        require_permission(actor, APPLY_QUOTA_USE)
        _in_scope(actor, APPLY_QUOTA_USE, organisation)
        application = QuotaUseApplication(
            organisation=organisation,
            establishment_type=establishment_type,
            slots=slots,
            reason=reason,
            applicant=actor,
        )
        if submit:
            _start_review(application)
        application.save()
        record_event(
            actor=actor,
            action="staffing.quota_use_applied",
            target=application,
            request=request,
            detail={
                "organisation_id": organisation.pk,
                "establishment_type": establishment_type.code,
                "slots": slots,
                "status": application.status,
            },
        )
    return application


def _start_review(application: QuotaUseApplication) -> None:
    now = timezone.now()
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = now
    application.start(now, QuotaUseApplication.REVIEW_LIMIT_WORKING_DAYS)


def submit_application(*, actor, application: QuotaUseApplication, request=None):
    with transaction.atomic():
        require_permission(actor, APPLY_QUOTA_USE)
        application = _locked_application(actor, APPLY_QUOTA_USE, application)
        if application.status != ApplicationStatus.DRAFT:
            raise ValidationError(_("只有草稿可以提交。"), code="not_draft")
        _start_review(application)
        application.save()
        record_event(
            actor=actor,
            action="staffing.quota_use_submitted",
            target=application,
            request=request,
            detail={"slots": application.slots},
        )
    return application


def _locked_application(actor, permission, application) -> QuotaUseApplication:
    locked = (
        QuotaUseApplication.objects.for_user(actor, permission)
        .select_for_update()
        .filter(pk=application.pk)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def review_figures(organisation, establishment_type) -> dict:
    """What the reviewer sees: approved, occupied, promised, controlled and available."""
    approved = approved_quota(organisation, establishment_type)
    occupied = occupied_quota(organisation, establishment_type)
    promised = promised_quota(organisation, establishment_type)
    controlled = max(controlled_quota(organisation, establishment_type), 0)
    return {
        "approved": approved,
        "occupied": occupied,
        "promised": promised,
        "controlled": controlled,
        "available": approved - occupied - promised - controlled,
    }


def _next_notice_number(prefix: str, year: int) -> str:
    """``成编控〔2026〕12号``: the next number of the per-year counter, taken under a row lock."""
    counter = NoticeCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                NoticeCounter.objects.create(prefix=prefix, year=year, last_number=0)
        except IntegrityError:
            pass  # created by a concurrent approval: lock it below
        counter = NoticeCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{prefix}〔{year}〕{counter.last_number}号"


def notice_prefix(actor) -> str:
    """成编控 for a reviewer in 成都市: the first character of the division, 编控."""
    organisation = getattr(actor, "organisation", None)
    head = organisation.division.name[:1] if organisation else ""
    return f"{head}编控"


def approve_application(
    *,
    actor,
    application: QuotaUseApplication,
    valid_until: datetime.date | None = None,
    request=None,
) -> QuotaUseNotice:
    """核准: issue a numbered 控编通知单. Refused when approved − occupied − promised is
    less than the slots requested."""
    with transaction.atomic():
        require_permission(actor, REVIEW_QUOTA_USE)
        application = _locked_application(actor, REVIEW_QUOTA_USE, application)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ValidationError(_("该申请不是待审核状态。"), code="not_submitted")
        organisation = application.organisation
        establishment_type = application.establishment_type
        lock_organisations(organisation)
        figures = review_figures(organisation, establishment_type)
        if figures["available"] < application.slots:
            raise ValidationError(
                _(
                    "%(unit)s %(type)s 核定 %(approved)d 名，已占用 %(occupied)d 名，"
                    "已核准待用 %(promised)d 名，控编 %(controlled)d 名，"
                    "可用空编 %(available)d 名，不足申请的 %(slots)d 名，不能核准。"
                )
                % {
                    "unit": organisation.name,
                    "type": establishment_type.name,
                    "slots": application.slots,
                    **figures,
                },
                code="insufficient",
            )
        today = timezone.localdate()
        valid_until = valid_until or today + datetime.timedelta(days=NOTICE_VALID_DAYS)
        if valid_until < today:
            raise ValidationError({"valid_until": _("有效期不能早于今天。")})
        now = timezone.now()
        notice = QuotaUseNotice.objects.create(
            number=_next_notice_number(notice_prefix(actor), today.year),
            application=application,
            organisation=organisation,
            establishment_type=establishment_type,
            slots=application.slots,
            valid_until=valid_until,
            issued_by=actor,
        )
        application.status = ApplicationStatus.APPROVED
        application.reviewer = actor
        application.decided_at = now
        application.finish(now)
        application.save()
        record_event(
            actor=actor,
            action="staffing.quota_use_approved",
            target=application,
            request=request,
            detail={
                "notice": notice.number,
                "slots": notice.slots,
                "valid_until": valid_until.isoformat(),
                **figures,
            },
        )
        notify(
            recipient=application.applicant,
            subject=_("用编申请已核准：%(number)s") % {"number": notice.number},
            body=_(
                "%(unit)s 申请使用 %(type)s %(slots)d 名已核准，控编通知单 %(number)s，"
                "有效期至 %(date)s。"
            )
            % {
                "unit": organisation.name,
                "type": establishment_type.name,
                "slots": notice.slots,
                "number": notice.number,
                "date": valid_until.isoformat(),
            },
            about=application,
        )
    return notice


def refuse_application(
    *, actor, application: QuotaUseApplication, reasons: str, request=None
) -> QuotaUseApplication:
    """不予核准, with the reasons (required), told to the applicant."""
    reasons = _clean_text(reasons, _("不予核准必须填写理由。"), max_length=2000)
    with transaction.atomic():
        require_permission(actor, REVIEW_QUOTA_USE)
        application = _locked_application(actor, REVIEW_QUOTA_USE, application)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ValidationError(_("该申请不是待审核状态。"), code="not_submitted")
        now = timezone.now()
        application.status = ApplicationStatus.REFUSED
        application.reviewer = actor
        application.decided_at = now
        application.refusal_reasons = reasons
        application.finish(now)
        application.save()
        record_event(
            actor=actor,
            action="staffing.quota_use_refused",
            target=application,
            request=request,
            detail={"reasons": reasons},
        )
        notify(
            recipient=application.applicant,
            subject=_("用编申请未核准"),
            body=_("%(unit)s 申请使用 %(type)s %(slots)d 名未予核准。理由：%(reasons)s")
            % {
                "unit": application.organisation.name,
                "type": application.establishment_type.name,
                "slots": application.slots,
                "reasons": reasons,
            },
            about=application,
        )
    return application


def working_days_left(application: QuotaUseApplication):
    """Working days left for the review (for pages); None before submission."""
    return application.remaining_working_days() if application.due_at else None
