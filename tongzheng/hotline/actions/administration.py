"""热线配置: subjects (诉求分类), dispatch rules (派单规则), mailboxes (领导信箱), Open311 keys.

Every write here needs ``hotline.manage_hotline`` (the hotline centre), runs in one
transaction and leaves one audit record. Bad input raises ``ValidationError`` with a
Chinese message and writes nothing.

The Open311 key actions also serve the console (``tongzheng open311 key NAME``): there
``actor`` is None — whoever runs the server's console already holds every key — and the
audit record names the console instead of a user.
"""

import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import require_permission
from tongzheng.core.models import Division, Organisation
from tongzheng.hotline.models import DispatchRule, MailBox, Open311Client, Subject
from tongzheng.hotline.open311 import key_hash
from tongzheng.hotline.queries_administration import may_configure

MANAGE = "hotline.manage_hotline"
CONSOLE_ACTOR_NAME = "命令行"
SUBJECT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
SLUG = re.compile(r"^[a-z0-9-]{1,40}$")


def _check_actor(actor) -> str:
    """The audit actor name; the console (actor None) needs no permission."""
    if actor is None:
        return CONSOLE_ACTOR_NAME
    require_permission(actor, MANAGE)
    return ""


def _check_place(actor, division: Division | None, existing=None) -> None:
    """Rules and mailboxes: only in the actor's own division and below (see the queries)."""
    if actor is None:
        return
    if existing is not None and existing.pk and not may_configure(actor, existing.division):
        raise PermissionDenied(_("您不能修改其他行政区划的配置。"))
    if not may_configure(actor, division):
        if division is None:
            raise ValidationError(_("只有全部数据范围的管理员才能设置适用于所有区划的规则。"))
        raise ValidationError(_("只能配置本单位所在行政区划及其下级区划。"))


def _text(value: str, *, limit: int, message: str, required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit:
        raise ValidationError(message)
    return value


# --- Subjects (诉求分类) ---------------------------------------------------------------


def create_subject(*, actor, code: str, name: str, order: int = 100, request=None) -> Subject:
    """新增诉求分类; the code is the Open311 service_code and never changes."""
    _check_actor(actor)
    code = (code or "").strip()
    if not SUBJECT_CODE.match(code):
        raise ValidationError(_("分类代码须为 1 至 16 位字母、数字、下划线或连字符。"))
    name = _text(name, limit=50, message=_("请填写分类名称（不超过 50 个字）。"))
    with transaction.atomic():
        if Subject.objects.filter(code=code).exists():
            raise ValidationError(_("分类代码 %(code)s 已存在。") % {"code": code})
        subject = Subject.objects.create(code=code, name=name, order=order)
        record_event(
            actor=actor,
            action="hotline.subject_created",
            target=subject,
            request=request,
            detail={"code": code, "name": name},
        )
    return subject


def update_subject(
    *, actor, subject: Subject, name: str, order: int, active: bool, request=None
) -> Subject:
    """改名、调整排序、停用或启用诉求分类 (tickets keep their subject when it is stopped)."""
    _check_actor(actor)
    name = _text(name, limit=50, message=_("请填写分类名称（不超过 50 个字）。"))
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        before = {"name": subject.name, "order": subject.order, "active": subject.active}
        subject.name, subject.order, subject.active = name, order, active
        subject.save(update_fields=["name", "order", "active"])
        record_event(
            actor=actor,
            action="hotline.subject_updated",
            target=subject,
            request=request,
            detail={"before": before, "after": {"name": name, "order": order, "active": active}},
        )
    return subject


# --- Dispatch rules (派单规则) ---------------------------------------------------------


def save_dispatch_rule(
    *,
    actor,
    subject: Subject,
    division: Division | None,
    organisation: Organisation,
    active: bool = True,
    rule: DispatchRule | None = None,
    request=None,
) -> DispatchRule:
    """新增或修改派单规则: one rule per subject and place (the most specific one wins)."""
    _check_actor(actor)
    _check_place(actor, division, rule)
    if not organisation.is_active:
        raise ValidationError(_("承办单位已撤销，不能作为派单对象。"))
    # The organisation serves the rule's place: it sits in it, or above it (a city bureau
    # handling one county's tickets).
    if division is not None and not (
        organisation.division_path.startswith(division.path)
        or division.path.startswith(organisation.division_path)
    ):
        raise ValidationError(_("承办单位不在该行政区划或其上级区划内。"))
    path = division.path if division else ""
    with transaction.atomic():
        clash = DispatchRule.objects.filter(subject=subject, division_path=path)
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        if clash.exists():
            raise ValidationError(_("该诉求分类在该行政区划已有派单规则，请修改原规则。"))
        created = rule is None
        rule = rule or DispatchRule()
        rule.subject, rule.division, rule.division_path = subject, division, path
        rule.organisation, rule.active = organisation, active
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError as exc:  # a concurrent save of the same place
            raise ValidationError(_("该诉求分类在该行政区划已有派单规则，请修改原规则。")) from exc
        record_event(
            actor=actor,
            action="hotline.rule_created" if created else "hotline.rule_updated",
            target=rule,
            request=request,
            detail={
                "subject": subject.code,
                "division": division.code if division else "",
                "organisation": organisation.pk,
                "active": active,
            },
        )
    return rule


def delete_dispatch_rule(*, actor, rule: DispatchRule, request=None) -> None:
    """删除派单规则 (tickets already dispatched keep their organisation)."""
    _check_actor(actor)
    _check_place(actor, rule.division, rule)
    with transaction.atomic():
        detail = {
            "subject": rule.subject.code,
            "division_path": rule.division_path,
            "organisation": rule.organisation_id,
        }
        record_event(
            actor=actor,
            action="hotline.rule_deleted",
            target=rule,
            request=request,
            detail=detail,
        )
        rule.delete()


# --- Mailboxes (领导信箱) --------------------------------------------------------------


def save_mailbox(
    *,
    actor,
    slug: str,
    title: str,
    leader_name: str,
    organisation: Organisation,
    division: Division,
    active: bool = True,
    order: int = 100,
    mailbox: MailBox | None = None,
    request=None,
) -> MailBox:
    """新增或修改领导信箱; the slug is its address on the portal and never changes."""
    _check_actor(actor)
    _check_place(actor, division, mailbox)
    title = _text(title, limit=100, message=_("请填写信箱名称（不超过 100 个字）。"))
    leader_name = _text(
        leader_name, limit=50, message=_("领导姓名不能超过 50 个字。"), required=False
    )
    if not organisation.is_active:
        raise ValidationError(_("所属机关已撤销。"))
    with transaction.atomic():
        created = mailbox is None
        if created:
            slug = (slug or "").strip()
            if not SLUG.match(slug):
                raise ValidationError(_("信箱标识须为 1 至 40 位小写字母、数字或连字符。"))
            if MailBox.objects.filter(slug=slug).exists():
                raise ValidationError(_("信箱标识 %(slug)s 已被使用。") % {"slug": slug})
            mailbox = MailBox(slug=slug)
        mailbox.title, mailbox.leader_name = title, leader_name
        mailbox.organisation, mailbox.division = organisation, division
        mailbox.active, mailbox.order = active, order
        mailbox.save()
        record_event(
            actor=actor,
            action="hotline.mailbox_created" if created else "hotline.mailbox_updated",
            target=mailbox,
            request=request,
            detail={
                "slug": mailbox.slug,
                "title": title,
                "organisation": organisation.pk,
                "division": division.code,
                "active": active,
            },
        )
    return mailbox


# --- Open311 keys ----------------------------------------------------------------------


def issue_open311_key(*, actor, name: str, request=None) -> tuple[Open311Client, str]:
    """签发 Open311 API 密钥: returns the client and the key, shown once and never stored."""
    actor_name = _check_actor(actor)
    name = _text(name, limit=100, message=_("请填写客户端名称（不超过 100 个字）。"))
    key = secrets.token_urlsafe(30)
    with transaction.atomic():
        if Open311Client.objects.filter(name=name).exists():
            raise ValidationError(_("客户端名称 %(name)s 已存在。") % {"name": name})
        client = Open311Client.objects.create(
            name=name,
            key_prefix=key[:8],
            key_hash=key_hash(key),
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        record_event(
            actor=actor,
            actor_name=actor_name,
            action="hotline.open311_key_issued",
            target=client,
            request=request,
            detail={"name": name, "prefix": client.key_prefix},
        )
    return client, key


def revoke_open311_key(*, actor, client: Open311Client, request=None) -> Open311Client:
    """吊销 Open311 API 密钥: the key stops working at once; its past requests stay."""
    actor_name = _check_actor(actor)
    with transaction.atomic():
        client = Open311Client.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            raise ValidationError(_("该密钥已吊销。"))
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            actor_name=actor_name,
            action="hotline.open311_key_revoked",
            target=client,
            request=request,
            detail={"name": client.name, "prefix": client.key_prefix},
        )
    return client
