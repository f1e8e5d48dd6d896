"""热线统计 (workbench): counts, rates, hot topics and charts for a period; .xlsx export."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tongzheng.core.access import require_permission
from tongzheng.core.registry import NavEntry
from tongzheng.hotline import statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data:
            try:
                data["period"] = statistics.Period.checked(data["start"], data["end"])
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


def _period(request):
    """(form, period or None): the GET period, the default one when none is given."""
    if "start" not in request.GET and "end" not in request.GET:
        period = statistics.Period.default()
        return PeriodForm(initial={"start": period.start, "end": period.end}), period
    form = PeriodForm(request.GET)
    return form, (form.cleaned_data["period"] if form.is_valid() else None)


@require_GET
def index(request):
    require_permission(request.user, statistics.PERMISSION)
    form, period = _period(request)
    if period is None:
        return render(request, "hotline/statistics/index.html", {"form": form}, status=400)
    result = statistics.report(request.user, period)
    context = {
        "form": form,
        "report": result,
        "breakdowns": [
            (key, title, result.breakdowns[key])
            for key, title in statistics.breakdown_titles().items()
        ],
        "chart_data": result.as_chart_data(),
    }
    return render(request, "hotline/statistics/index.html", context)


@require_GET
def export(request):
    require_permission(request.user, statistics.PERMISSION)
    form, period = _period(request)
    if period is None:
        return render(request, "hotline/statistics/index.html", {"form": form}, status=400)
    content = statistics.workbook(statistics.report(request.user, period))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="hotline-statistics-{period.start}-{period.end}.xlsx"'
    )
    return response


urlpatterns = [
    path("workbench/hotline/statistics/", index, name="statistics"),
    path("workbench/hotline/statistics/export.xlsx", export, name="statistics_export"),
]
NAVIGATION = [NavEntry(_("热线统计"), "hotline:statistics", "hotline.view_statistics", order=63)]
