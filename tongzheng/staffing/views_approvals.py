"""用编审批 pages: list, apply, detail with the review (approve / refuse), notice print view."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.core.access import has_permission, require_permission
from tongzheng.staffing import actions, queries
from tongzheng.staffing.forms import ApplicationForm, ApproveForm, RefuseForm, add_errors
from tongzheng.staffing.models import ApplicationStatus, QuotaUseApplication

PAGE_SIZE = 50


@require_GET
def application_list(request):
    require_permission(request.user, actions.VIEW_QUOTA)
    status = request.GET.get("status", "")
    status = status if status in ApplicationStatus.values else ""
    applications = queries.application_list(request.user, status=status)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ApplicationStatus.choices,
        "can_apply": has_permission(request.user, actions.APPLY_QUOTA_USE),
        "notices": queries.notice_list(request.user)[:20],
    }
    return render(request, "staffing/application_list.html", context)


@require_http_methods(["GET", "POST"])
def application_create(request):
    require_permission(request.user, actions.APPLY_QUOTA_USE)
    units = queries.applicable_units(request.user)
    initial = {}
    if (unit := request.GET.get("unit", "")).isdigit():
        initial["organisation"] = int(unit)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, initial=initial, units=units
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = actions.create_application(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("用编申请已提交，等待编办审核。"))
            return redirect("staffing:application_detail", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "staffing/form.html", {"form": form, "title": _("申请用编")}, status=status
    )


def _detail(request, application, *, approve_form=None, refuse_form=None, status=200):
    reviewing = queries.can_review(request.user, application)
    context = {
        "application": application,
        "figures": actions.review_figures(application.organisation, application.establishment_type),
        "can_review": reviewing and application.status == ApplicationStatus.SUBMITTED,
        "approve_form": approve_form
        or ApproveForm(
            initial={
                "valid_until": queries.today() + datetime.timedelta(days=actions.NOTICE_VALID_DAYS)
            }
        ),
        "refuse_form": refuse_form or RefuseForm(),
        "notice": getattr(application, "notice", None)
        if application.status == ApplicationStatus.APPROVED
        else None,
    }
    return render(request, "staffing/application_detail.html", context, status=status)


@require_GET
def application_detail(request, pk: int):
    require_permission(request.user, actions.VIEW_QUOTA)
    return _detail(request, queries.application_detail(request.user, pk))


def _reviewable(request, pk) -> QuotaUseApplication:
    require_permission(request.user, actions.REVIEW_QUOTA_USE)
    return QuotaUseApplication.objects.select_related(
        "organisation", "establishment_type"
    ).get_for_user(request.user, actions.REVIEW_QUOTA_USE, pk=pk)


@require_POST
def application_approve(request, pk: int):
    application = _reviewable(request, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            notice = actions.approve_application(
                actor=request.user,
                application=application,
                valid_until=form.cleaned_data["valid_until"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已核准，通知单 %(number)s。") % {"number": notice.number})
            return redirect("staffing:notice_detail", pk=notice.pk)
    application.refresh_from_db()
    return _detail(request, application, approve_form=form, status=400)


@require_POST
def application_refuse(request, pk: int):
    application = _reviewable(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            actions.refuse_application(
                actor=request.user,
                application=application,
                reasons=form.cleaned_data["reasons"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已作不予核准处理，并通知申请人。"))
            return redirect("staffing:application_detail", pk=application.pk)
    application.refresh_from_db()
    return _detail(request, application, refuse_form=form, status=400)


@require_GET
def notice_detail(request, pk: int):
    """控编通知单, laid out for printing."""
    require_permission(request.user, actions.VIEW_QUOTA)
    notice = queries.notice_detail(request.user, pk)
    return render(request, "staffing/notice_detail.html", {"notice": notice})
