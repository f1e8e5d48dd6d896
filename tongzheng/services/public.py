"""What other modules may call in 政务服务. Nothing else is public.

For the public side (service guides, application forms, status lookup, ratings, the
transparency list) and for supervision. The applicant is a citizen or enterprise user;
every write goes through ``tongzheng.services.actions`` (permission, state check, audit,
event list and notification in one transaction).

Writes (applicant)::

    save_draft(*, applicant, item, form_data, application=None, channel="online", request=None)
        -> Application                              # 草稿, kept between visits
    submit_application(*, applicant, item=None, form_data=None, application=None,
                       files=(), channel="online", submission_key=None, request=None)
        -> (Application, query_code | None)         # 提交; the code is shown once
    resubmit_application(*, applicant, application, form_data=None, files=(),
                         transaction_id=None, request=None) -> Application   # 补正后提交

``files`` is a list of ``(Material, UploadedFile)``; each file is checked by size and
magic number (``uploads.check_upload``: PDF, JPG, PNG, OFD up to 20 MB). A retried
submission with the same ``submission_key`` returns the first application and ``None``
for the code. Errors: ``ValidationError`` (Chinese message; nothing written),
``PermissionDenied`` (not a citizen / enterprise account), ``Http404`` (not yours).

Reads::

    published_items(*, organisation=None, item_type="")   # the catalogue (权力清单 / 指南)
    item_guide(item_id) -> ItemGuide | None               # one item's guide, current version
    find_application(number, code) -> Application | None # 办件查询 without login
    status_lookup(number) -> Application | None           # its one query (benchmarks)
    application_status(application) -> StatusView          # what the applicant may see
    applications_of(user)                                  # "my applications", newest first
    rating_subject(application, user) -> (Application, Organisation) | None
                                          # 好差评: the closed application the user may rate
"""

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from tongzheng.core.labels import translated_once
from tongzheng.core.prepared import PreparedQuery
from tongzheng.services import actions
from tongzheng.services.models import (
    Application,
    ApplicationStatus,
    ItemVersion,
    ServiceItem,
    hash_code,
)

S = ApplicationStatus

__all__ = [
    "ItemGuide",
    "StatusView",
    "application_status",
    "applications_of",
    "find_application",
    "item_guide",
    "published_items",
    "rating_subject",
    "resubmit_application",
    "save_draft",
    "status_lookup",
    "submit_application",
]

#: Events whose note the applicant sees (reasons and what to supplement are for them).
APPLICANT_NOTES = {
    "refuse_acceptance",
    "request_supplement",
    "refuse",
    "start_special_procedure",
    "issue_result",
}


# --- writes -------------------------------------------------------------------------------


def save_draft(*, applicant, item, form_data, application=None, channel="online", request=None):
    return actions.save_draft(
        actor=applicant,
        item=item,
        form_data=form_data,
        application=application,
        channel=channel,
        request=request,
    )


def submit_application(
    *,
    applicant,
    item=None,
    form_data=None,
    application=None,
    files=(),
    channel="online",
    submission_key=None,
    request=None,
):
    return actions.submit(
        actor=applicant,
        item=item,
        form_data=form_data,
        application=application,
        files=files,
        channel=channel,
        submission_key=submission_key,
        request=request,
    )


def resubmit_application(
    *, applicant, application, form_data=None, files=(), transaction_id=None, request=None
):
    return actions.resubmit(
        actor=applicant,
        application=application,
        form_data=form_data,
        files=files,
        transaction_id=transaction_id,
        request=request,
    )


# --- reads --------------------------------------------------------------------------------


def published_items(*, organisation=None, item_type: str = ""):
    """Active items with a published version, by implementation code (public data)."""
    items = (
        ServiceItem.objects.filter(is_active=True, current_version__isnull=False)
        .select_related("current_version", "organisation")
        .order_by("implementation_code")
    )
    if organisation is not None:
        items = items.filter(organisation=organisation)
    if item_type:
        items = items.filter(current_version__item_type=item_type)
    return items


@dataclass(frozen=True)
class ItemGuide:
    """办事指南: one item's current version with its materials and stages."""

    item: ServiceItem
    version: ItemVersion
    materials: list
    stages: list  # (Stage, [department names])


def item_guide(item_id: int) -> ItemGuide | None:
    item = published_items().filter(pk=item_id).first()
    if item is None:
        return None
    version = item.current_version
    stages = [
        (stage, [t.organisation.name for t in stage.tasks.select_related("organisation")])
        for stage in version.stages.all()
    ]
    return ItemGuide(item, version, list(version.materials.all()), stages)


#: The application's own columns the status page reads (``application_status``,
#: ``check_code``); ``id`` so that the instance has its primary key.
STATUS_FIELDS = (
    "id",
    "number",
    "code_hash",
    "status",
    "submitted_at",
    "accepted_at",
    "due_at",
    "warning_at",
    "paused_since",
    "finished_at",
    "closed_at",
    "decision_reason",
)
#: The names and the result (证照) the page shows, joined in as plain columns: related
#: model instances would cost three more objects per lookup.
SHOWN_FIELDS = (
    "version__name",
    "organisation__name",
    "current_stage__name",
    "result__licence_number",
    "result__document",
)
#: Each event's columns, joined in too: one row per event, in order.
EVENT_FIELDS = ("events__at", "events__to_status", "events__action", "events__note")

#: Stands for the application number while the query is compiled (never sent).
_NUMBER = "\x00number\x00"


@cache
def _application_columns() -> tuple[str, ...]:
    """STATUS_FIELDS in the model's field order, as ``Model.from_db`` takes them."""
    return tuple(f.attname for f in Application._meta.concrete_fields if f.attname in STATUS_FIELDS)


# A server-side prepared statement on PostgreSQL: planning this six-table join cost
# PostgreSQL ~1.2 ms of CPU per lookup, far more than running it (core.prepared).
_STATUS_QUERY = PreparedQuery(
    lambda number: (
        Application.objects.exclude(status=S.DRAFT)
        .filter(number=number)
        .values_list(*_application_columns(), *SHOWN_FIELDS, *EVENT_FIELDS)
        .order_by("events__sequence")
    ),
    _NUMBER,
    prepare=True,
)


def status_lookup(number: str) -> Application | None:
    """The single indexed query of 办件查询 (``number`` is unique; drafts are not found):
    the application with the names, the result and the events its status page shows
    (``shown_*``), or None."""
    rows = _STATUS_QUERY.rows(number)
    if not rows:
        return None
    columns = _application_columns()
    own, shown = len(columns), len(columns) + len(SHOWN_FIELDS)
    first = rows[0]
    application = Application.from_db(DEFAULT_DB_ALIAS, columns, first[:own])
    (
        application.shown_item,
        application.shown_organisation,
        application.shown_stage,
        application.shown_licence,
        application.shown_document,
    ) = first[own:shown]
    application.shown_events = [row[shown:] for row in rows if row[shown] is not None]
    return application


def find_application(number: str, code: str) -> Application | None:
    """The application with this number *and* query code, else None (no hint which was
    wrong). One indexed query; the code is compared in constant time. A draft is not
    found (it has no code the applicant was shown)."""
    number = (number or "").strip().upper()[:32]
    if not number or not code:
        hash_code(number or "-", code or "-")  # same work either way
        return None
    application = status_lookup(number)
    if application is None:
        hash_code(number, code)
        return None
    return application if application.check_code(code) else None


#: "00" … "99": the two-digit fields of ``minute``.
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def minute(at: datetime.datetime | None, zone=None) -> str:
    """``Y-m-d H:i`` of the aware ``at`` in ``zone`` (default: the current time zone), as
    the ``date`` filter would show it (``timezone.localtime`` is ``astimezone`` after a
    check for naive values, which the database never gives). The fields are put together
    from a table of two-digit strings: about half the instructions of ``isoformat`` to the
    minute (which formats the offset too) and a third of ``strftime``'s (the status page
    shows ~10; the tests compare it with the filter and with isoformat)."""
    if not at:
        return ""
    local = at.astimezone(zone or timezone.get_current_timezone())
    year = local.year
    if year < 1000:  # the filter pads the year to four digits
        return local.isoformat(" ", "minutes")[:16]
    two = _TWO_DIGITS
    return f"{year}-{two[local.month]}-{two[local.day]} {two[local.hour]}:{two[local.minute]}"


#: The status page's headings (``view.labels``): the page is the public hot path, and a
#: ``{% translate %}`` tag looks its text up again on every request.
FIELD_LABELS = {
    "item": gettext_lazy("事项"),
    "organisation": gettext_lazy("办理部门"),
    "status": gettext_lazy("当前状态"),
    "stage": gettext_lazy("当前环节"),
    "submitted": gettext_lazy("提交时间"),
    "accepted": gettext_lazy("受理时间"),
    "due": gettext_lazy("承诺办结日期"),
    "closed": gettext_lazy("办结时间"),
    "reason": gettext_lazy("理由"),
    "licence": gettext_lazy("证照编号"),
    "events": gettext_lazy("办理过程"),
}


def _texts(pairs) -> dict[str, str]:
    """(key, lazy text) pairs as a dict of texts in the active language."""
    return {key: str(text) for key, text in pairs}


def status_labels(language: str | None = None) -> dict[str, str]:
    """Status → its label in the active language (``S.choices`` builds its list on every
    access: read only when the table is made)."""
    return translated_once("services.status", lambda: _texts(S.choices), language=language)


# PublicEvent and StatusView are made on every status lookup (issue 4), ~9 and 1 a page:
# plain dataclasses with slots, not frozen ones (a frozen dataclass sets each field
# through object.__setattr__: twice the instructions of a plain one). Nothing changes them
# after they are made.


@dataclass(slots=True)
class PublicEvent:
    at: datetime.datetime
    status: str
    status_label: str
    note: str
    at_text: str = ""


@dataclass(slots=True)
class StatusView:
    """办件状态 as the applicant (or a holder of number + code) may see it. The ``*_text``
    fields are the times as the page shows them (formatted here, not by template
    filters: the status lookup is a hot path)."""

    number: str
    item_name: str
    organisation_name: str
    status: str
    status_label: str
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    due_date: datetime.date | None
    remaining_working_days: int | None  # None when not shown: no due date, or closed
    current_stage: str
    supplement_materials: list[str] = field(default_factory=list)
    supplement_other: str = ""
    decision_reason: str = ""
    licence_number: str = ""
    has_document: bool = False
    closed_at: datetime.datetime | None = None
    events: list[PublicEvent] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # FIELD_LABELS, translated
    submitted_text: str = ""
    accepted_text: str = ""
    closed_text: str = ""

    @property
    def due_text(self) -> str:
        return f"{self.due_date:%Y-%m-%d}" if self.due_date else ""


def _shown(application: Application, has_result: bool) -> tuple:
    """(item, organisation, stage, licence number, document, event rows): the
    ``shown_*`` columns of ``status_lookup``, else (the applicant's own pages) through the
    related rows."""
    if hasattr(application, "shown_item"):
        return (
            application.shown_item,
            application.shown_organisation,
            application.shown_stage,
            application.shown_licence,
            application.shown_document,
            application.shown_events,
        )
    result = getattr(application, "result", None) if has_result else None
    stage = application.current_stage
    return (
        application.version.name,
        application.organisation.name,
        stage.name if stage else "",
        result.licence_number if result else "",
        result.document if result else "",
        application.events.order_by("sequence").values_list("at", "to_status", "action", "note"),
    )


def application_status(application: Application, language: str | None = None) -> StatusView:
    """What the applicant (or a holder of number + code) may see of ``application``, in
    the active language (``language``, when the caller has read it already)."""
    supplement = (
        application.supplements.filter(resubmitted_at__isnull=True)
        .prefetch_related("materials")
        .first()
        if application.status == S.SUPPLEMENT
        else None
    )
    has_result = application.status in (S.ISSUED, S.CLOSED)
    item, organisation, stage, licence, document, event_rows = _shown(application, has_result)
    language, zone = language or get_language(), timezone.get_current_timezone()
    labels = status_labels(language)
    events = [
        PublicEvent(
            at=at,
            status=to_status,
            status_label=labels[to_status],
            note=note if action in APPLICANT_NOTES else "",
            at_text=minute(at, zone),
        )
        for at, to_status, action, note in event_rows
    ]
    submitted, accepted, closed = (
        application.submitted_at,
        application.accepted_at,
        application.closed_at,
    )
    return StatusView(
        number=application.number,
        item_name=item,
        organisation_name=organisation,
        status=application.status,
        status_label=labels[application.status],
        submitted_at=submitted,
        accepted_at=accepted,
        due_date=application.due_at.astimezone(zone).date() if application.due_at else None,
        # The working calendar is read only for a due date the page shows.
        remaining_working_days=application.remaining_working_days()
        if application.due_at and not closed
        else None,
        current_stage=stage or "",
        supplement_materials=[m.name for m in supplement.materials.all()] if supplement else [],
        supplement_other=supplement.other_items if supplement else "",
        decision_reason=application.decision_reason
        if application.status in (S.NOT_ACCEPTED, S.REFUSED, S.CLOSED)
        else "",
        licence_number=(licence or "") if has_result else "",
        has_document=bool(has_result and document),
        closed_at=closed,
        events=events,
        labels=translated_once(
            "services.fields", lambda: _texts(FIELD_LABELS.items()), language=language
        ),
        submitted_text=minute(submitted, zone),
        accepted_text=minute(accepted, zone),
        closed_text=minute(closed, zone),
    )


def applications_of(user):
    """The user's own applications (drafts included), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=user)
        .select_related("version")
        .order_by("-created_at", "-pk")
    )


def rating_subject(application: Application, user):
    """(application, organisation rated) when ``user`` applied and it is closed or not
    accepted; otherwise None. Supervision's ``record_rating`` takes these."""
    if application.applicant_id != getattr(user, "pk", None):
        return None
    if application.status not in (S.CLOSED, S.NOT_ACCEPTED):
        return None
    return application, application.organisation
