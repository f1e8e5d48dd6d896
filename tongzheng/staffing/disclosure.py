"""实名制公示 — actions and reads of a unit's public disclosure.

Flow: the unit submits (``staffing.submit_disclosure``) → the staffing office reviews
(``staffing.review_disclosure``) and publishes it, freezing the public fields in a
snapshot, or returns it with reasons → a published disclosure can be withdrawn. Each
step is one transaction with its audit record. The public pages read only published
snapshots (``published_for_portal``, ``published_list``).

Public fields only (DOMAIN.md §1): unit name, level, main duties, internal departments,
approved establishment by type, and per serving person name, gender, post and
establishment type. Never ID numbers, birth dates, salary or document numbers.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.models import Organisation, OrganisationKind
from tongzheng.staffing.models import (
    DisclosurePublication,
    DisclosureStatus,
    EstablishmentType,
    LeadershipPost,
    Person,
    PersonStatus,
    QuotaLedgerEntry,
)
from tongzheng.staffing.registrations import REVIEW_DISCLOSURE, SUBMIT_DISCLOSURE

POST_ORDER = {post.value: index for index, post in enumerate(LeadershipPost)}
SNAPSHOT_VERSION = 1


# --- The public snapshot ----------------------------------------------------------------


def build_snapshot(organisation: Organisation) -> dict:
    """The public fields of ``organisation`` now, in the source language (zh-hans)."""
    with translation.override("zh-hans"):
        profile = getattr(organisation, "staffing_profile", None)
        departments = list(
            Organisation.objects.filter(
                parent=organisation, kind=OrganisationKind.INTERNAL_DEPARTMENT, is_active=True
            )
            .order_by("path")
            .values_list("name", flat=True)
        )
        names = dict(EstablishmentType.objects.values_list("pk", "name"))
        orders = dict(EstablishmentType.objects.values_list("pk", "order"))
        approved = sorted(
            (
                row
                for row in QuotaLedgerEntry.objects.filter(
                    organisation=organisation
                ).approved_totals()
                if row["approved"]
            ),
            key=lambda row: orders.get(row["establishment_type_id"], 0),
        )
        people = Person.objects.filter(
            organisation=organisation, status=PersonStatus.SERVING
        ).values_list("name", "gender", "post", "job_title", "establishment_type_id")
        genders = {"1": str(_("男")), "2": str(_("女"))}
        posts = {value: str(label) for value, label in LeadershipPost.choices}
        personnel = sorted(
            (
                {
                    "name": name,
                    "gender": genders.get(gender, ""),
                    "post": job_title or (posts[post] if post != LeadershipPost.NONE else ""),
                    "establishment_type": names.get(type_id, str(_("编外"))),
                    "_order": POST_ORDER.get(post, 99),
                }
                for name, gender, post, job_title, type_id in people
            ),
            key=lambda p: (p["_order"], p["name"]),
        )
        for person in personnel:
            del person["_order"]
        return {
            "version": SNAPSHOT_VERSION,
            "unit": {
                "name": organisation.name,
                "rank": str(organisation.get_rank_display()),
                "category": str(organisation.get_category_display()),
                "division": organisation.division.name,
            },
            "main_duties": profile.main_duties if profile else "",
            "departments": departments,
            "establishment": [
                {"type": names.get(row["establishment_type_id"], ""), "approved": row["approved"]}
                for row in approved
            ],
            "personnel": personnel,
        }


# --- Actions ------------------------------------------------------------------------------


def _in_scope(user, permission: str, organisation: Organisation) -> None:
    if not Organisation.objects.for_user(user, permission).filter(pk=organisation.pk).exists():
        raise Http404


def submit(*, actor, organisation: Organisation, request=None) -> DisclosurePublication:
    """The unit submits its disclosure for review (a returned draft is submitted again)."""
    with transaction.atomic():
        require_permission(actor, SUBMIT_DISCLOSURE)
        _in_scope(actor, SUBMIT_DISCLOSURE, organisation)
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        publication = (
            DisclosurePublication.objects.filter(
                organisation=organisation,
                status__in=[DisclosureStatus.DRAFT, DisclosureStatus.SUBMITTED],
            )
            .select_for_update()
            .first()
        )
        if publication is not None and publication.status == DisclosureStatus.SUBMITTED:
            raise ValidationError(_("该单位已有待审核的公示，请等待编办审核。"))
        if publication is None:
            publication = DisclosurePublication(organisation=organisation)
        publication.unit_name = organisation.name
        publication.status = DisclosureStatus.SUBMITTED
        publication.submitted_by = actor
        publication.submitted_at = timezone.now()
        publication.save()
        record_event(
            actor=actor, action="staffing.disclosure_submitted", target=publication, request=request
        )
        return publication


def _for_review(actor, publication_id: int, status: str) -> DisclosurePublication:
    require_permission(actor, REVIEW_DISCLOSURE)
    publication = (
        DisclosurePublication.objects.for_user(actor, REVIEW_DISCLOSURE)
        .select_for_update()
        .select_related("organisation__division")
        .filter(pk=publication_id)
        .first()
    )
    if publication is None:
        raise Http404
    if publication.status != status:
        raise ValidationError(
            _("该公示当前状态为“%(status)s”，不能执行此操作。")
            % {"status": publication.get_status_display()}
        )
    return publication


def publish(*, actor, publication_id: int, request=None) -> DisclosurePublication:
    """The staffing office publishes a submitted disclosure: the snapshot is frozen now and
    any earlier published disclosure of the unit is withdrawn."""
    with transaction.atomic():
        publication = _for_review(actor, publication_id, DisclosureStatus.SUBMITTED)
        previous = list(
            DisclosurePublication.objects.select_for_update().filter(
                organisation=publication.organisation, status=DisclosureStatus.PUBLISHED
            )
        )
        for old in previous:
            old.status = DisclosureStatus.WITHDRAWN
            old.save(update_fields=["status"])
        now = timezone.now()
        publication.snapshot = build_snapshot(publication.organisation)
        publication.unit_name = publication.organisation.name
        publication.status = DisclosureStatus.PUBLISHED
        publication.reviewed_by = actor
        publication.reviewed_at = now
        publication.published_at = now
        publication.return_reasons = ""
        publication.save()
        forget_portal_cache(publication.organisation_id)
        transaction.on_commit(lambda: forget_portal_cache(publication.organisation_id))
        record_event(
            actor=actor,
            action="staffing.disclosure_published",
            target=publication,
            request=request,
            detail={
                "personnel": len(publication.snapshot["personnel"]),
                "replaced": [old.pk for old in previous],
            },
        )
        return publication


def return_for_revision(
    *, actor, publication_id: int, reasons: str, request=None
) -> DisclosurePublication:
    """The staffing office returns a submitted disclosure with its reasons (退回)."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写退回理由。")})
    with transaction.atomic():
        publication = _for_review(actor, publication_id, DisclosureStatus.SUBMITTED)
        publication.status = DisclosureStatus.DRAFT
        publication.return_reasons = reasons[:2000]
        publication.reviewed_by = actor
        publication.reviewed_at = timezone.now()
        publication.save()
        record_event(
            actor=actor,
            action="staffing.disclosure_returned",
            target=publication,
            request=request,
            detail={"reasons": publication.return_reasons},
        )
        return publication


def withdraw(*, actor, publication_id: int, request=None) -> DisclosurePublication:
    """The staffing office takes a published disclosure off the portal (撤回)."""
    with transaction.atomic():
        publication = _for_review(actor, publication_id, DisclosureStatus.PUBLISHED)
        publication.status = DisclosureStatus.WITHDRAWN
        publication.save(update_fields=["status"])
        forget_portal_cache(publication.organisation_id)
        transaction.on_commit(lambda: forget_portal_cache(publication.organisation_id))
        record_event(
            actor=actor, action="staffing.disclosure_withdrawn", target=publication, request=request
        )
        return publication


# --- Reads --------------------------------------------------------------------------------


def can_submit(user) -> bool:
    return has_permission(user, SUBMIT_DISCLOSURE)


def can_review(user) -> bool:
    return has_permission(user, REVIEW_DISCLOSURE)


def visible_publications(user):
    """Disclosures the caller may see: of units it submits for, or reviews."""
    if not (can_submit(user) or can_review(user)):
        raise PermissionDenied(_("您没有查看实名制公示的权限。"))
    return (
        DisclosurePublication.objects.for_user(user, SUBMIT_DISCLOSURE)
        | DisclosurePublication.objects.for_user(user, REVIEW_DISCLOSURE)
    ).select_related("organisation", "submitted_by", "reviewed_by")


def publication_detail(user, pk: int) -> DisclosurePublication:
    publication = visible_publications(user).filter(pk=pk).first()
    if publication is None:
        raise Http404
    return publication


def submittable_units(user):
    """Units (not internal departments) the caller may submit a disclosure for."""
    if not can_submit(user):
        return Organisation.objects.none()
    return (
        Organisation.objects.for_user(user, SUBMIT_DISCLOSURE)
        .exclude(kind=OrganisationKind.INTERNAL_DEPARTMENT)
        .filter(is_active=True)
        .order_by("path")
    )


def published_list(q: str = ""):
    """The portal's list of published disclosures (unit names only; no personal data)."""
    publications = DisclosurePublication.objects.filter(status=DisclosureStatus.PUBLISHED)
    if q:
        publications = publications.filter(Q(unit_name__icontains=q))
    return publications.order_by("division_path", "unit_name").only(
        "pk", "organisation_id", "unit_name", "published_at", "division_path"
    )


PORTAL_CACHE_SECONDS = 30  # other server processes see a publish or withdraw within this


def _portal_key(organisation_id: int) -> str:
    return f"staffing:disclosure:published:{organisation_id}"


def forget_portal_cache(organisation_id: int) -> None:
    cache.delete(_portal_key(organisation_id))


def published_for_portal(organisation_id: int) -> DisclosurePublication:
    """The published disclosure of a unit, or 404 (unpublished units do not exist here).

    The snapshot is deferred: the page loads it only when its rendered fragment is not
    in the cache yet, and an ETag revalidation never loads it. The lookup itself is
    cached for ``PORTAL_CACHE_SECONDS`` (dropped at once in this process on publish and
    withdraw); the public pages allow 300 s of caching anyway.
    """
    key = _portal_key(organisation_id)
    found = cache.get(key)
    if found is None:
        publication = (
            DisclosurePublication.objects.filter(
                organisation_id=organisation_id, status=DisclosureStatus.PUBLISHED
            )
            .only("pk", "organisation_id", "unit_name", "published_at")
            .first()
        )
        found = publication or False
        cache.set(key, found, PORTAL_CACHE_SECONDS)
    if found is False:
        raise Http404
    return found
