"""The status result's own blocks (办件查询, issue 4), written in Python.

The status lookup is the portal's public hot path. Its shell comes from the portal frame
(``portal.frame``); what was left per request was the page's ``title`` and ``content``
blocks through the template engine — the ``_status.html`` definition list with ten
``{% if %}`` and some twenty variables, two ``{% url %}``, the ``{% translate %}`` tags —
about as much CPU as everything else the page does. Here the headings are translated
and the URLs reversed once per process, language, URLconf and script prefix; per request
there are a few string joins, every value escaped with the standard library's ``escape``
(which Django's ``escape`` and autoescaping are).

``services/public/status_result.html`` (with ``_status.html``) stays the reference: a
signed-in visitor's page and the applicant's own page render it, and
``tests/test_status_page.py`` checks that both give the same bytes, in Chinese and
English, for every state the page shows. Escaping follows the template exactly:
variables and ``{% url %}`` are escaped, ``{% translate %}`` / ``{% blocktranslate %}``
texts are not (Django treats translations of template literals as safe).
"""

from html import escape

from django.core.signals import setting_changed
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, ngettext

from tongzheng.portal.frame import page_key
from tongzheng.services.public import FIELD_LABELS, StatusView
from tongzheng.services.templatetags.services_status import (
    escaped_label,
    events_html,
    linebreaksbr,
)

_labels: dict[tuple, dict] = {}
_MAX_DAY_TEXTS = 200  # remaining working days shown, kept per language (few distinct values)


def _forget(**_kwargs) -> None:
    _labels.clear()


setting_changed.connect(_forget, dispatch_uid="services.status_page")


def _page_labels(key: tuple | None = None) -> dict:
    """The page's fixed text in the active language and URLconf (``key``: ``page_key()``
    when the caller has read it already): headings escaped as ``{{ view.labels.* }}``
    are, translated literals as they are, URLs as ``{% url %}``."""
    key = key or page_key()
    labels = _labels.get(key)
    if labels is None:
        labels = {name: escape(str(text)) for name, text in FIELD_LABELS.items()}
        labels.update(
            title=gettext("办件进度"),
            heading=gettext("办件进度：%(number)s"),
            download=gettext("下载结果文书"),
            other=gettext("查询其他办件"),
            supplement=gettext("需要补正"),
            supplement_notice=gettext(
                "受理部门一次性告知需补正以下全部内容，补正期间办理时限暂停计算："
            ),
            result_url=escape(reverse("services:public_status_result")),
            status_url=escape(reverse("services:public_status")),
            days={},
        )
        _labels[key] = labels
    return labels


def _remaining(labels: dict, count: int) -> str:
    """（剩余 n 个工作日） as the template's ``{% blocktranslate count %}`` renders it."""
    text = labels["days"].get(count)
    if text is None:
        sentence = ngettext("剩余 %(counter)s 个工作日", "剩余 %(counter)s 个工作日", count)
        text = f"（{sentence % {'counter': escape(str(formats.localize(count)))}}）"
        if len(labels["days"]) < _MAX_DAY_TEXTS:
            labels["days"][count] = text
    return text


def _row(label: str, value: str) -> str:
    return f'<dt class="col-sm-3">{label}</dt><dd class="col-sm-9">{value}</dd>'


def status_html(view: StatusView, labels: dict) -> str:
    """``services/public/_status.html``."""
    parts = [
        '\n<dl class="row">\n  ',
        _row(labels["item"], escape(view.item_name)),
        "\n  ",
        _row(labels["organisation"], escape(view.organisation_name)),
        f'\n  <dt class="col-sm-3">{labels["status"]}</dt><dd class="col-sm-9" '
        f'data-testid="status">{escaped_label(view.status_label)}</dd>\n  ',
    ]
    # The times and the due date are digits, "-", " " and ":" (public.minute, due_text):
    # escaping leaves them as they are, so they are put in as they are.
    due = None
    if view.due_date and not view.closed_at:
        days = view.remaining_working_days
        due = view.due_text + ("" if days is None else _remaining(labels, days))
    # The template's optional rows: each {% if %} leaves its line break whether shown or not.
    optional = (
        ("stage", view.current_stage and escape(view.current_stage)),
        ("submitted", view.submitted_at and view.submitted_text),
        ("accepted", view.accepted_at and view.accepted_text),
        ("due", due),
        ("closed", view.closed_at and view.closed_text),
        ("reason", view.decision_reason and linebreaksbr(view.decision_reason)),
        ("licence", view.licence_number and escape(view.licence_number)),
    )
    parts.append("\n  ".join(_row(labels[key], html) if html else "" for key, html in optional))
    parts.append("\n</dl>\n")
    if view.supplement_materials or view.supplement_other:
        items = "".join(f"<li>{escape(name)}</li>" for name in view.supplement_materials)
        if view.supplement_other:
            items += f"<li>{escape(view.supplement_other)}</li>"
        parts.append(
            f'\n<div class="alert alert-warning" role="note">\n'
            f'  <h2 class="h5">{labels["supplement"]}</h2>\n'
            f"  <p>{labels['supplement_notice']}</p>\n"
            f'  <ul class="mb-0">{items}</ul>\n</div>\n'
        )
    parts.append(
        f'\n<h2 class="h5">{labels["events"]}</h2>\n<ol class="list-unstyled">\n  '
        f"{events_html(view.events)}\n</ol>\n"
    )
    return "".join(parts)


def blocks(view: StatusView, *, code: str, csrf_token: str, key: tuple | None = None) -> dict:
    """The ``title`` and ``content`` blocks of ``services/public/status_result.html`` for
    the holder of ``view.number`` and ``code`` (the download form posts both again);
    ``key``: ``portal.frame.page_key()`` when the caller has read it already."""
    labels = _page_labels(key)
    number = escape(view.number)
    content = [
        f'\n<h1 class="h2">{labels["heading"] % {"number": number}}</h1>\n',
        status_html(view, labels),
        "\n",
    ]
    if view.has_document:
        content.append(
            f'\n<form method="post" action="{labels["result_url"]}">'
            # The token is letters and digits (CSRF_ALLOWED_CHARS): nothing to escape.
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}">\n'
            f'  <input type="hidden" name="number" value="{number}">'
            f'<input type="hidden" name="code" value="{escape(code)}">\n'
            f'  <button type="submit" class="btn btn-outline-primary">{labels["download"]}'
            f"</button>\n</form>\n"
        )
    content.append(
        f'\n<p class="mt-3"><a href="{labels["status_url"]}">{labels["other"]}</a></p>\n'
    )
    return {"title": f"{labels['title']} {number}", "content": "".join(content)}
