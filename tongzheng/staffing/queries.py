"""Reads of the staffing registry, always scoped through ``for_user``.

Approved numbers are ledger sums, occupied numbers are counts of serving personnel,
promised numbers are the unused slots of unexpired 控编通知单 — each one grouped query
for a whole page of units, never a loop of queries.
"""

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tongzheng.core.access import has_permission
from tongzheng.core.models import Organisation, OrganisationKind
from tongzheng.staffing.actions import (
    APPLY_QUOTA_USE,
    MANAGE_PERSONNEL_LOCKED,
    REVIEW_QUOTA_USE,
    VIEW_PERSON,
    VIEW_QUOTA,
)
from tongzheng.staffing.models import (
    QUOTA_POSTS,
    EstablishmentType,
    LeadershipPost,
    Movement,
    Person,
    PersonStatus,
    PostLedgerEntry,
    QuotaLedgerEntry,
    QuotaUseApplication,
    QuotaUseNotice,
    UnitHistoryEntry,
    UnitProfile,
)


def establishment_types():
    return list(EstablishmentType.objects.filter(is_active=True))


# --- units --------------------------------------------------------------------------------


def unit_list(user, *, q: str = "", division_code: str = ""):
    """Units (not internal departments) the user may see with ``staffing.view_quota``."""
    units = (
        Organisation.objects.for_user(user, VIEW_QUOTA)
        .exclude(kind=OrganisationKind.INTERNAL_DEPARTMENT)
        .select_related("division")
    )
    if q:
        units = units.filter(Q(name__contains=q) | Q(short_name__contains=q))
    if division_code:
        units = units.filter(division_path__contains=f"{division_code}/")
    return units


def unit_figures(units) -> dict[int, dict[int, dict[str, int]]]:
    """{organisation id: {type id: {"approved", "occupied"}}} for a page of units."""
    ids = [u.pk for u in units]
    figures: dict[int, dict[int, dict[str, int]]] = {pk: {} for pk in ids}
    for row in QuotaLedgerEntry.objects.filter(organisation_id__in=ids).approved_totals():
        cell = figures[row["organisation_id"]].setdefault(
            row["establishment_type_id"], {"approved": 0, "occupied": 0}
        )
        cell["approved"] = row["approved"] or 0
    occupied = (
        Person.objects.occupying()
        .filter(organisation_id__in=ids)
        .order_by()
        .values("organisation_id", "establishment_type_id")
        .annotate(n=Count("pk"))
    )
    for row in occupied:
        cell = figures[row["organisation_id"]].setdefault(
            row["establishment_type_id"], {"approved": 0, "occupied": 0}
        )
        cell["occupied"] = row["n"]
    return figures


def unit_detail(user, pk: int) -> Organisation:
    return Organisation.objects.select_related("division", "parent").get_for_user(
        user, VIEW_QUOTA, pk=pk
    )


def quota_table(organisation) -> list[dict]:
    """Per establishment type: approved, occupied, promised, controlled, vacant, over."""
    totals = list(QuotaLedgerEntry.objects.filter(organisation=organisation).approved_totals())
    approved = {row["establishment_type_id"]: row["approved"] or 0 for row in totals}
    controlled = {row["establishment_type_id"]: max(row["controlled"] or 0, 0) for row in totals}
    occupied = dict(
        Person.objects.occupying()
        .filter(organisation=organisation)
        .order_by()
        .values("establishment_type_id")
        .annotate(n=Count("pk"))
        .values_list("establishment_type_id", "n")
    )
    promised = dict(
        QuotaUseNotice.objects.valid()
        .filter(organisation=organisation)
        .order_by()
        .values("establishment_type_id")
        .annotate(n=Sum(F("slots") - F("slots_used")))
        .values_list("establishment_type_id", "n")
    )
    rows = []
    for kind in establishment_types():
        a, o, p = approved.get(kind.pk, 0), occupied.get(kind.pk, 0), promised.get(kind.pk, 0)
        c = controlled.get(kind.pk, 0)
        if not (a or o or p or c):
            continue
        rows.append(
            {
                "type": kind,
                "approved": a,
                "occupied": o,
                "promised": p,
                "controlled": c,
                "vacant": max(a - o - p - c, 0),
                "over": max(o - a, 0),
            }
        )
    return rows


def post_table(organisation) -> list[dict]:
    approved = {
        row["post"]: row["approved"] or 0
        for row in PostLedgerEntry.objects.filter(organisation=organisation).approved_totals()
    }
    occupied = dict(
        Person.objects.serving()
        .filter(organisation=organisation)
        .exclude(post=LeadershipPost.NONE)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values_list("post", "n")
    )
    return [
        {
            "post": value,
            "label": str(label),
            "approved": approved.get(value, 0),
            "occupied": occupied.get(value, 0),
            "vacant": max(approved.get(value, 0) - occupied.get(value, 0), 0),
        }
        for value, label in QUOTA_POSTS
    ]


def unit_profile(organisation) -> UnitProfile | None:
    return UnitProfile.objects.filter(organisation=organisation).first()


def quota_ledger(organisation):
    return (
        QuotaLedgerEntry.objects.filter(organisation=organisation)
        .select_related("establishment_type")
        .order_by("-date", "-id")
    )


def post_ledger(organisation):
    return PostLedgerEntry.objects.filter(organisation=organisation).order_by("-date", "-id")


def unit_history(organisation):
    return UnitHistoryEntry.objects.filter(organisation=organisation).order_by("date", "id")


def valid_notices(organisation, establishment_type=None):
    notices = QuotaUseNotice.objects.valid().filter(organisation=organisation)
    if establishment_type is not None:
        notices = notices.filter(establishment_type=establishment_type)
    return notices.select_related("establishment_type").order_by("valid_until", "id")


# --- personnel ----------------------------------------------------------------------------


def person_list(
    user, *, q: str = "", id_number: str = "", organisation_id=None, status: str = "serving"
):
    """Personnel in scope; ``id_number`` is an exact match through the blind index."""
    people = Person.objects.for_user(user, VIEW_PERSON).select_related(
        "organisation", "establishment_type"
    )
    if status in PersonStatus.values:
        people = people.filter(status=status)
    if organisation_id:
        people = people.filter(organisation_id=organisation_id)
    if id_number:
        people = people.filter(Person.id_number.matches(id_number.strip().upper()))
    if q:
        people = people.filter(name__contains=q)
    return people.order_by("organisation_id", "name", "id")


def unit_personnel(user, organisation):
    return (
        Person.objects.for_user(user, VIEW_PERSON)
        .serving()
        .filter(organisation=organisation)
        .select_related("establishment_type")
        .order_by("name", "id")
    )


def person_detail(user, pk: int) -> Person:
    return Person.objects.select_related("organisation", "establishment_type").get_for_user(
        user, VIEW_PERSON, pk=pk
    )


def person_movements(person):
    return (
        Movement.objects.filter(person=person)
        .select_related("organisation", "from_organisation", "establishment_type", "notice")
        .order_by("-date", "-id")
    )


def movable_person(user, pk: int) -> Person:
    """A person the user may move (staffing office); 404 outside scope."""
    return Person.objects.select_related("organisation", "establishment_type").get_for_user(
        user, MANAGE_PERSONNEL_LOCKED, pk=pk
    )


def transfer_targets(user):
    return (
        Organisation.objects.for_user(user, MANAGE_PERSONNEL_LOCKED)
        .exclude(kind=OrganisationKind.INTERNAL_DEPARTMENT)
        .filter(is_active=True)
    )


# --- quota-use approval -------------------------------------------------------------------


def application_list(user, *, status: str = ""):
    """Applications the user may see: as applicant's unit or as reviewer."""
    visible = QuotaUseApplication.objects.for_user(user, VIEW_QUOTA)
    if status:
        visible = visible.filter(status=status)
    return visible.select_related("organisation", "establishment_type", "applicant").order_by(
        "-created_at", "-id"
    )


def application_detail(user, pk: int) -> QuotaUseApplication:
    return QuotaUseApplication.objects.select_related(
        "organisation", "establishment_type", "applicant", "reviewer"
    ).get_for_user(user, VIEW_QUOTA, pk=pk)


def can_review(user, application) -> bool:
    return (
        has_permission(user, REVIEW_QUOTA_USE)
        and QuotaUseApplication.objects.for_user(user, REVIEW_QUOTA_USE)
        .filter(pk=application.pk)
        .exists()
    )


def applicable_units(user):
    return (
        Organisation.objects.for_user(user, APPLY_QUOTA_USE)
        .exclude(kind=OrganisationKind.INTERNAL_DEPARTMENT)
        .filter(is_active=True)
    )


def notice_list(user):
    return (
        QuotaUseNotice.objects.for_user(user, VIEW_QUOTA)
        .select_related("organisation", "establishment_type")
        .order_by("-issued_at", "-id")
    )


def notice_detail(user, pk: int) -> QuotaUseNotice:
    return QuotaUseNotice.objects.select_related(
        "organisation", "establishment_type", "application", "issued_by"
    ).get_for_user(user, VIEW_QUOTA, pk=pk)


def today():
    return timezone.localdate()
