"""Core workbench pages: the working-day calendar's overrides (工作日历)."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core import actions, queries
from tongzheng.core.forms import CalendarOverrideForm, parse_year


def _page(request, year: int, form: CalendarOverrideForm, status: int = 200):
    data = queries.calendar_year(request.user, year)
    return render(request, "core/calendar.html", {"cal": data, "form": form}, status=status)


@require_GET
def calendar(request):
    """工作日历: one year's overrides, the package's holidays, and the add form."""
    year = parse_year(request.GET.get("year"), timezone.localdate().year)
    if year is None:
        raise BadRequest(_("年份无效，请输入1900至2200之间的年份。"))
    return _page(request, year, CalendarOverrideForm())


@require_POST
def calendar_add(request):
    form = CalendarOverrideForm(request.POST)
    year = timezone.localdate().year
    if form.is_valid():
        year = form.cleaned_data["date"].year
        try:
            actions.add_calendar_override(
                actor=request.user,
                date=form.cleaned_data["date"],
                is_working_day=form.cleaned_data["is_working_day"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已添加工作日调整。"))
            return redirect(f"{reverse('core:calendar')}?year={year}")
    return _page(request, year, form, status=400)


@require_POST
def calendar_remove(request, pk: int):
    override = queries.calendar_override(request.user, pk)
    year = override.date.year
    actions.remove_calendar_override(actor=request.user, override=override, request=request)
    messages.success(request, _("已删除工作日调整。"))
    return redirect(f"{reverse('core:calendar')}?year={year}")
