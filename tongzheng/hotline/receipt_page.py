"""The intake receipt's blocks (提交成功), written in Python.

Every ticket filed on the portal answers with this page; through the template engine its
two blocks cost about a tenth of the intake's Python (eight ``{% translate %}`` tags, two
``{% blocktranslate %}``, a ``{% url %}``, a date filter). Here the labels are translated
and escaped once per process and language, and the rest is a few string joins, every
value escaped (the translations are not, as in the template).

``hotline/receipt.html`` stays the reference — a signed-in citizen's receipt (no portal
frame) renders it — and ``test_receipt_page`` checks that both give the same markup, in
Chinese and English.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from tongzheng.core.labels import display, translated_once


def _make_labels() -> dict[str, str]:
    # {% translate "literal" %} shows the translation as it is (a template's literal
    # is safe, and so is its translation): not escaped here either.
    labels = {
        name: _(text)
        for name, text in (
            ("heading", "提交成功"),
            ("warning", "请立即记下工单编号和提取码。提取码只显示这一次，遗失后无法找回。"),
            ("number", "工单编号"),
            ("code", "提取码"),
            ("mailbox", "领导信箱"),
            ("type", "类型"),
            ("limit", "办理时限"),
            ("files", "附件"),
            ("track", "查询工单"),
        )
    }
    # {% blocktranslate %} puts the (escaped) values into the translation unescaped.
    labels["due"] = _("%(due)s 前答复")
    labels["uploaded"] = _("已上传 %(count)s 个")
    labels["track_url"] = escape(reverse("hotline:track"))
    return labels


def _page_labels() -> dict[str, str]:
    # Translated once per process, language, URLconf and script prefix.
    return translated_once("receipt_page", _make_labels, urls=True)


def title() -> str:
    """The title block of ``hotline/receipt.html``."""
    return _page_labels()["heading"]


def content(ticket, *, code: str, attachment_count: int) -> str:
    """The content block of ``hotline/receipt.html`` for a ticket just filed."""
    labels = _page_labels()
    mailbox = ticket.mailbox
    parts = [
        f'\n<h1 class="h2">{labels["heading"]}</h1>\n'
        f'<div class="alert alert-warning" role="status">{labels["warning"]}</div>\n'
        f"<dl>\n"
        f"  <dt>{labels['number']}</dt><dd><code "
        f'data-testid="ticket-number">{escape(ticket.number)}</code></dd>\n'
        f"  <dt>{labels['code']}</dt><dd><code "
        f'data-testid="extraction-code">{escape(code)}</code></dd>\n  '
    ]
    if mailbox:
        parts.append(f"<dt>{labels['mailbox']}</dt><dd>{escape(mailbox.title)}</dd>")
    # get_type_display() as translated once per language (Django's hashes every choice,
    # translating each label, on every call).
    kind = display(ticket, "type")
    parts.append(f"\n  <dt>{labels['type']}</dt><dd>{escape(kind)}</dd>\n  ")
    if ticket.due_at:
        day = timezone.localtime(ticket.due_at)
        due = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
        parts.append(f"<dt>{labels['limit']}</dt><dd>{labels['due'] % {'due': due}}</dd>")
    parts.append("\n  ")
    if attachment_count:
        uploaded = labels["uploaded"] % {"count": attachment_count}
        parts.append(f"<dt>{labels['files']}</dt><dd>{uploaded}</dd>")
    parts.append(f'\n</dl>\n<p><a href="{labels["track_url"]}">{labels["track"]}</a></p>\n')
    return "".join(parts)
