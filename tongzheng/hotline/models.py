"""热线与信箱工单 (12345 / 12310 / 领导信箱): the first slice — intake and public follow-up."""

import hmac
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongzheng.core.access import ScopedQuerySet, ScopeFields
from tongzheng.core.crypto import sm3_hex
from tongzheng.core.fields import SealedValue

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
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


# Handling limits in working days by type (DOMAIN.md §6). Not yet applied: no clock in this slice.
LIMIT_WORKING_DAYS = {
    TicketType.ENQUIRY: 3,
    TicketType.HELP: 3,
    TicketType.COMPLAINT: 13,
    TicketType.SUGGESTION: 13,
    TicketType.REPORT: 13,
}


def new_extraction_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(number: str, code: str) -> str:
    """SM3 of the number and the normalised code."""
    return sm3_hex(f"{number}:{code.strip().upper()}".encode())


class Ticket(models.Model):
    """工单 (GB/T 33358-2016)."""

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

    objects = ScopedQuerySet.as_manager()
    scope_fields = ScopeFields(organisation="organisation")

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number

    def check_code(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, hash_code(self.number, code))


class UpdateKind(models.TextChoices):
    ADDITION = "addition", _("追加信息")
    REPLY = "reply", _("答复")


class TicketUpdate(models.Model):
    """工单的追加信息或答复."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("类别"), max_length=16, choices=UpdateKind.choices)
    content = models.TextField(_("内容"))
    public = models.BooleanField(_("向反映人公开"), default=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.ticket.number} {self.get_kind_display()}"
