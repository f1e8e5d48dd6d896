"""The hotline centre's pages (热线中心): the ticket list and the ticket with every centre action.

Reads go through ``hotline.queries`` (scope and the confidentiality rule); every POST is
one action of ``actions.centre``. A department user who may see a ticket gets the same
detail page read-only, with a link to its own assignment page.
"""

import datetime
import time
from html import escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Left
from django.forms import ModelChoiceField, Select
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core import labels
from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.registry import NavEntry
from tongzheng.core.timed import TimedStatus
from tongzheng.hotline import pretranslate, queries
from tongzheng.hotline.actions import centre as actions
from tongzheng.hotline.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    Attachment,
    Channel,
    DecisionStatus,
    Dispute,
    ExtensionRequest,
    Ticket,
    TicketStatus,
    TicketType,
    TicketUpdate,
    UpdateKind,
    Urgency,
)
from tongzheng.hotline.prepared import CompiledInstances, TicketRows
from tongzheng.hotline.views.centre_forms import (
    SEARCH_LIMIT,
    DecisionForm,
    DispatchForm,
    DisputeDecisionForm,
    MergeForm,
    NotAcceptedForm,
    OrganisationSearchForm,
    PressForm,
    PublishForm,
    RedispatchForm,
    RevisitForm,
    TicketFilterForm,
    UnpublishForm,
    WithdrawForm,
)

VIEW = "hotline.view_ticket"
DISPATCH = actions.DISPATCH
# The platform's page of work lists (the services inbox too): rows are most of the page's cost.
PAGE_SIZE = 20

# The two pages of the mix, their literal {% translate %} tags translated once per
# language (``hotline.pretranslate``: 18 and ~35 tags of ~75 Python calls each).
_LIST_TEMPLATE = "hotline/centre/ticket_list.html"
_DETAIL_TEMPLATE = "hotline/centre/ticket_detail.html"

IN_HANDS = (TicketStatus.DISPATCHED, TicketStatus.HANDLING)
SYSTEM_KINDS = (UpdateKind.URGE, UpdateKind.REVISIT, UpdateKind.CLOSE)
MERGEABLE = (TicketStatus.RECEIVED, *IN_HANDS)


# ---- the list ---------------------------------------------------------------------------


def _cursor(ticket) -> str:
    """Keyset position of a row in (due_at NULLS LAST, id) order: "<µs since epoch>:<id>"."""
    if ticket.due_at is None:
        return f"n:{ticket.pk}"
    micros = int(ticket.due_at.timestamp()) * 1_000_000 + ticket.due_at.microsecond
    return f"{micros}:{ticket.pk}"


def _position(cursor: str) -> tuple[datetime.datetime | None, int]:
    """The (due_at, id) of a ``_cursor`` ("n" for no deadline: None)."""
    due, pk = cursor.split(":")
    if due == "n":
        return None, int(pk)
    micros = int(due)
    moment = datetime.datetime.fromtimestamp(micros // 1_000_000, tz=datetime.UTC).replace(
        microsecond=micros % 1_000_000
    )
    return moment, int(pk)


def _after(queryset, moment, pk):
    """The rows after (``moment``, ``pk``) in the list's order; ``moment`` None: after a
    row without a deadline."""
    if moment is None:
        return queryset.filter(due_at__isnull=True, pk__gt=pk)
    return queryset.filter(
        Q(due_at__gt=moment) | Q(due_at=moment, pk__gt=pk) | Q(due_at__isnull=True)
    )


def _search(queryset, q: str):
    """Full-text search when ``hotline.search`` is installed; a plain filter until then."""
    q = q.strip()
    if not q:
        return queryset
    # A ticket number is ASCII without spaces (12345-20261128-000042): only such a q is
    # looked up as one first.
    if q.isascii() and not any(ch.isspace() for ch in q) and queryset.filter(number=q).exists():
        return queryset.filter(number=q)
    try:
        from tongzheng.hotline.search import search_tickets
    except ImportError:
        return queryset.filter(Q(title__icontains=q) | Q(content__icontains=q))
    return search_tickets(queryset, q)


_CLOCKS = {
    TimedStatus.RED: "red",
    TimedStatus.YELLOW: "yellow",
    TimedStatus.NORMAL: "normal",
    TimedStatus.PAUSED: "paused",
    TimedStatus.FINISHED: "finished",
}
# The clocks whose filter reads the time.
_CLOCKS_AT = (TimedStatus.RED, TimedStatus.YELLOW, TimedStatus.NORMAL)


def _filtered(visible, data: dict, now=None):
    """``visible`` filtered by the form's ``data`` (its search word aside); ``now`` for
    the red / yellow / normal clocks."""
    queryset = visible
    for name in ("status", "channel", "type", "urgency", "subject"):
        if data.get(name):
            queryset = queryset.filter(**{name: data[name]})
    clock = data.get("clock")
    if clock in _CLOCKS_AT:
        return getattr(queryset, _CLOCKS[clock])(now)
    if clock:
        return getattr(queryset, _CLOCKS[clock])()
    return queryset


def _page(queryset):
    """The list's page of ``queryset``: its shown fields, by deadline, one row more than
    a page (it says that there is a next page)."""
    return (
        queryset.only(*LIST_FIELDS)
        .annotate(content_head=Left("content", SUMMARY_CHARS + 1), **LIST_NAMES)
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )[: PAGE_SIZE + 1]


# The list's query without a search word, compiled once per connection for each
# visibility filter and set of filters (``hotline.prepared.CompiledInstances``): building
# and compiling it was about a quarter of the page's work. Stand-ins for the values while
# compiling (never sent; nothing else in the query can equal them):
_LIST_PAGE = CompiledInstances()
_PLACEHOLDERS = {
    **{name: f"\x00tz-{name}" for name in ("status", "channel", "type", "urgency")},
    "subject": -7_340_032_101,
    "now": datetime.datetime(1901, 1, 1, 0, 0, 1, 101, tzinfo=datetime.UTC),
    "moment": datetime.datetime(1901, 1, 1, 0, 0, 2, 202, tzinfo=datetime.UTC),
    "pk": -7_340_032_102,
}


def _list_page(user, data: dict) -> list:
    """The page's rows (``_page``) for the form's cleaned ``data``."""
    position = _position(data["after"]) if data.get("after") else None
    if data.get("q", "").strip():
        visible = queries.visible_tickets(user)
        queryset = _search(_filtered(visible, data), data["q"])
        if position:
            queryset = _after(queryset, *position)
        return list(_page(queryset))
    key = queries.visibility_key_for(user)
    if key is None:
        return []
    values = {}
    for name in ("status", "channel", "type", "urgency"):
        if data.get(name):
            values[name] = data[name]
    if data.get("subject"):
        values["subject"] = data["subject"].pk
    if data.get("clock") in _CLOCKS_AT:
        values["now"] = timezone.now()
    if position:
        if position[0] is not None:
            values["moment"] = position[0]
        values["pk"] = position[1]

    def build(*placeholders):
        given = dict(zip(values, placeholders, strict=True))
        shape = {
            **data,
            **{
                name: given.get(name)
                for name in ("status", "channel", "type", "urgency", "subject")
            },
        }
        queryset = _filtered(queries.visible_tickets(user), shape, given.get("now"))
        if position:
            queryset = _after(queryset, given.get("moment"), given["pk"])
        return _page(queryset)

    key = (*key, tuple(values), data.get("clock") or "", bool(position))
    placeholders = tuple(_PLACEHOLDERS[name] for name in values)
    return _LIST_PAGE(key, build, placeholders, tuple(values.values()), Ticket.objects.db)


# What a row of the list shows (the clock needs its four fields; no reporter field); the
# content only as its first characters (``content_head``).
LIST_FIELDS = (
    "number",
    "urgency",
    "title",
    "channel",
    "type",
    "status",
    "due_at",
    "warning_at",
    "dispatch_due_at",
    "dispatched_at",
    "paused_since",
    "finished_at",
    "subject",
    "organisation",
)
# The related rows' names as columns of the row (the same LEFT JOINs), not as instances.
LIST_NAMES = {"subject_name": F("subject__name"), "organisation_name": F("organisation__name")}
LIST_LABELS = {
    "channel": Channel.choices,
    "type": TicketType.choices,
    "status": TicketStatus.choices,
    "urgency": Urgency.choices,
}
_NUMBER = "tzTicketNumber"
SUMMARY_CHARS = 30  # title, or the start of the content


class ListRow(dict):
    """One row of the list: the shown values (``number``…) and the row's HTML (``html``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


# The clock's badges (the list's rows and the ticket page), by TimedStatus.
_CLOCK_BADGES = {
    TimedStatus.RED: ("text-bg-danger", gettext_lazy("红牌（已超期）")),
    TimedStatus.YELLOW: ("text-bg-warning", gettext_lazy("黄牌（即将到期）")),
    TimedStatus.PAUSED: ("text-bg-secondary", gettext_lazy("暂停计时")),
    TimedStatus.FINISHED: ("text-bg-light border", gettext_lazy("计时结束")),
    TimedStatus.NORMAL: ("text-bg-success", gettext_lazy("正常")),
}
_ROW_HTML = (
    '<tr>\n      <td><a href="{}">{}</a>{}</td>\n      <td>{}</td>\n'
    "      <td>{}</td><td>{}</td>\n      <td>{}</td><td>{}</td>\n"
    "      <td>{}</td>\n      <td>{}</td>\n    </tr>"
)
_texts: dict[str, dict] = {}


def _list_texts() -> dict:
    """The row labels and badges in the current language, translated and escaped once per
    process."""
    language = get_language()
    texts = _texts.get(language)
    if texts is None:
        texts = {
            name: {v: escape(str(label)) for v, label in choices}
            for name, choices in LIST_LABELS.items()
        }
        texts["clock"] = {
            status: format_html('<span class="badge {}">{}</span>', css, label)
            for status, (css, label) in _CLOCK_BADGES.items()
        }
        # The msgid of dispatch_overdue.html's blocktranslate.
        texts["overdue"] = escape(_("超时未派单（时限 %(due)s）"))
        _texts[language] = texts
    return texts


def _list_rows(rows) -> list[ListRow]:
    """The page's tickets with each row's HTML written here, as ticket_list.html wrote it
    (the same markup, every shown value escaped as the template did): 20 rows of 9
    template cells, ``get_FOO_display`` and included templates were most of the page's
    cost.

    A row shows no reporter field (the redaction has nothing to blank here): only the
    columns of ``LIST_FIELDS``.
    """
    texts = _list_texts()
    channels, types, statuses, urgencies, clocks = (
        texts["channel"],
        texts["type"],
        texts["status"],
        texts["urgency"],
        texts["clock"],
    )
    url = reverse("hotline:ticket_detail", args=[_NUMBER])
    now = timezone.now()
    tickets = []
    for ticket in rows:
        text = ticket.title or ticket.content_head
        summary = text if len(text) <= SUMMARY_CHARS else f"{text[: SUMMARY_CHARS - 1]}…"
        marks = ""
        if ticket.urgency != Urgency.NORMAL:  # the overdue-dispatch mark (urgent rows only)
            overdue = ""
            if ticket.dispatch_overdue_at(now):
                due = timezone.localtime(ticket.dispatch_due_at).strftime("%H:%M")
                overdue = texts["overdue"] % {"due": due}
                overdue = f' <span class="badge text-bg-danger">{overdue}</span>'
            label = urgencies.get(ticket.urgency) or escape(ticket.urgency)
            marks = f' <span class="badge text-bg-danger">{label}</span>{overdue}\n'
        deadline = "—"
        if ticket.due_at:
            day = timezone.localtime(ticket.due_at).strftime("%Y-%m-%d")
            deadline = f"{day} {clocks[ticket.status_at(now)]}"
        number = escape(ticket.number)
        html = _ROW_HTML.format(
            url.replace(_NUMBER, number),
            number,
            marks,
            escape(summary),
            channels.get(ticket.channel) or escape(ticket.channel),
            types.get(ticket.type) or escape(ticket.type),
            escape(ticket.subject_name or "") or "—",
            statuses.get(ticket.status) or escape(ticket.status),
            escape(ticket.organisation_name or "") or "—",
            deadline,
        )
        tickets.append(ListRow(number=ticket.number, html=mark_safe(html)))  # noqa: S308 - escaped above
    return tickets


def _filter_controls(form, *, words: dict | None = None) -> list[tuple]:
    """(field, control HTML) for the visible filters. A valid form's selects are written
    here: Django renders every ``<option>`` through two templates, about 60 of them.

    The controls are the same for every operator: kept per value and language, the fixed
    choices for good, the 诉求分类 (rows of the database) for ``SUBJECTS_SECONDS`` — a
    changed list shows within a minute, as on the intake form; the submitted value is
    still checked against the database by the form.

    ``words``: the search box with a typed word is the kept box with a stand-in for the
    word, which is added to ``words`` (stand-in -> word) for the caller to put in;
    without it, the box is written with its word each time.
    """
    controls = []
    now = time.monotonic()
    for field in form.visible_fields():
        select = isinstance(field.field.widget, Select)
        value = "" if field.value() is None else str(field.value())
        typed = not select and value != ""
        if typed and words is not None and not form.errors and _WORD not in value:
            # (a valid value: the stand-in form's control has no error attributes)
            stand_in = f"{_WORD}{field.html_name}{_WORD}"
            key = (field.html_name, stand_in, get_language())
            control, _expires = _CONTROLS.get(key, ("", 0.0))
            if not control:
                control = _stand_in_control(form, field, stand_in)
                _CONTROLS[key] = (control, float("inf"))
            if control.count(stand_in) == 1:
                words[stand_in] = value
                controls.append((field, control))
                continue
        # Kept: the selects, and the empty search box.
        if form.errors or typed:
            controls.append((field, field.as_widget()))
            continue
        key = (field.html_name, value, get_language())
        control, expires = _CONTROLS.get(key, ("", 0.0))
        if expires < now:
            if len(_CONTROLS) >= _CONTROLS_MAX:
                _CONTROLS.clear()
            rows = isinstance(field.field, ModelChoiceField)
            control = _select(field, value) if select else field.as_widget()
            _CONTROLS[key] = (control, now + SUBJECTS_SECONDS if rows else float("inf"))
        controls.append((field, control))
    return controls


_WORD = "\ue000tz-word\ue000"  # private-use characters: no typed word contains them


def _stand_in_control(form, field, stand_in: str) -> str:
    """The text control of ``field`` as Django writes it with ``stand_in`` typed in."""
    data = {field.html_name: stand_in}
    return type(form)(data, prefix=form.prefix)[field.name].as_widget()


SUBJECTS_SECONDS = 60
_CONTROLS: dict[tuple, tuple[str, float]] = {}
_CONTROLS_MAX = 1000


def _filters(form) -> str:
    """The filter row (``hotline/centre/_filters.html``: each control with its label) of
    a valid form. The same controls in the same language give the same row, so it is
    rendered once per set of controls (their HTML is the key: the kept ones are the same
    string objects, whose hashes Python keeps) instead of the template's loop each time.
    """
    words = {}
    controls = _filter_controls(form, words=words)
    key = (get_language(), *(control for _field, control in controls))
    html = _FILTERS.get(key)
    if html is None:
        if len(_FILTERS) >= _CONTROLS_MAX:
            _FILTERS.clear()
        html = render_to_string("hotline/centre/_filters.html", {"filters": controls})
        if not form.errors:  # (only a valid form's filters are shown)
            _FILTERS[key] = html
    if words:
        # The typed word, escaped as the text input's value attribute wrote it.
        for stand_in, word in words.items():
            html = html.replace(stand_in, escape(word))
        html = mark_safe(html)  # noqa: S308 - the kept row, the word escaped
    return html


_FILTERS: dict[tuple, str] = {}


def _select(field, value: str) -> str:
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(v), mark_safe(" selected") if str(v) == value else "", label)
            for v, label in field.field.choices
        ),
    )
    return format_html(
        '<select name="{}" class="{}" id="{}">{}</select>',
        field.html_name,
        field.field.widget.attrs.get("class", ""),
        field.id_for_label,
        options,
    )


@require_GET
def ticket_list(request):
    """热线工单: the tickets in the user's scope by deadline; 50 a page, keyset-paginated.

    No COUNT over the whole set: a page is the next 51 rows after the cursor (the 51st
    only says that there is a next page).
    """
    require_permission(request.user, VIEW)
    form = TicketFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "tickets": [], "next_query": "", "first_query": "", "paged": True}
        return pretranslate.render(request, _LIST_TEMPLATE, context, status=400)
    data = form.cleaned_data
    rows = _list_page(request.user, data)
    has_next = len(rows) > PAGE_SIZE
    tickets = _list_rows(rows[:PAGE_SIZE])
    query = request.GET.copy()
    query.pop("after", None)
    next_query = ""
    if has_next:
        query["after"] = _cursor(rows[PAGE_SIZE - 1])
        next_query = query.urlencode()
    query.pop("after", None)
    context = {
        "form": form,
        "filters": _filters(form),
        "tickets": tickets,
        # The rows' HTML as one string: a template loop over 20 rows cost ~400 calls.
        "rows": mark_safe("".join(ticket.html for ticket in tickets)),  # noqa: S308 - escaped rows
        "next_query": next_query,
        "first_query": query.urlencode(),
        "paged": bool(data.get("after")),
    }
    return pretranslate.render(request, _LIST_TEMPLATE, context)


# ---- the ticket -------------------------------------------------------------------------


def _assignment_link(user, ticket) -> str:
    """The department's own assignment page for this ticket, when the handling pages exist."""
    if user.organisation_id is None:
        return ""
    own = Assignment.objects.filter(ticket=ticket, organisation_id=user.organisation_id)
    # The active part first; a department whose part was withdrawn sees its last one.
    assignment = (
        own.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES).first()
        or own.order_by("-created_at", "-pk").first()
    )
    if assignment is None:
        return ""
    try:
        return reverse("hotline:assignment_detail", args=[assignment.pk])
    except NoReverseMatch:
        return ""


def _possible_duplicates(user, ticket) -> list:
    """The intake's duplicate finder when installed, limited to tickets the user may see."""
    try:
        from tongzheng.hotline.duplicates import possible_duplicates
    except ImportError:
        return []
    found = list(possible_duplicates(ticket))
    if not found:
        return []
    visible = set(
        queries.visible_tickets(user)
        .filter(pk__in=[match.ticket.pk for match in found])
        .values_list("pk", flat=True)
    )
    return [match for match in found if match.ticket.pk in visible]


def _classifier_suggestions(ticket) -> list:
    """The dispatch classifier's top three when installed and trained (never applied)."""
    try:
        from tongzheng.hotline.classifier import suggest
    except ImportError:
        return []
    return list(suggest(f"{ticket.title} {ticket.content} {ticket.address}", k=3))


def _forms(user, ticket, overrides: dict) -> dict:
    """The centre action forms allowed in the ticket's current state (bound ones win)."""
    status = ticket.status
    forms = {}
    if status == TicketStatus.RECEIVED:
        forms["dispatch"] = DispatchForm(actor=user)
        forms["refuse"] = NotAcceptedForm(ticket=ticket)
    if status in IN_HANDS:
        forms["redispatch"] = RedispatchForm(actor=user)
        forms["urge"] = PressForm(prefix="urge")
        forms["supervise"] = PressForm(prefix="supervise")
    if status in MERGEABLE:
        forms["merge"] = MergeForm()
    if status == TicketStatus.ANSWERED:
        forms["revisit"] = RevisitForm()
    if (
        ticket.channel == Channel.MAILBOX
        and status in (TicketStatus.ANSWERED, TicketStatus.CLOSED)
        and ticket.published_at is None
    ):
        # A letter taken off the portal keeps its edited texts: they prefill this form.
        forms["publish"] = PublishForm(
            initial={
                "title": ticket.published_title or ticket.title,
                "content": ticket.published_content,
                "reply": ticket.published_reply,
            }
        )
    if ticket.published_at is not None:
        forms["unpublish"] = UnpublishForm()
    forms.update({k: v for k, v in overrides.items() if k in forms})
    return forms


# The page's reads of the ticket's own rows, compiled once per connection (``prepared``):
# the fields the page shows, and the related names instead of the related rows.
_UPDATES = TicketRows(
    lambda ticket_id: TicketUpdate.objects.filter(ticket_id=ticket_id),
    ("ticket", "kind", "content", "public", "created_at", "actor", "organisation"),
    {
        "actor_name": "actor__full_name",
        "actor_username": "actor__username",
        "organisation_name": "organisation__name",
    },
)
_ASSIGNMENTS = TicketRows(
    lambda ticket_id: Assignment.objects.filter(ticket_id=ticket_id).order_by("created_at", "pk"),
    (
        "ticket",
        "organisation",
        "role",
        "status",
        "instructions",
        "created_at",
        "accepted_at",
        "reply",
        "replied_at",
    ),
    {"organisation_name": "organisation__name"},
)
_DISPUTES = TicketRows(
    lambda ticket_id: Dispute.objects.filter(assignment__ticket_id=ticket_id),
    ("status", "assignment", "reason", "suggested_organisation", "raised_at"),
    {"suggested_organisation_name": "suggested_organisation__name"},
)
_EXTENSIONS = TicketRows(
    lambda ticket_id: ExtensionRequest.objects.filter(ticket_id=ticket_id),
    ("status", "ticket", "organisation", "working_days", "reason", "requested_at"),
    {"organisation_name": "organisation__name"},
)
_ATTACHMENTS = TicketRows(
    lambda ticket_id: Attachment.objects.filter(ticket_id=ticket_id), ("ticket", "name")
)
_MERGED = TicketRows(
    lambda ticket_id: Ticket.objects.filter(duplicate_of_id=ticket_id), ("number", "status")
)


def _minute(moment) -> str:
    """``moment`` as the template's ``|date:"Y-m-d H:i"`` wrote it (local time); "" for
    None. The filter cost ~140 Python calls a date."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _when(ticket) -> dict[str, str]:
    """The ticket's times as the page shows them (``_minute``; the deadline's day)."""
    due = ticket.due_at
    return {
        "created_at": _minute(ticket.created_at),
        "dispatched_at": _minute(ticket.dispatched_at),
        "answered_at": _minute(ticket.answered_at),
        "closed_at": _minute(ticket.closed_at),
        "published_at": _minute(ticket.published_at),
        "due_day": timezone.localtime(due).strftime("%Y-%m-%d") if due else "",
    }


_HISTORY_ENTRY = (
    '<li class="border-start ps-3 mb-2">\n'
    '    <div class="small text-body-secondary">{}</div>\n'
    "    <div>{}</div>\n"
    "  </li>"
)
_history_texts: dict[str, dict] = {}


def _history(updates) -> str:
    """The history's entries (办理记录) written here as ticket_detail.html's loop wrote
    them (the same markup, each value escaped as the template did): the loop's variables,
    filters and translations were a large part of the page's work.

    An entry without an actor of a kind only the follow-ups write (自动催办, 视为满意) says
    系统; a staff-only entry says 内部.
    """
    language = get_language()
    texts = _history_texts.get(language)
    if texts is None:
        texts = _history_texts[language] = {
            "kinds": {value: escape(str(label)) for value, label in UpdateKind.choices},
            "system": escape(_("系统")),
            "internal": escape(_("内部")),
        }
    kinds = texts["kinds"]
    entries = []
    for update in updates:
        head = [
            _minute(update.created_at),
            kinds.get(update.kind) or escape(update.kind),
        ]
        if update.organisation_id:
            head.append(escape(update.organisation_name))
        if update.actor_id:
            head.append(escape(update.actor_name or update.actor_username))
        elif update.kind in SYSTEM_KINDS:
            head.append(texts["system"])
        if not update.public:
            head.append(texts["internal"])
        entries.append(_HISTORY_ENTRY.format(" · ".join(head), linebreaksbr(update.content)))
    return mark_safe("".join(entries))  # noqa: S308 - escaped above


# The literal texts of the ticket page's basic information and assignments, as its
# {% translate %} tags wrote them (escaped), and its two blocktranslate messages (not
# escaped: only their values are).
# Marked for makemessages, which cannot see a msgid passed to gettext in a variable.
_DETAIL_MSGIDS = (
    gettext_noop("渠道"),
    gettext_noop("类型"),
    gettext_noop("紧急程度"),
    gettext_noop("诉求分类"),
    gettext_noop("行政区划"),
    gettext_noop("地点"),
    gettext_noop("受理时间"),
    gettext_noop("派单时间"),
    gettext_noop("承办单位"),
    gettext_noop("办理期限"),
    gettext_noop("未开始计时"),
    gettext_noop("答复时间"),
    gettext_noop("办结时间"),
    gettext_noop("满意度"),
    gettext_noop("重办次数"),
    gettext_noop("合并至"),
    gettext_noop("不予受理理由"),
    gettext_noop("公开时间"),
    gettext_noop("已公开"),
    gettext_noop("公开状态"),
    gettext_noop("已撤销公开"),
    gettext_noop("派单异议"),
    gettext_noop("建议"),
)


def _detail_texts() -> dict:
    texts = {msgid: escape(_(msgid)) for msgid in _DETAIL_MSGIDS}
    texts["working_days"] = _("%(n)s 个工作日")
    texts["remaining"] = _("剩余 %(n)s 个工作日")
    return texts


def _shown(value) -> str:
    """What a template's ``{{ value }}`` writes for a str, a safe string or an int (no
    thousands separator: ``USE_THOUSAND_SEPARATOR`` is off)."""
    if type(value) is int:
        return str(value)
    return conditional_escape(value)


def _name_or_dash(related) -> str:
    """``{{ related.name|default:"—" }}`` for a related row or None."""
    name = related.name if related is not None else ""
    return conditional_escape(name) if name else "—"


def _row(label: str, value: str) -> str:
    return f'<dt class="col-sm-3">{label}</dt><dd class="col-sm-9">{value}</dd>'


def _basic_info(ticket, context: dict) -> str:
    """The 基本信息 list's rows written here as ticket_detail.html wrote them (the same
    markup and line breaks, each value escaped as the template did): some twenty
    conditions, variables and translations were a large part of the page's work."""
    texts = labels.translated_once("centre.detail", _detail_texts)
    shown = context["ticket_labels"]
    when = context["when"]
    channel = _shown(shown["channel"])
    if ticket.mailbox:
        channel += f"（{_shown(ticket.mailbox.title)}）"
    kind = _shown(shown["type"])
    if ticket.category:
        kind += f"：{_shown(shown['category'])}"
    rows = [
        _row(texts["渠道"], channel),
        _row(texts["类型"], kind),
        _row(texts["紧急程度"], f"{_shown(shown['urgency'])}{_shown(context['overdue_mark'])}"),
        _row(texts["诉求分类"], _name_or_dash(ticket.subject)),
        _row(texts["行政区划"], _name_or_dash(ticket.division)),
        _row(texts["地点"], _shown(ticket.address)) if ticket.address else "",
        _row(texts["受理时间"], when["created_at"]),
        _row(texts["派单时间"], when["dispatched_at"]) if ticket.dispatched_at else "",
        _row(texts["承办单位"], _name_or_dash(ticket.organisation)),
    ]
    if ticket.due_at:
        limit = texts["working_days"] % {"n": _shown(ticket.limit_working_days)}
        deadline = f"{when['due_day']}（{limit}） {_shown(context['clock_badge'])}"
        remaining = context["remaining"]
        if remaining is not None and not ticket.finished_at:
            deadline += " " + texts["remaining"] % {"n": _shown(remaining)}
    else:
        deadline = texts["未开始计时"]
    rows.append(_row(texts["办理期限"], deadline))
    rows.append(_row(texts["答复时间"], when["answered_at"]) if ticket.answered_at else "")
    rows.append(_row(texts["办结时间"], when["closed_at"]) if ticket.closed_at else "")
    satisfaction = _row(texts["满意度"], _shown(shown["satisfaction"]))
    rows.append(satisfaction if ticket.satisfaction else "")
    reopened = _row(texts["重办次数"], _shown(ticket.reopen_count))
    rows.append(reopened if ticket.reopen_count else "")
    master = ticket.duplicate_of
    if master:
        url = conditional_escape(reverse("hotline:ticket_detail", args=[master.number]))
        rows.append(_row(texts["合并至"], f'<a href="{url}">{_shown(master.number)}</a>'))
    else:
        rows.append("")
    reason = ticket.not_accepted_reason
    rows.append(_row(texts["不予受理理由"], _shown(reason)) if reason else "")
    title = _shown(ticket.published_title)
    if ticket.published_at:
        badge = f'<span class="badge text-bg-success">{texts["已公开"]}</span>'
        # The template's line break before its {% elif %} belongs to this branch.
        published = f"{when['published_at']}：{title} {badge}"
        rows.append(_row(texts["公开时间"], published) + "\n    ")
    elif ticket.published_title and ticket.channel == "mailbox":
        badge = f'<span class="badge text-bg-secondary">{texts["已撤销公开"]}</span>'
        rows.append(_row(texts["公开状态"], f"{badge} {title}"))
    else:
        rows.append("")
    return mark_safe("\n    ".join(rows))  # noqa: S308 - escaped above


_ASSIGNMENT_ROW = (
    "<tr>\n      <td>{}</td><td>{}</td><td>{}</td>\n      <td>{}</td>\n"
    "      <td>{}\n        {}</td>\n    </tr>"
)


def _assignment_rows(assignments) -> str:
    """The 派单与办理 table's rows (with each part's disputes) written here as
    ticket_detail.html's loop wrote them."""
    texts = labels.translated_once("centre.detail", _detail_texts)
    rows = []
    for assignment in assignments:
        if assignment.reply:
            result = linebreaksbr(assignment.reply)
            if assignment.replied_at:
                result += f"<br><small>{_shown(assignment.replied)}</small>"
        else:
            result = "—"
        disputes = []
        for dispute in assignment.dispute_list:
            suggested = ""
            if dispute.suggested_organisation_id:
                name = _shown(dispute.suggested_organisation_name)
                suggested = f"；{texts['建议']} {name}"
            disputes.append(
                f'<div class="small mt-1">{texts["派单异议"]}（{_shown(dispute.status_label)}）：'
                f"{_shown(dispute.reason)}{suggested}</div>"
            )
        rows.append(
            _ASSIGNMENT_ROW.format(
                _shown(assignment.organisation_name),
                _shown(assignment.role_label),
                _shown(assignment.status_label),
                _shown(assignment.instructions) if assignment.instructions else "—",
                result,
                "".join(disputes),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - escaped above


def _overdue_mark(ticket) -> str:
    """What ``hotline/includes/dispatch_overdue.html`` wrote for the ticket, its closing
    line break included (the list's rows write the same mark: ``_list_rows``)."""
    if not ticket.dispatch_overdue_at():
        return "\n"
    due = timezone.localtime(ticket.dispatch_due_at).strftime("%H:%M")
    overdue = _list_texts()["overdue"] % {"due": due}
    return mark_safe(f' <span class="badge text-bg-danger">{overdue}</span>\n')  # noqa: S308 - escaped translation, digits


# The ticket's fields whose labels the page shows (as get_FOO_display gave them).
_TICKET_LABELS = ("status", "channel", "type", "category", "urgency", "satisfaction")


def _page_urls() -> dict:
    """The ticket page's fixed links, as its {% url %} and {% static %} tags wrote them
    (escaped)."""
    return {
        "list": conditional_escape(reverse("hotline:ticket_list")),
        "picker_script": conditional_escape(static("hotline/org_picker.js")),
    }


def _detail(request, ticket, *, overrides=None, status=200, error=""):
    user = request.user
    overrides = overrides or {}
    centre = has_permission(user, DISPATCH)
    updates = _UPDATES(ticket.pk)
    assignments = _ASSIGNMENTS(ticket.pk)
    for assignment in assignments:
        assignment.dispute_list = []
        assignment.replied = _minute(assignment.replied_at)
        # The choices' labels (get_FOO_display) from the tables kept per language.
        assignment.role_label = labels.display(assignment, "role")
        assignment.status_label = labels.display(assignment, "status")
    # Disputes and extensions are a department's, through its assignment: none without one.
    extensions = []
    if assignments:
        by_pk = {assignment.pk: assignment for assignment in assignments}
        for dispute in _DISPUTES(ticket.pk):
            dispute.assignment = by_pk[dispute.assignment_id]
            dispute.assignment.dispute_list.append(dispute)
            dispute.status_label = labels.display(dispute, "status")
        extensions = _EXTENSIONS(ticket.pk)
        for extension in extensions:
            extension.status_label = labels.display(extension, "status")
    context = {
        "ticket": ticket,
        "ticket_labels": {name: labels.display(ticket, name) for name in _TICKET_LABELS},
        "overdue_mark": _overdue_mark(ticket),
        "show_reporter": queries.may_see_reporter(user, ticket),
        "updates": updates,
        "history": _history(updates),
        "when": _when(ticket),
        "assignments": assignments,
        "extensions": extensions,
        "attachments": _ATTACHMENTS(ticket.pk),
        "merged": _MERGED(ticket.pk),
        "centre": centre,
        "error": error,
        # (read by the deadline's row only while the clock runs: the calendar's work)
        "remaining": ticket.remaining_working_days()
        if ticket.due_at and not ticket.finished_at
        else None,
        # The deadline's badge, as the list's rows write it (and the line break that
        # ended the template it used to be included from).
        "clock_badge": mark_safe(f"{_list_texts()['clock'][ticket.status_at()]}\n")  # noqa: S308
        if ticket.due_at
        else "",
    }
    urls = labels.translated_once("centre.urls", _page_urls, urls=True)
    context["list_url"], context["picker_script"] = urls["list"], urls["picker_script"]
    context["basic_info"] = _basic_info(ticket, context)
    context["assignment_rows"] = _assignment_rows(assignments)
    if not centre:
        context["assignment_url"] = _assignment_link(user, ticket)
        return pretranslate.render(request, _DETAIL_TEMPLATE, context, status=status)

    forms = _forms(user, ticket, overrides)
    if "dispatch" in forms and not forms["dispatch"].is_bound:
        lead = request.GET.get("lead", "")
        if lead.isdigit():
            forms["dispatch"] = DispatchForm(actor=user, initial={"lead": int(lead)})
    withdrawals = []
    if ticket.status in IN_HANDS:
        for assignment in assignments:
            if assignment.status in ACTIVE_ASSIGNMENT_STATUSES:
                key = f"withdraw-{assignment.pk}"
                withdrawals.append((assignment, overrides.get(key) or WithdrawForm(prefix=key)))
    # A decision is offered only while the ticket is in a department's hands and the
    # disputed part is still active (a merge or redispatch withdraws it).
    in_hands = ticket.status in IN_HANDS
    disputes = []
    for assignment in assignments:
        if not in_hands or assignment.status != AssignmentStatus.DISPUTED:
            continue
        for dispute in assignment.dispute_list:
            if dispute.status == DecisionStatus.PENDING:
                key = f"dispute-{dispute.pk}"
                disputes.append(
                    (dispute, overrides.get(key) or DisputeDecisionForm(prefix=key, actor=user))
                )
    pending_extensions = []
    for extension in extensions:
        if in_hands and extension.status == DecisionStatus.PENDING:
            key = f"extension-{extension.pk}"
            late = ticket.due_at is not None and extension.requested_at > ticket.due_at
            pending_extensions.append(
                (extension, overrides.get(key) or DecisionForm(prefix=key), late)
            )
    choosing = ticket.status in (TicketStatus.RECEIVED, *IN_HANDS)
    context.update(
        forms=forms,
        withdrawals=withdrawals,
        disputes=disputes,
        pending_extensions=pending_extensions,
        rule=actions.dispatch_rule_for(ticket) if choosing else None,
        suggestions=_classifier_suggestions(ticket) if choosing else [],
        duplicates=_possible_duplicates(user, ticket) if ticket.status in MERGEABLE else [],
    )
    return pretranslate.render(request, _DETAIL_TEMPLATE, context, status=status)


@require_GET
def ticket_detail(request, number: str):
    """工单详情: the ticket, its history and the centre's actions (read-only for departments)."""
    require_permission(request.user, VIEW)
    return _detail(request, queries.ticket_for(request.user, number))


# ---- the centre's actions (POST) ----------------------------------------------------------


def _centre_ticket(request, number) -> Ticket:
    """The ticket for a centre action: dispatch permission, in scope (404 otherwise)."""
    require_permission(request.user, DISPATCH)
    return queries.ticket_for(request.user, number)


def _run(request, ticket, key, form, call, success):
    """Validate ``form``, run ``call(cleaned_data)``; 400 with the message on any refusal."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("hotline:ticket_detail", number=ticket.number)
    ticket = queries.ticket_for(request.user, ticket.number)
    error = "; ".join(str(e) for e in form.non_field_errors()) or _("提交的内容有误，请检查。")
    return _detail(request, ticket, overrides={key: form}, status=400, error=error)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@require_POST
def dispatch(request, number: str):
    ticket = _centre_ticket(request, number)
    form = DispatchForm(request.POST, actor=request.user)
    return _run(
        request,
        ticket,
        "dispatch",
        form,
        lambda data: actions.dispatch_ticket(
            actor=request.user,
            ticket=ticket,
            lead=data["lead"],
            assisting=list(data["assisting"]),
            instructions=data["instructions"],
            request=request,
        ),
        _("已派单。"),
    )


@require_POST
def redispatch(request, number: str):
    ticket = _centre_ticket(request, number)
    form = RedispatchForm(request.POST, actor=request.user)
    return _run(
        request,
        ticket,
        "redispatch",
        form,
        lambda data: actions.redispatch_ticket(
            actor=request.user,
            ticket=ticket,
            lead=data["lead"],
            assisting=list(data["assisting"]),
            instructions=data["instructions"],
            reason=data["reason"],
            request=request,
        ),
        _("已改派。"),
    )


@require_POST
def withdraw(request, number: str, pk: int):
    ticket = _centre_ticket(request, number)
    assignment = Assignment.objects.filter(ticket=ticket, pk=pk).first()
    if assignment is None:
        raise Http404
    key = f"withdraw-{pk}"
    form = WithdrawForm(request.POST, prefix=key)
    return _run(
        request,
        ticket,
        key,
        form,
        lambda data: actions.withdraw_assignment(
            actor=request.user, assignment=assignment, reason=data["reason"], request=request
        ),
        _("已撤回派单。"),
    )


@require_POST
def not_accepted(request, number: str):
    ticket = _centre_ticket(request, number)
    form = NotAcceptedForm(request.POST, ticket=ticket)
    return _run(
        request,
        ticket,
        "refuse",
        form,
        lambda data: actions.mark_not_accepted(
            actor=request.user,
            ticket=ticket,
            ground=data["ground"],
            reason=data["reason"],
            request=request,
        ),
        _("已作不予受理处理。"),
    )


@require_POST
def merge(request, number: str):
    ticket = _centre_ticket(request, number)
    form = MergeForm(request.POST)

    def call(data):
        master = queries.visible_tickets(request.user).filter(number=data["master"].strip())
        master = master.first()
        if master is None:
            raise ValidationError({"master": _("找不到该工单编号，或您无权查看该工单。")})
        actions.merge_ticket(actor=request.user, duplicate=ticket, master=master, request=request)

    return _run(request, ticket, "merge", form, call, _("已合并，并告知反映人。"))


def _decision(data) -> bool:
    return data["decision"] == "approve"


@require_POST
def decide_dispute(request, number: str, pk: int):
    ticket = _centre_ticket(request, number)
    dispute = Dispute.objects.filter(assignment__ticket=ticket, pk=pk).first()
    if dispute is None:
        raise Http404
    key = f"dispute-{pk}"
    form = DisputeDecisionForm(request.POST, prefix=key, actor=request.user)
    return _run(
        request,
        ticket,
        key,
        form,
        lambda data: actions.decide_dispute(
            actor=request.user,
            dispute=dispute,
            approve=_decision(data),
            note=data["note"],
            organisation=data["organisation"],
            request=request,
        ),
        _("派单异议已审核。"),
    )


@require_POST
def decide_extension(request, number: str, pk: int):
    ticket = _centre_ticket(request, number)
    extension = ExtensionRequest.objects.filter(ticket=ticket, pk=pk).first()
    if extension is None:
        raise Http404
    key = f"extension-{pk}"
    form = DecisionForm(request.POST, prefix=key)
    return _run(
        request,
        ticket,
        key,
        form,
        lambda data: actions.decide_extension(
            actor=request.user,
            extension=extension,
            approve=_decision(data),
            note=data["note"],
            request=request,
        ),
        _("延期申请已审核。"),
    )


@require_POST
def urge(request, number: str):
    ticket = _centre_ticket(request, number)
    form = PressForm(request.POST, prefix="urge")
    return _run(
        request,
        ticket,
        "urge",
        form,
        lambda data: actions.urge_ticket(
            actor=request.user, ticket=ticket, content=data["content"], request=request
        ),
        _("已催办。"),
    )


@require_POST
def supervise(request, number: str):
    ticket = _centre_ticket(request, number)
    form = PressForm(request.POST, prefix="supervise")
    return _run(
        request,
        ticket,
        "supervise",
        form,
        lambda data: actions.supervise_ticket(
            actor=request.user, ticket=ticket, content=data["content"], request=request
        ),
        _("已督办。"),
    )


@require_POST
def revisit(request, number: str):
    ticket = _centre_ticket(request, number)
    form = RevisitForm(request.POST)
    return _run(
        request,
        ticket,
        "revisit",
        form,
        lambda data: actions.revisit_ticket(
            actor=request.user,
            ticket=ticket,
            satisfaction=data["satisfaction"],
            note=data["note"],
            request=request,
        ),
        _("回访已记录。"),
    )


@require_POST
def publish(request, number: str):
    ticket = _centre_ticket(request, number)
    form = PublishForm(request.POST)
    return _run(
        request,
        ticket,
        "publish",
        form,
        lambda data: actions.publish_letter(
            actor=request.user,
            ticket=ticket,
            title=data["title"],
            content=data["content"],
            reply=data["reply"],
            request=request,
        ),
        _("来信已公开。"),
    )


@require_POST
def unpublish(request, number: str):
    ticket = _centre_ticket(request, number)
    form = UnpublishForm(request.POST)
    return _run(
        request,
        ticket,
        "unpublish",
        form,
        lambda data: actions.unpublish_letter(
            actor=request.user, ticket=ticket, reason=data["reason"], request=request
        ),
        _("已撤销公开。"),
    )


# ---- the organisation picker (htmx) ----------------------------------------------------------


@require_GET
def organisation_search(request):
    """承办单位 search for the pickers: at most 20 organisations the user may dispatch to
    whose name (or short name) contains ``q``, names starting with it first, plus the ones
    already checked (``<field>`` values) so that a new search does not drop them.

    The answer is the picker's list of radio buttons / check boxes (an HTML fragment).
    """
    require_permission(request.user, DISPATCH)
    form = OrganisationSearchForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("搜索参数有误。"))
    data = form.cleaned_data
    field, q = data["field"], data["q"]
    scope = actions.dispatchable_organisations(request.user).select_related("division")
    picked = [int(v) for v in request.GET.getlist(field) if v.isdigit()][:SEARCH_LIMIT]
    if not data["multiple"]:
        picked = picked[:1]
    chosen = list(scope.filter(pk__in=picked).order_by("name")) if picked else []
    matches, more = [], False
    if q:
        # Chinese has no case: a plain LIKE spares the database an UPPER() of every name
        # (on PostgreSQL that was most of the time with 100,000 organisations).
        lookup = "icontains" if q.upper() != q.lower() else "contains"
        found = (
            scope.filter(Q(**{f"name__{lookup}": q}) | Q(**{f"short_name__{lookup}": q}))
            .exclude(pk__in=[o.pk for o in chosen])
            .annotate(
                starts=Case(
                    When(name__startswith=q, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("starts", "name", "pk")
        )
        matches = list(found[: SEARCH_LIMIT + 1])
        more = len(matches) > SEARCH_LIMIT
        matches = matches[:SEARCH_LIMIT]
    context = {
        "name": field,
        "base_id": f"id_{field}",
        "input_type": "checkbox" if data["multiple"] else "radio",
        "chosen": chosen,
        "matches": matches,
        "searched": bool(q),
        "more": more,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "hotline/centre/_organisation_choices.html", context)


TICKET = "workbench/hotline/tickets/<str:number>/"

urlpatterns = [
    path("workbench/hotline/tickets/", ticket_list, name="ticket_list"),
    path("workbench/hotline/organisations/", organisation_search, name="organisation_search"),
    path(TICKET, ticket_detail, name="ticket_detail"),
    path(f"{TICKET}dispatch/", dispatch, name="ticket_dispatch"),
    path(f"{TICKET}redispatch/", redispatch, name="ticket_redispatch"),
    path(f"{TICKET}assignments/<int:pk>/withdraw/", withdraw, name="ticket_withdraw"),
    path(f"{TICKET}not-accepted/", not_accepted, name="ticket_not_accepted"),
    path(f"{TICKET}merge/", merge, name="ticket_merge"),
    path(f"{TICKET}disputes/<int:pk>/decide/", decide_dispute, name="ticket_dispute_decide"),
    path(f"{TICKET}extensions/<int:pk>/decide/", decide_extension, name="ticket_extension_decide"),
    path(f"{TICKET}urge/", urge, name="ticket_urge"),
    path(f"{TICKET}supervise/", supervise, name="ticket_supervise"),
    path(f"{TICKET}revisit/", revisit, name="ticket_revisit"),
    path(f"{TICKET}publish/", publish, name="ticket_publish"),
    path(f"{TICKET}unpublish/", unpublish, name="ticket_unpublish"),
]

NAVIGATION = [NavEntry(gettext_lazy("热线工单"), "hotline:ticket_list", VIEW, order=61)]
