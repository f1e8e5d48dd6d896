"""The ticket page's 基本信息 rows and assignments table are written by the view
(``centre._basic_info``, ``centre._assignment_rows``): the same bytes as the template
markup they replaced, kept here and rendered with the page's own context, for tickets
that take every branch (values to escape, disputes with and without a suggestion, a
withdrawn publication, a merged ticket, a 12310 category), in zh-hans and en, for the
centre and for a department."""

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.hotline.models import (
    Assignment,
    Category12310,
    Channel,
    Dispute,
    MailBox,
    Satisfaction,
    Ticket,
    TicketStatus,
    TicketType,
    Urgency,
)
from tongzheng.hotline.tests.factories_centre import answered, centre_world, ticket

pytestmark = pytest.mark.django_db

# ticket_detail.html's markup before the view wrote it (commit 4a2d460).
_BASIC = """{% load i18n %}<dl class="row mb-0">
    <dt class="col-sm-3">{% translate "渠道" %}</dt><dd class="col-sm-9">{{ ticket_labels.channel }}{% if ticket.mailbox %}（{{ ticket.mailbox.title }}）{% endif %}</dd>
    <dt class="col-sm-3">{% translate "类型" %}</dt><dd class="col-sm-9">{{ ticket_labels.type }}{% if ticket.category %}：{{ ticket_labels.category }}{% endif %}</dd>
    <dt class="col-sm-3">{% translate "紧急程度" %}</dt><dd class="col-sm-9">{{ ticket_labels.urgency }}{{ overdue_mark }}</dd>
    <dt class="col-sm-3">{% translate "诉求分类" %}</dt><dd class="col-sm-9">{{ ticket.subject.name|default:"—" }}</dd>
    <dt class="col-sm-3">{% translate "行政区划" %}</dt><dd class="col-sm-9">{{ ticket.division.name|default:"—" }}</dd>
    {% if ticket.address %}<dt class="col-sm-3">{% translate "地点" %}</dt><dd class="col-sm-9">{{ ticket.address }}</dd>{% endif %}
    <dt class="col-sm-3">{% translate "受理时间" %}</dt><dd class="col-sm-9">{{ when.created_at }}</dd>
    {% if ticket.dispatched_at %}<dt class="col-sm-3">{% translate "派单时间" %}</dt><dd class="col-sm-9">{{ when.dispatched_at }}</dd>{% endif %}
    <dt class="col-sm-3">{% translate "承办单位" %}</dt><dd class="col-sm-9">{{ ticket.organisation.name|default:"—" }}</dd>
    <dt class="col-sm-3">{% translate "办理期限" %}</dt><dd class="col-sm-9">{% if ticket.due_at %}{{ when.due_day }}（{% blocktranslate with n=ticket.limit_working_days %}{{ n }} 个工作日{% endblocktranslate %}） {{ clock_badge }}{% if remaining is not None and not ticket.finished_at %} {% blocktranslate with n=remaining %}剩余 {{ n }} 个工作日{% endblocktranslate %}{% endif %}{% else %}{% translate "未开始计时" %}{% endif %}</dd>
    {% if ticket.answered_at %}<dt class="col-sm-3">{% translate "答复时间" %}</dt><dd class="col-sm-9">{{ when.answered_at }}</dd>{% endif %}
    {% if ticket.closed_at %}<dt class="col-sm-3">{% translate "办结时间" %}</dt><dd class="col-sm-9">{{ when.closed_at }}</dd>{% endif %}
    {% if ticket.satisfaction %}<dt class="col-sm-3">{% translate "满意度" %}</dt><dd class="col-sm-9">{{ ticket_labels.satisfaction }}</dd>{% endif %}
    {% if ticket.reopen_count %}<dt class="col-sm-3">{% translate "重办次数" %}</dt><dd class="col-sm-9">{{ ticket.reopen_count }}</dd>{% endif %}
    {% if ticket.duplicate_of %}<dt class="col-sm-3">{% translate "合并至" %}</dt><dd class="col-sm-9"><a href="{% url 'hotline:ticket_detail' ticket.duplicate_of.number %}">{{ ticket.duplicate_of.number }}</a></dd>{% endif %}
    {% if ticket.not_accepted_reason %}<dt class="col-sm-3">{% translate "不予受理理由" %}</dt><dd class="col-sm-9">{{ ticket.not_accepted_reason }}</dd>{% endif %}
    {% if ticket.published_at %}<dt class="col-sm-3">{% translate "公开时间" %}</dt><dd class="col-sm-9">{{ when.published_at }}：{{ ticket.published_title }} <span class="badge text-bg-success">{% translate "已公开" %}</span></dd>
    {% elif ticket.published_title and ticket.channel == "mailbox" %}<dt class="col-sm-3">{% translate "公开状态" %}</dt><dd class="col-sm-9"><span class="badge text-bg-secondary">{% translate "已撤销公开" %}</span> {{ ticket.published_title }}</dd>{% endif %}
  </dl>"""
_ASSIGNMENTS = """{% load i18n %}<tbody>{% for assignment in assignments %}<tr>
      <td>{{ assignment.organisation_name }}</td><td>{{ assignment.role_label }}</td><td>{{ assignment.status_label }}</td>
      <td>{{ assignment.instructions|default:"—" }}</td>
      <td>{% if assignment.reply %}{{ assignment.reply|linebreaksbr }}{% if assignment.replied_at %}<br><small>{{ assignment.replied }}</small>{% endif %}{% else %}—{% endif %}
        {% for dispute in assignment.dispute_list %}<div class="small mt-1">{% translate "派单异议" %}（{{ dispute.status_label }}）：{{ dispute.reason }}{% if dispute.suggested_organisation_id %}；{% translate "建议" %} {{ dispute.suggested_organisation_name }}{% endif %}</div>{% endfor %}</td>
    </tr>{% endfor %}</tbody>"""
_BREADCRUMB = """<a href="{% url 'hotline:ticket_list' %}">"""


@pytest.fixture
def world():
    return centre_world("w")


def _tickets(world) -> list[Ticket]:
    """Tickets that take every branch of the two blocks."""
    now = timezone.now()
    disputed = answered(
        world,
        title="<b>标题</b>",
        address='人民路 "18" 号 & <旁>',
        urgency=Urgency.URGENT,
    )
    Ticket.objects.filter(pk=disputed.pk).update(status=TicketStatus.HANDLING, reopen_count=2)
    lead = Assignment.objects.get(ticket=disputed)
    Assignment.objects.filter(pk=lead.pk).update(
        status="disputed", instructions="请<尽快>处理", reply="第一行\n第二行 & <三>"
    )
    Dispute.objects.create(
        assignment=lead,
        reason="不属本单位<职责>",
        suggested_organisation=world.third_org,
        raised_by=world.lead_handler,
        status="rejected",
    )
    Dispute.objects.create(assignment=lead, reason="再次 & 异议", raised_by=world.lead_handler)
    box = MailBox.objects.create(
        slug="w-mayor",
        title="市长<信箱>",
        organisation=world.centre,
        division=world.city,
    )
    withdrawn = answered(world, channel=Channel.MAILBOX, mailbox=box)
    Ticket.objects.filter(pk=withdrawn.pk).update(
        status=TicketStatus.CLOSED,
        closed_at=now,
        finished_at=now,
        satisfaction=Satisfaction.choices[0][0],
        published_title="已撤销的<标题>",
    )
    published = answered(world, channel=Channel.MAILBOX, mailbox=box)
    Ticket.objects.filter(pk=published.pk).update(
        status=TicketStatus.CLOSED,
        closed_at=now,
        finished_at=now,
        published_at=now,
        published_title="公开的 & 标题",
    )
    category = ticket(
        world,
        channel=Channel.R12310,
        type=TicketType.choices[-1][0],
        category=Category12310.UNAPPROVED_UNITS,
        subject=None,
        started=None,
    )
    refused = ticket(world, status=TicketStatus.NOT_ACCEPTED, started=None)
    Ticket.objects.filter(pk=refused.pk).update(not_accepted_reason="不属受理<范围>")
    merged = ticket(world, status=TicketStatus.MERGED, duplicate_of=disputed)
    confidential = answered(world, confidential=True, reporter_name="李四")
    plain = ticket(world)
    return [disputed, withdrawn, published, category, refused, merged, confidential, plain]


def _old(source: str, context: dict) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_written_blocks_are_the_template_s_bytes(world, language):
    tickets = _tickets(world)
    checked, pages = 0, []
    for user in (world.operator, world.lead_handler):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        verified_login(client, user)
        for filed in tickets:
            response = client.get(reverse("hotline:ticket_detail", args=[filed.number]))
            if response.status_code == 404:  # not the department's ticket
                continue
            assert response.status_code == 200
            page = response.content.decode()
            context = response.context[0].flatten()
            with translation.override(language):
                basic = _old(_BASIC, context)
                rows = _old(_ASSIGNMENTS, context)
                crumb = _old(_BREADCRUMB, context)
            assert basic in page, filed.number
            assert crumb in page
            if context["assignments"]:
                assert rows in page, filed.number
            checked += 1
            pages.append(basic + rows)
    assert checked >= len(tickets) + 3
    # Every branch was taken.
    shown = "".join(pages)
    for mark in (
        "badge text-bg-secondary",  # a withdrawn publication
        "badge text-bg-success",  # a published letter
        "（市长&lt;信箱&gt;）",  # the mailbox
        "&lt;范围&gt;",  # the not-accepted reason
        "<br><small>",  # a reply's time
        "不属本单位&lt;职责&gt;",  # disputes, one with a suggestion
        f" {world.third_org.name}</div>",
        "人民路 &quot;18&quot; 号 &amp; &lt;旁&gt;",  # the address, escaped
        "第一行<br>第二行 &amp; &lt;三&gt;",
        '<dd class="col-sm-9"><a href="',  # the merged ticket's master
    ):
        assert mark in shown, mark
