"""编制统计 pages: drill-down tables, the ECharts dashboard, its JSON and the .xlsx export."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongzheng.core.models import Division
from tongzheng.staffing import statistics, supervision
from tongzheng.staffing.statistics_export import report_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def index(request):
    """The top of the caller's scope: a province, a city, a county or the caller's unit."""
    kind, target = statistics.home_target(request.user)
    if kind == "division":
        return redirect("staffing_statistics:division", code=target)
    if kind == "unit":
        return redirect("staffing_statistics:unit", pk=target)
    roots = Division.objects.filter(code__in=target).order_by("code")
    return render(request, "staffing/statistics/index.html", {"roots": roots})


@require_GET
def division(request, code: str):
    report = statistics.division_report(request.user, code)
    return render(request, "staffing/statistics/report.html", {"report": report})


@require_GET
def unit(request, pk: int):
    report = statistics.unit_report(request.user, pk)
    return render(request, "staffing/statistics/report.html", {"report": report})


@require_GET
def dashboard(request, code: str):
    division = statistics.division_in_scope(request.user, code)
    labels = {
        "approved": _("核定数"),
        "occupied": _("实有数"),
        "vacant": _("空编数"),
        "over": _("超编数"),
    }
    context = {"division": division, "labels": labels}
    return render(request, "staffing/statistics/dashboard.html", context)


@require_GET
def division_data(request, code: str):
    """The dashboard's data: the same report as JSON."""
    report = statistics.division_report(request.user, code)
    return JsonResponse(report.as_dict())


@require_GET
def division_export(request, code: str):
    """The annual statistics tables (年度统计表) of a division as .xlsx."""
    report = statistics.division_report(request.user, code)
    content = report_workbook(report, request.user)
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="staffing-statistics-{report.division.code}-{stamp}.xlsx"'
    )
    return response


@require_GET
def unit_export(request, pk: int):
    report = statistics.unit_report(request.user, pk)
    content = report_workbook(report, request.user)
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="staffing-statistics-unit-{report.unit.pk}-{stamp}.xlsx"'
    )
    return response


@require_GET
def supervision_page(request):
    """上级监督: over-quota units, expired notices and late entries in the caller's scope."""
    context = {
        "over_quota": supervision.over_quota_units(request.user),
        "expired_notices": supervision.expired_notices(request.user),
        "late_entries": supervision.late_entries(request.user),
        "limit": supervision.ENTRY_LIMIT_WORKING_DAYS,
    }
    return render(request, "staffing/statistics/supervision.html", context)
