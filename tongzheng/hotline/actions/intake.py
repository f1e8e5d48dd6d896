"""受理: public, phone, mailbox and 12310 intake, and the reporter's 追加.

Public intake and follow-up have no actor (公众, no account) or a signed-in citizen /
enterprise account; phone intake (电话受理) needs a staff operator with
``hotline.take_call``. Every ticket's clock (``core.timed.TimedTask``) starts at intake
with the limit for its type and urgency (``models.limit_for``); an emergency ticket also
gets its dispatch time limit (``dispatch_due_at``, ``models.dispatch_deadline``).
"""

import hmac

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import require_permission
from tongzheng.core.sequences import reserve_ids
from tongzheng.core.uploads import check_upload
from tongzheng.core.validators import normalise_phone
from tongzheng.hotline.models import (
    Attachment,
    Channel,
    Ticket,
    TicketType,
    TicketUpdate,
    UpdateKind,
    Urgency,
    dispatch_deadline,
    hash_code,
    limit_for,
    new_extraction_code,
)
from tongzheng.hotline.queries_public import PublicTicket, public_ticket
from tongzheng.hotline.text import token_string

PUBLIC_ACTOR_NAME = "公众"
NOT_FOUND_MESSAGE = _("工单编号或提取码不正确。")

MAX_ATTACHMENTS = 3
ATTACHMENT_KINDS = ("jpg", "png", "pdf")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024

# 12310 受理范围 (DOMAIN.md §2): what the reporter says the matter is. Only a violation of
# establishment discipline is accepted; every other answer is refused at intake with where
# to go instead, and nothing is saved.
MATTER_VIOLATION = "violation"
NOT_ACCEPTED_MATTERS = {
    "litigation": (
        _("应当通过诉讼、仲裁、行政复议等途径解决的事项"),
        _(
            "12310 不受理应当通过诉讼、仲裁、行政复议解决的事项，"
            "请依法向人民法院、仲裁机构或行政复议机关提出。"
        ),
    ),
    "personal": (
        _("个人安置、工资待遇等个人问题"),
        _("12310 不受理个人安置、待遇问题，请向所在单位或组织人事、人力资源社会保障部门反映。"),
    ),
    "repeat": (
        _("已举报过、没有新情况新证据的同一事项"),
        _(
            "12310 不受理没有新情况、新证据的重复举报。"
            "如有新情况，请用原工单编号和提取码在“查询工单”中追加信息。"
        ),
    ),
    "disclosure": (
        _("政府信息公开申请"),
        _("12310 不受理政府信息公开申请，请向相关行政机关依申请公开渠道提出。"),
    ),
    "enquiry": (
        _("一般性咨询"),
        _("12310 不受理一般性咨询，请通过 12345 热线或网上提交选择“咨询”类型。"),
    ),
}
MATTER_CHOICES = [
    (MATTER_VIOLATION, _("机构编制违规违纪行为（受理范围内）")),
    *((key, label) for key, (label, _message) in NOT_ACCEPTED_MATTERS.items()),
]


def not_accepted_message(matter: str) -> str | None:
    """The refusal for a 12310 matter outside the accepted scope, or None when accepted."""
    entry = NOT_ACCEPTED_MATTERS.get(matter)
    return str(entry[1]) if entry else None


def _number_for(channel: str, pk: int, received_at) -> str:
    line = "12310" if channel == Channel.R12310 else "12345"
    day = timezone.localdate(received_at).strftime("%Y%m%d")
    return f"{line}-{day}-{pk:06d}"


# The upload helpers below are shared with 答复 (``actions.handling.reply``): a reply's files
# get the same checks and the same clean-up as the reporter's.


def checked_uploads(files) -> list:
    """Up to ``MAX_ATTACHMENTS`` files, each checked (type by content, size); raises
    ``ValidationError`` before anything is written."""
    files = [file for file in (files or []) if file]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            gettext("最多上传 %(count)d 个附件。") % {"count": MAX_ATTACHMENTS}, code="count"
        )
    return [
        (
            file,
            check_upload(file, kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX_BYTES),
        )
        for file in files
    ]


def store_attachments(ticket: Ticket, checked, *, update=None, into: list) -> None:
    """Save checked files inside the caller's transaction, each listed in ``into`` as soon
    as it is on disk: when anything fails, the caller passes ``into`` to ``remove_files``."""
    for file, info in checked:
        attachment = Attachment(
            ticket=ticket,
            update=update,
            name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
        )
        attachment.file.save(info.name, file, save=False)
        # Listed before the row is saved: a failure after this point removes the file.
        into.append(attachment)
        attachment.save()


def remove_files(attachments) -> None:
    for attachment in attachments:
        attachment.file.delete(save=False)


def _is_public_account(actor) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "kind", "staff") in (
        "citizen",
        "enterprise",
    )


# The enums' values, read once (``Choices.values`` builds its list anew on every read).
_CHANNELS = tuple(Channel.values)
_TYPES = tuple(TicketType.values)
_URGENCIES = tuple(Urgency.values)


def _validate(data: dict, actor) -> None:
    channel = data["channel"]
    if channel not in _CHANNELS:
        raise ValidationError(gettext("提交渠道不正确。"), code="channel")
    if data["type"] not in _TYPES:
        raise ValidationError(gettext("类型不正确。"), code="type")
    if data.get("urgency", Urgency.NORMAL) not in _URGENCIES:
        raise ValidationError(gettext("紧急程度不正确。"), code="urgency")
    if not (data.get("content") or "").strip():
        raise ValidationError(gettext("请填写内容。"), code="content")
    if channel == Channel.PHONE:
        require_permission(actor, "hotline.take_call")
    if channel == Channel.MAILBOX:
        mailbox = data.get("mailbox")
        if mailbox is None or not mailbox.active:
            raise ValidationError(gettext("请选择启用中的领导信箱。"), code="mailbox")
        if data["type"] == TicketType.REPORT:
            raise ValidationError(gettext("领导信箱只受理咨询、投诉、建议、求助。"), code="type")
    if channel == Channel.R12310:
        refusal = not_accepted_message(data.get("matter") or MATTER_VIOLATION)
        if refusal:
            raise ValidationError(refusal, code="not_accepted")
        if not data.get("category"):
            raise ValidationError(gettext("12310 举报必须选择举报类别。"), code="category")


def _operator_division(actor):
    organisation = getattr(actor, "organisation", None)
    return organisation.division if organisation is not None else None


def _default_division():
    from django.conf import settings

    from tongzheng.core.models import Division

    code = getattr(settings, "HOTLINE_DEFAULT_DIVISION", "")
    return Division.objects.filter(code=code).first() if code else None


def create_ticket(*, actor=None, data: dict, request=None) -> tuple[Ticket, str]:
    """受理: one ticket, its attachments and its audit record; the clock starts now.

    ``data`` keys: channel, type, content, and optionally category, matter (12310),
    urgency, subject, title, address, latitude, longitude, division, reporter_name,
    reporter_phone, anonymous, confidential, mailbox, recording_ref, attachments (uploaded
    files, checked by ``core.uploads``). Phone intake needs ``hotline.take_call`` and
    records the actor as operator; a signed-in citizen or enterprise becomes the ticket's
    account. Returns the ticket and the plain 提取码 (shown once).
    """
    _validate(data, actor)
    checked = checked_uploads(data.get("attachments"))
    code = new_extraction_code()
    now = timezone.now()
    mailbox = data.get("mailbox") if data["channel"] == Channel.MAILBOX else None
    division = data.get("division") or (mailbox.division if mailbox else None)
    if division is None and data["channel"] == Channel.PHONE:
        # A call reaches the centre of its own area: without a division the ticket would be
        # outside the centre's scope (本区划及下级), so not even the operator who took it
        # could open or dispatch it.
        division = _operator_division(actor)
    if division is None:
        # A web, 12310 or Open311 report without a place goes to the hotline centre's own
        # area (settings.HOTLINE_DEFAULT_DIVISION): a ticket without a division is outside
        # every division-scoped centre and only an ALL-scope user could ever see it.
        division = _default_division()
    urgency = data.get("urgency") or Urgency.NORMAL
    title = (data.get("title") or "").strip()
    content = data["content"].strip()
    address = (data.get("address") or "").strip()
    anonymous = bool(data.get("anonymous"))
    phone_intake = data["channel"] == Channel.PHONE
    stored = []
    try:
        with transaction.atomic():
            # The number comes from the primary key, so it is unique without a counter
            # race; the key is drawn first (the table's sequence) so that the ticket is one
            # INSERT with its number and code hash. Writing them afterwards was an UPDATE
            # of an indexed column: a second row version, an entry in each of the table's
            # ~25 indexes and the open-task trigger once more, on every ticket filed.
            pk = reserve_ids(Ticket, 1)[0]
            number = _number_for(data["channel"], pk, now)
            ticket = Ticket(
                pk=pk,
                number=number,
                code_hash=hash_code(number, code),
                channel=data["channel"],
                type=data["type"],
                category=data.get("category") or "",
                urgency=urgency,
                dispatch_due_at=dispatch_deadline(now, urgency),
                subject=data.get("subject"),
                mailbox=mailbox,
                title=title,
                content=content,
                address=address,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                reporter_name="" if anonymous else (data.get("reporter_name") or "").strip(),
                anonymous=anonymous,
                confidential=bool(data.get("confidential")),
                division=division,
                division_path=division.path if division else "",
                operator=actor if phone_intake else None,
                recording_ref=(data.get("recording_ref") or "").strip() if phone_intake else "",
                account=actor if _is_public_account(actor) else None,
                search_tokens=token_string(title, content, address),
            )
            # A caller who will not give a name still called from a number (caller ID).
            keep_phone = phone_intake or not anonymous
            ticket.reporter_phone = (
                normalise_phone(data.get("reporter_phone")) if keep_phone else ""
            )
            ticket.start(now, limit_for(ticket.type, urgency))
            ticket.save(force_insert=True)
            store_attachments(ticket, checked, into=stored)
            record_event(
                actor=actor,
                actor_name="" if getattr(actor, "pk", None) else PUBLIC_ACTOR_NAME,
                action="hotline.ticket_created",
                target=ticket,
                request=request,
                detail={
                    "channel": ticket.channel,
                    "type": ticket.type,
                    "urgency": ticket.urgency,
                    "attachments": len(stored),
                },
            )
    except BaseException:
        remove_files(stored)
        raise
    return ticket, code


def _matching(ticket, number: str, code: str):
    """``ticket`` when the code is its 提取码, else None; the same hashing when there is no
    ticket, so an unknown number answers no faster than a wrong code."""
    if ticket is None:
        hash_code(number, code)
        return None
    return ticket if hmac.compare_digest(ticket.code_hash, hash_code(ticket.number, code)) else None


def find_ticket(number: str, code: str) -> Ticket | None:
    """The ticket when number and code match; None otherwise (one generic answer for both)."""
    # number is unique: no ORDER BY (``first()`` would compile the model's default
    # ordering, hashing each of the ticket's ~100 columns).
    ticket = next(iter(Ticket.objects.filter(number=number.strip()).order_by()[:1]), None)
    return _matching(ticket, number, code)


def find_public_ticket(number: str, code: str) -> PublicTicket | None:
    """查询工单: what the reporter may see of the ticket (``queries_public``, one query)
    when number and code match; None otherwise."""
    return _matching(public_ticket(number.strip()), number, code)


def append_information(
    *, actor=None, ticket: Ticket, content: str, attachments=None, request=None
) -> TicketUpdate:
    """追加: the reporter adds information (and up to three files) to a ticket found by
    number and 提取码."""
    content = (content or "").strip()
    if not content:
        raise ValidationError(gettext("请填写追加的信息。"), code="content")
    checked = checked_uploads(attachments)
    stored = []
    try:
        with transaction.atomic():
            update = TicketUpdate.objects.create(
                ticket=ticket, kind=UpdateKind.ADDITION, content=content, public=True
            )
            store_attachments(ticket, checked, update=update, into=stored)
            record_event(
                actor=actor,
                actor_name="" if getattr(actor, "pk", None) else PUBLIC_ACTOR_NAME,
                action="hotline.information_added",
                target=ticket,
                request=request,
                detail={"update": update.pk, "attachments": len(stored)},
            )
    except BaseException:
        remove_files(stored)
        raise
    return update
