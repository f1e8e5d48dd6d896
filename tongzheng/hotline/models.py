"""热线与信箱工单 (12345 / 12310 / 领导信箱): tickets from every channel, dispatch, handling, revisit.

One ``Ticket`` (工单, GB/T 33358-2016) per request, whatever the channel. Its history is a
list of ``TicketUpdate`` rows (追加, 答复, 派单, 催办 …); departments work through
``Assignment`` rows (one lead 主办, any number of assisting 协办); the ticket's clock is a
``core.timed.TimedTask`` in working days by type and urgency.

Scope: the hotline centre (热线中心) reads by the ticket's own division
(``division_path``), a handling department by the lead organisation (``organisation``) or
by its own ``Assignment``. Confidential reporters (要求保密) are visible to the centre only
(permission ``hotline.view_reporter``).
"""

import datetime
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.crypto import sm3_hex
from tongzheng.core.fields import SealedValue
from tongzheng.core.timed import TimedTask, TimedTaskQuerySet

# 提取码: 10 characters from 31 unambiguous ones (about 49.5 bits).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class Channel(models.TextChoices):
    WEB = "web", _("网上")
    PHONE = "phone", _("电话")
    MAILBOX = "mailbox", _("领导信箱")
    R12310 = "12310", _("12310 举报")


class TicketType(models.TextChoices):
    ENQUIRY = "enquiry", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    HELP = "help", _("求助")
    REPORT = "report", _("举报")


class Category12310(models.TextChoices):
    """The seven accepted categories of 12310 reports (DOMAIN.md §2)."""

    THREE_DETERMINATIONS = "sanding", _("不执行“三定”规定")
    UNAPPROVED_UNITS = "units", _("擅自设立、合并、更名机构或提高机构规格")
    ESTABLISHMENT_TOTAL = "total", _("擅自增加编制类型或突破行政编制总额")
    ILLEGAL_APPROVAL = "approval", _("违规审批编制或领导职数")
    FALSE_DATA = "data", _("虚报、瞒报统计、登记或实名制数据")
    INTERFERENCE = "interference", _("上级部门干预下级机构编制（条条干预）")
    OTHER = "other", _("其他违反机构编制纪律的行为")


class TicketStatus(models.TextChoices):
    RECEIVED = "received", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    NOT_ACCEPTED = "not_accepted", _("不予受理")


OPEN_STATUSES = (
    TicketStatus.RECEIVED,
    TicketStatus.DISPATCHED,
    TicketStatus.HANDLING,
    TicketStatus.ANSWERED,
)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    EMERGENCY = "emergency", _("特急")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# Handling limits in working days by type (DOMAIN.md §6); the defaults of
# ``settings.HOTLINE_LIMITS`` (see ``limit_for``). Urgent and emergency tickets are due the
# same day (0 working days).
LIMIT_WORKING_DAYS = {
    TicketType.ENQUIRY: 3,
    TicketType.HELP: 3,
    TicketType.COMPLAINT: 13,
    TicketType.SUGGESTION: 13,
    TicketType.REPORT: 13,
}


def limit_for(ticket_type: str, urgency: str = Urgency.NORMAL) -> int:
    """The handling limit in working days for a type and urgency (configurable in settings)."""
    configured = getattr(settings, "HOTLINE_LIMITS", {})
    if urgency != Urgency.NORMAL:
        return int(configured.get(urgency, 0))
    return int(configured.get(ticket_type, LIMIT_WORKING_DAYS[ticket_type]))


#: Minutes from receipt to dispatch for an emergency (特急) ticket (DOMAIN.md §6: "1 小时
#:内派单"); ``settings.HOTLINE_EMERGENCY_DISPATCH_MINUTES`` overrides it.
DEFAULT_EMERGENCY_DISPATCH_MINUTES = 60


def dispatch_deadline(received_at: datetime.datetime, urgency: str) -> datetime.datetime | None:
    """When a ticket received at ``received_at`` must be dispatched: emergency only.

    Minutes on the wall clock, not working days: an emergency does not wait for Monday.
    """
    if urgency != Urgency.EMERGENCY:
        return None
    minutes = int(
        getattr(settings, "HOTLINE_EMERGENCY_DISPATCH_MINUTES", DEFAULT_EMERGENCY_DISPATCH_MINUTES)
    )
    return received_at + datetime.timedelta(minutes=minutes)


class Subject(models.Model):
    """诉求分类 (城市管理、交通出行、教育 …): what a ticket is about; dispatch rules key on it."""

    code = models.CharField(_("代码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class MailBox(models.Model):
    """领导信箱: a named leader's box; letters to it are tickets of channel ``mailbox``."""

    slug = models.SlugField(_("标识"), max_length=40, unique=True)
    title = models.CharField(_("信箱名称"), max_length=100)  # e.g. 市长信箱
    leader_name = models.CharField(_("领导姓名"), max_length=50, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("所属机关"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("领导信箱")
        verbose_name_plural = _("领导信箱")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


def new_extraction_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(number: str, code: str) -> str:
    """SM3 of the number and the normalised code."""
    return sm3_hex(f"{number}:{code.strip().upper()}".encode())


class TicketQuerySet(TimedTaskQuerySet):
    def open_tickets(self):
        return self.filter(status__in=OPEN_STATUSES)

    def dispatch_overdue(self, now=None):
        """Emergency tickets still waiting for their first dispatch past ``dispatch_due_at``
        (the partial index ``hotline_ticket_dispatch_due`` holds exactly the waiting ones)."""
        return self.filter(
            status=TicketStatus.RECEIVED,
            dispatched_at__isnull=True,
            dispatch_due_at__lt=now or timezone.now(),
        )


class Ticket(TimedTask):
    """工单 (GB/T 33358-2016); the clock is the handling limit of the whole ticket."""

    number = models.CharField(_("工单编号"), max_length=32, unique=True)
    code_hash = models.CharField(_("提取码摘要"), max_length=64, editable=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    type = models.CharField(_("类型"), max_length=16, choices=TicketType.choices)
    category = models.CharField(
        _("举报类别"), max_length=16, choices=Category12310.choices, blank=True
    )
    content = models.TextField(_("内容"))
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    reporter_name = models.CharField(_("姓名"), max_length=50, blank=True)
    reporter_phone = SealedValue(_("联系电话"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    confidential = models.BooleanField(_("要求保密"), default=False)
    division = models.ForeignKey(
        "core.Division",
        verbose_name=_("行政区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    division_path = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.RECEIVED
    )
    created_at = models.DateTimeField(_("受理时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("诉求分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    mailbox = models.ForeignKey(
        MailBox,
        verbose_name=_("领导信箱"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
    )
    title = models.CharField(_("标题"), max_length=100, blank=True)
    # Phone intake (电话受理): the operator who took the call and the recording's reference.
    # The caller's number is ``reporter_phone``.
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("话务员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recording_ref = models.CharField(_("录音编号"), max_length=64, blank=True)
    # A signed-in citizen or enterprise who filed it (their "我的诉求" list).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 合并: a duplicate points at the ticket that is handled; its reporter is kept informed.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    not_accepted_reason = models.CharField(_("不予受理理由"), max_length=200, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    # 特急件派单时限: set at intake for an emergency ticket (``dispatch_deadline``), else
    # null. Whether it is overdue is derived when read (``dispatch_overdue``), like the
    # red and yellow cards; ``hotline_followups`` raises the supervision warning once.
    dispatch_due_at = models.DateTimeField(_("派单时限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveIntegerField(_("重办次数"), default=0)
    # 公开: an answered mailbox letter the centre chose to publish (without personal data).
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    published_title = models.CharField(_("公开标题"), max_length=100, blank=True)
    published_content = models.TextField(_("公开内容"), blank=True)
    published_reply = models.TextField(_("公开答复"), blank=True)
    # jieba tokens of title, content and address separated by spaces, for full-text search
    # and the dispatch classifier (see ``hotline.text``).
    search_tokens = models.TextField(_("检索词"), blank=True, editable=False)

    objects = TicketQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation", division_path="division_path")

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The centre's list: ORDER BY due_at, id (keyset pages), all or by status. With
            # the id in the index the first 21 rows are read in order; on (due_at) or
            # (status, due_at) every ticket sharing the last deadline (a NULL one: every
            # ticket not yet dispatched) was read and sorted (5 M tickets: 3.9 -> 1.5 ms,
            # "received" 13.7 -> 0.6 ms; docs/benchmarks.md).
            models.Index(fields=["due_at", "id"], name="hotline_ticket_due_id"),
            models.Index(fields=["status", "due_at", "id"], name="hotline_ticket_status_due_id"),
            models.Index(fields=["organisation", "status"], name="hotline_ticket_org_status"),
            # On PostgreSQL this index also INCLUDEs type and satisfaction (migration 0012,
            # in SQL: Django's `include` warns on SQLite, models.W040), so the portal's
            # public totals are an index-only scan of the last year.
            models.Index(fields=["created_at"], name="hotline_ticket_created_cover"),
            # (reporter_phone_index has its own index: SealedValue's blind index.)
            # Duplicate check at intake: recent tickets of one division (ticket intake p95).
            models.Index(
                fields=["division_path", "-created_at"], name="hotline_ticket_div_created"
            ),
            # Supervision dashboard (电子监察): the open tickets of a division counted by
            # clock status from the index alone, and the red / yellow lists read in
            # deadline order without walking the finished history (docs/supervision.md).
            models.Index(
                fields=["division_path", "organisation", "due_at", "warning_at", "paused_since"],
                opclasses=["varchar_pattern_ops", "", "", "", ""],
                condition=models.Q(finished_at__isnull=True),
                name="hotline_ticket_open_scope",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(finished_at__isnull=True),
                name="hotline_ticket_open_due",
            ),
            # Emergency tickets waiting for their first dispatch (a handful at any time):
            # the follow-up run and the centre's overdue mark read them without a scan.
            models.Index(
                fields=["dispatch_due_at"],
                condition=models.Q(
                    dispatch_due_at__isnull=False, dispatched_at__isnull=True, status="received"
                ),
                name="hotline_ticket_dispatch_due",
            ),
        ]

    def __str__(self):
        return self.number

    def check_code(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_code(self.number, code))

    def save(self, *args, **kwargs):
        # A copy redacted for a handling department (queries.redact_reporter) has blank
        # reporter fields; saving it would erase the real ones.
        if getattr(self, "reporter_redacted", False):
            raise ValueError("a ticket redacted for display cannot be saved")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("hotline:ticket_detail", args=[self.number])

    def timed_title(self) -> str:
        return f"{self.number} {self.title or self.content[:20]}"

    def dispatch_overdue_at(self, now: datetime.datetime | None = None) -> bool:
        """超时未派单: an emergency ticket still waiting for dispatch past its time limit."""
        return (
            self.dispatch_due_at is not None
            and self.dispatched_at is None
            and self.status == TicketStatus.RECEIVED
            and (now or timezone.now()) > self.dispatch_due_at
        )

    @property
    def dispatch_overdue(self) -> bool:
        return self.dispatch_overdue_at()

    @property
    def dispatched_late(self) -> bool:
        """超时派单: first dispatched after the emergency time limit (for statistics)."""
        return (
            self.dispatch_due_at is not None
            and self.dispatched_at is not None
            and self.dispatched_at > self.dispatch_due_at
        )

    @classmethod
    def inbox_for_user(cls, user):
        """Open tickets the user may see (centre: by division; department: lead tickets)."""
        return (
            cls.objects.for_user(user, "hotline.view_ticket")
            .filter(status__in=OPEN_STATUSES)
            .order_by("due_at", "pk")
        )


class UpdateKind(models.TextChoices):
    ADDITION = "addition", _("追加信息")
    REPLY = "reply", _("答复")
    NOTE = "note", _("办理记录")
    DISPATCH = "dispatch", _("派单")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    EXTENSION = "extension", _("延期")
    REVISIT = "revisit", _("回访")
    REOPEN = "reopen", _("重办")
    CLOSE = "close", _("办结")
    MERGE = "merge", _("合并")


class TicketUpdate(models.Model):
    """工单记录: one step of a ticket's history — the reporter's 追加, a reply, a dispatch …

    ``public`` rows are shown to the reporter by number and 提取码; the others are internal.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("类别"), max_length=16, choices=UpdateKind.choices)
    content = models.TextField(_("内容"))
    public = models.BooleanField(_("向反映人公开"), default=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("经办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.ticket.number} {self.get_kind_display()}"


def attachment_path(instance, filename):
    # The stored name is random: the reporter's file name is kept in ``name`` only.
    return f"hotline/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """附件 of a ticket or of one of its updates; type and size checked at upload."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    update = models.ForeignKey(
        TicketUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    public = models.BooleanField(_("向反映人公开"), default=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class DispatchRule(models.Model):
    """派单规则: tickets of a subject in a division go to an organisation.

    The most specific rule wins: the longest matching division path; a rule without a
    division applies everywhere.
    """

    subject = models.ForeignKey(
        Subject, verbose_name=_("诉求分类"), on_delete=models.CASCADE, related_name="rules"
    )
    division = models.ForeignKey(
        "core.Division",
        verbose_name=_("行政区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    division_path = models.CharField(max_length=64, blank=True, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "division_path"], name="hotline_rule_one_per_place"
            )
        ]

    def __str__(self):
        return f"{self.subject} → {self.organisation}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    ACCEPTED = "accepted", _("办理中")
    REPLIED = "replied", _("已答复")
    DISPUTED = "disputed", _("派单异议中")
    WITHDRAWN = "withdrawn", _("已撤回")


ACTIVE_ASSIGNMENT_STATUSES = (
    AssignmentStatus.PENDING,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.REPLIED,
    AssignmentStatus.DISPUTED,
)


class Assignment(models.Model):
    """派单: one department's part in a ticket — the lead (主办) or an assisting unit (协办)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("角色"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    instructions = models.TextField(_("派单意见"), blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("派单人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("派单时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    # An assisting unit's contribution to the lead, or the lead's answer to the reporter.
    reply = models.TextField(_("办理结果"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation")

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["created_at", "id"]
        constraints = [
            # One active lead per ticket; one active assignment per department.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(
                    role="lead",
                    status__in=["pending", "accepted", "replied", "disputed"],
                ),
                name="hotline_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["ticket", "organisation"],
                condition=models.Q(status__in=["pending", "accepted", "replied", "disputed"]),
                name="hotline_one_active_assignment_per_org",
            ),
        ]

    def __str__(self):
        return f"{self.ticket.number} {self.organisation} {self.get_role_display()}"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")


class CentreDecision(models.Model):
    """What the hotline centre decides on a department's request: 同意 or 不同意, by whom,
    when and why. Shared by 派单异议 and 延期申请."""

    status = models.CharField(
        _("审核结果"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        abstract = True


class Dispute(CentreDecision):
    """派单异议: a department disputes a dispatch; the hotline centre reviews it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="disputes")
    reason = models.TextField(_("异议理由"))
    suggested_organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("建议承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("派单异议")
        verbose_name_plural = _("派单异议")
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(status="pending"),
                name="hotline_one_pending_dispute",
            )
        ]

    def __str__(self):
        return f"{self.assignment} {self.get_status_display()}"


class ExtensionRequest(CentreDecision):
    """延期申请: asked by the lead department before the deadline, decided by the centre."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extensions")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    working_days = models.PositiveIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="pending"),
                name="hotline_one_pending_extension",
            ),
            models.CheckConstraint(
                condition=models.Q(working_days__gt=0), name="hotline_extension_positive"
            ),
        ]

    def __str__(self):
        return f"{self.ticket.number} +{self.working_days}"


class Open311Client(models.Model):
    """An Open311 GeoReport v2 client allowed to write (api_key); issued by the centre.

    Only the SM3 hash of the key is stored; the key is printed once when issued.
    """

    name = models.CharField(_("客户端名称"), max_length=100, unique=True)
    key_prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Open311Request(models.Model):
    """What an Open311 client sent with a ticket (GeoReport v2 fields we must echo back)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="open311")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=40, unique=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    email = SealedValue(_("电子邮箱"))
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Open311 请求")
        verbose_name_plural = _("Open311 请求")

    def __str__(self):
        return self.token


from tongzheng.hotline.models_classifier import DispatchClassifier  # noqa: E402, F401
