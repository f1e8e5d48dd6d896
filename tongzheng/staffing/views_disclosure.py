"""实名制公示 pages: the workbench flow (submit, review, publish, return, withdraw) and
the public portal pages (published units only, read from the frozen snapshot)."""

import hashlib
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core.models import Organisation
from tongzheng.staffing import disclosure
from tongzheng.staffing.models import DisclosureStatus

PUBLIC_MAX_AGE = 300  # seconds a browser or proxy may reuse a public page
PAGE_SIZE = 50


def _error_text(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


@require_GET
def staff_list(request):
    publications = disclosure.visible_publications(request.user).order_by("-created_at", "-id")
    page = Paginator(publications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "units": disclosure.submittable_units(request.user)[:500],
        "can_submit": disclosure.can_submit(request.user),
    }
    return render(request, "staffing/disclosure/staff_list.html", context)


@require_POST
def staff_submit(request):
    try:
        unit_id = int(request.POST.get("organisation", ""))
    except ValueError:
        messages.error(request, _("请选择要公示的单位。"))
        return redirect("staffing_disclosure:list")
    organisation = Organisation.objects.filter(pk=unit_id).first()
    if organisation is None:
        raise Http404
    try:
        publication = disclosure.submit(
            actor=request.user, organisation=organisation, request=request
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("staffing_disclosure:list")
    messages.success(request, _("已提交公示，等待编办审核。"))
    return redirect("staffing_disclosure:detail", pk=publication.pk)


@require_GET
def staff_detail(request, pk: int):
    publication = disclosure.publication_detail(request.user, pk)
    if publication.status == DisclosureStatus.PUBLISHED or publication.snapshot:
        preview = publication.snapshot
    else:
        preview = disclosure.build_snapshot(publication.organisation)
    context = {
        "publication": publication,
        "preview": preview,
        "can_review": disclosure.can_review(request.user),
    }
    return render(request, "staffing/disclosure/staff_detail.html", context)


def _review(request, pk: int, action, success: str, **kwargs):
    try:
        action(actor=request.user, publication_id=pk, request=request, **kwargs)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        publication = disclosure.publication_detail(request.user, pk)
        context = {
            "publication": publication,
            "preview": publication.snapshot or disclosure.build_snapshot(publication.organisation),
            "can_review": disclosure.can_review(request.user),
        }
        return render(request, "staffing/disclosure/staff_detail.html", context, status=400)
    messages.success(request, success)
    return redirect("staffing_disclosure:detail", pk=pk)


@require_POST
def staff_publish(request, pk: int):
    return _review(request, pk, disclosure.publish, _("已审核发布。"))


@require_POST
def staff_return(request, pk: int):
    return _review(
        request,
        pk,
        disclosure.return_for_revision,
        _("已退回单位修改。"),
        reasons=request.POST.get("reasons", ""),
    )


@require_POST
def staff_withdraw(request, pk: int):
    return _review(request, pk, disclosure.withdraw, _("已撤回公示。"))


# --- Portal (no login) --------------------------------------------------------------------


@login_not_required
@require_GET
def public_list(request):
    """实名制公示: searchable list of units whose disclosure is published."""
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(disclosure.published_list(q), PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "staffing/disclosure/public_list.html", {"page": page, "q": q})
    patch_cache_control(response, public=True, max_age=60)
    return response


PAGE_CACHE_SECONDS = 3600
_TOKEN_PATTERNS = (
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")'),
    re.compile(r'("X-CSRFToken": ")[^"]+(")'),
)


def _with_fresh_csrf_tokens(request, body: str) -> str:
    """A cached page carries another visitor's CSRF tokens: put this request's in."""
    for pattern in _TOKEN_PATTERNS:
        body = pattern.sub(lambda m: m.group(1) + get_token(request) + m.group(2), body)
    return body


@login_not_required
@require_GET
def public_unit(request, organisation_id: int):
    """One unit's published disclosure, rendered from its frozen snapshot.

    Cacheable: ``Cache-Control: public`` and an ETag from the publication and the
    language, answered with 304 before any rendering. For visitors without a session
    the whole rendered page is kept in the server cache per publication and language
    (only the CSRF tokens of the language switcher are replaced per request); signed-in
    visitors get the page rendered around the cached disclosure fragment.
    """
    publication = disclosure.published_for_portal(organisation_id)
    stamp = publication.published_at.timestamp() if publication.published_at else 0
    tag = hashlib.sha256(f"{publication.pk}:{stamp}:{get_language()}".encode()).hexdigest()[:32]
    etag = f'"{tag}"'
    anonymous = settings.SESSION_COOKIE_NAME not in request.COOKIES
    page_key = f"staffing:disclosure:page:{tag}"
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    elif anonymous and (body := cache.get(page_key)) is not None:
        response = HttpResponse(_with_fresh_csrf_tokens(request, body))
    else:
        context = {"publication": publication, "cache_key": tag}
        response = render(request, "staffing/disclosure/public_unit.html", context)
        if anonymous:
            cache.set(page_key, response.content.decode(), PAGE_CACHE_SECONDS)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
