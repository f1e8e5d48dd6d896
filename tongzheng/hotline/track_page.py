"""The track result's content (查询工单), written in Python.

The track POST is the hotline's most requested page (37.5 % of the load mix). Its content
block through Django's template engine cost about as much as reading the ticket: ten
``{% translate %}`` tags, a ``{% url %}`` and an include per file, the times localised
in the template. Here the labels are translated and escaped once per process and
language, and the rest is a few string joins, every value escaped.

``hotline/tracked.html`` stays the reference — 我的诉求 and the 追加 form with errors
render it — and ``test_track_page`` checks that both give the same markup, in Chinese
and English.
"""

from html import escape as escape_text

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from tongzheng.core.labels import minute_text, translated_once
from tongzheng.hotline.queries_public import PublicTicket


def _make_labels() -> dict[str, str]:
    labels = {
        name: escape(_(text))
        for name, text in (
            ("heading", "工单办理情况"),
            ("appended", "追加信息已提交。"),
            ("number", "工单编号"),
            ("type", "类型"),
            ("status", "状态"),
            ("created", "受理时间"),
            ("title", "标题"),
            ("content", "内容"),
            ("files", "附件"),
            ("history", "答复与追加信息"),
            ("no_history", "暂无答复。"),
            ("append", "追加信息"),
            ("submit", "提交追加信息"),
            ("download", "下载"),
        )
    }
    labels["append_url"] = escape(reverse("hotline:append"))
    labels["download_url"] = escape(reverse("hotline:track_attachment"))
    return labels


def _page_labels() -> dict[str, str]:
    # Translated and escaped once per process, language, URLconf and script prefix.
    return translated_once("track_page", _make_labels, urls=True)


def title() -> str:
    """The title block of ``hotline/tracked.html``."""
    return _page_labels()["heading"]


def _time(value) -> str:
    # As the template shows a datetime: local time in the language's DATETIME_FORMAT
    # (kept per minute when the format shows nothing finer: ``labels.minute_text``).
    return minute_text(timezone.localtime(value), _localized)


def _localized(local) -> str:
    return escape_text(formats.localize(local))


def content(
    ticket: PublicTicket, *, code: str, csrf_token: str, append_fields: str, appended: bool
) -> str:
    """The content block of ``hotline/tracked.html`` for the reporter who gave ``code``
    (the empty 追加 form's fields already rendered: ``append_fields``)."""
    labels = _page_labels()
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape_text(csrf_token)}">'
    number = escape_text(ticket.number)
    hidden = (
        f'<input type="hidden" name="number" value="{number}">'
        f'<input type="hidden" name="code" value="{escape_text(code)}">'
    )

    def download(file) -> str:
        return (
            f'<form method="post" action="{labels["download_url"]}" class="d-inline">{csrf}'
            f'{hidden}<input type="hidden" name="attachment" value="{file.pk}">'
            f'<button type="submit" class="btn btn-link p-0 align-baseline">'
            f"{escape_text(file.name)}</button> "
            f'<span class="visually-hidden">{labels["download"]}</span></form>\n'
        )

    parts = [f'\n<h1 class="h2">{labels["heading"]}</h1>\n']
    if appended:
        parts.append(f'<div class="alert alert-success" role="status">{labels["appended"]}</div>')
    parts.append(
        f"\n<dl>\n"
        f"  <dt>{labels['number']}</dt><dd>{number}</dd>\n"
        f"  <dt>{labels['type']}</dt><dd>{escape_text(ticket.get_type_display())}</dd>\n"
        f'  <dt>{labels["status"]}</dt><dd data-testid="ticket-status">'
        f"{escape_text(ticket.get_status_display())}</dd>\n"
        f"  <dt>{labels['created']}</dt><dd>{_time(ticket.created_at)}</dd>\n  "
    )
    if ticket.title:
        parts.append(f"<dt>{labels['title']}</dt><dd>{escape_text(ticket.title)}</dd>")
    parts.append(
        f"\n  <dt>{labels['content']}</dt>"
        f'<dd style="white-space: pre-wrap">{escape_text(ticket.content)}</dd>\n  '
    )
    if ticket.files:
        items = "".join(
            f"<li>{download(file)} <small>（{escape(filesizeformat(file.size))}）</small></li>"
            for file in ticket.files
        )
        parts.append(
            f'<dt>{labels["files"]}</dt><dd><ul class="list-unstyled mb-0">{items}</ul></dd>'
        )
    parts.append(f'\n</dl>\n<h2 class="h4">{labels["history"]}</h2>\n')
    if ticket.updates:
        parts.append('\n<ul class="list-unstyled" data-testid="ticket-updates">\n  ')
        for update in ticket.updates:
            parts.append(
                f'\n  <li class="mb-2"><strong>{escape_text(update.get_kind_display())}</strong> '
                f"<small>{_time(update.created_at)}</small>"
                f'<div style="white-space: pre-wrap">{escape_text(update.content)}</div>\n    '
            )
            if update.files:
                items = "".join(
                    f"<li>{labels['files']}：{download(file)}</li>" for file in update.files
                )
                parts.append(f'<ul class="small">{items}</ul>')
            parts.append("\n  </li>\n  ")
        parts.append("\n</ul>\n")
    else:
        parts.append(f"\n<p>{labels['no_history']}</p>\n")
    parts.append(
        f'\n<h2 class="h4">{labels["append"]}</h2>\n\n'
        f'<form method="post" action="{labels["append_url"]}" enctype="multipart/form-data" '
        f'novalidate class="tz-form" style="max-width: 40rem">\n  {csrf}\n  {append_fields}\n'
        f'  <button type="submit" class="btn btn-primary">{labels["submit"]}</button>\n'
        f"</form>\n\n"
    )
    return "".join(parts)
