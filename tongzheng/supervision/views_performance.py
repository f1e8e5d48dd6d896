"""绩效考核 pages: the quarterly table per department and its .xlsx export."""

from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from tongzheng.core.access import require_permission
from tongzheng.supervision import performance
from tongzheng.supervision.forms import PeriodForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> tuple[int, int, PeriodForm]:
    year, quarter = performance.current_quarter()
    form = PeriodForm(request.GET or None, initial={"year": year, "quarter": quarter})
    if request.GET and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    return year, quarter, form


@require_GET
def performance_page(request):
    require_permission(request.user, performance.VIEW_PERFORMANCE)
    year, quarter, form = _period(request)
    rows = performance.quarterly(request.user, year, quarter)
    context = {
        "form": form,
        "year": year,
        "quarter": quarter,
        "rows": rows,
        "thresholds": performance.GRADE_THRESHOLDS,
    }
    return render(request, "supervision/performance.html", context)


HEADERS = (
    gettext_lazy("部门"),
    gettext_lazy("办结数"),
    gettext_lazy("按时办结率"),
    gettext_lazy("平均用时（工作日）"),
    gettext_lazy("评价数"),
    gettext_lazy("差评数"),
    gettext_lazy("差评率"),
    gettext_lazy("应整改数"),
    gettext_lazy("按期整改数"),
    gettext_lazy("整改率"),
    gettext_lazy("得分"),
    gettext_lazy("等级"),
)


@require_GET
def performance_export(request):
    require_permission(request.user, performance.VIEW_PERFORMANCE)
    year, quarter, _form = _period(request)
    rows = performance.quarterly(request.user, year, quarter)
    book = Workbook()
    sheet = book.active
    sheet.title = _("%(year)d年第%(quarter)d季度") % {"year": year, "quarter": quarter}
    sheet.append([str(header) for header in HEADERS])
    for item in rows:
        sheet.append(
            [
                item.name,
                item.finished,
                None if item.on_time_rate is None else round(item.on_time_rate, 4),
                None if item.average_working_days is None else round(item.average_working_days, 2),
                item.ratings,
                item.bad_ratings,
                None if item.bad_rating_rate is None else round(item.bad_rating_rate, 4),
                item.rectifications_due,
                item.rectified_on_time,
                None if item.rectification_rate is None else round(item.rectification_rate, 4),
                item.score,
                item.grade,
            ]
        )
    for column in ("C", "G", "J"):
        for cell in sheet[column][1:]:
            cell.number_format = "0.0%"
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="performance-{year}-Q{quarter}.xlsx"'
    return response
