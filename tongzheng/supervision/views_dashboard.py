"""电子监察看板: live counts, red and yellow lists, drill-down, warnings, trend; 催办 / 督办."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.timed import TimedStatus
from tongzheng.supervision import actions, queries
from tongzheng.supervision.forms import UrgeForm
from tongzheng.supervision.kinds import warning_kinds
from tongzheng.supervision.models import UrgeLevel


def _place(request) -> dict:
    return {
        "division_code": request.GET.get("division", "")[:12],
        "department_id": request.GET.get("department", "")[:12],
    }


def _page(request, name: str) -> int:
    value = request.GET.get(name, "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


def _place_query(place: dict, **extra) -> str:
    params = {
        "division": place["division_code"],
        "department": place["department_id"],
        **extra,
    }
    return urlencode({key: value for key, value in params.items() if value})


def _urge_options() -> str:
    # The <option>s of every row's select, rendered once per page rather than once a row.
    return format_html_join("", '<option value="{}">{}</option>', UrgeLevel.choices)


@require_GET
def dashboard(request):
    queries.require_dashboard(request.user)
    place = _place(request)
    board = queries.dashboard(request.user, **place)
    code = board.division.code if board.division else ""
    by_kind, recent_warnings = queries.warnings(request.user, **place, limit=10)
    # Both lists in one pass: their keys in one query, their rows in one query per module.
    lists = queries.task_pages(
        request.user,
        (TimedStatus.RED, TimedStatus.YELLOW),
        totals={
            TimedStatus.RED: {m.label: m.counts.red for m in board.modules},
            TimedStatus.YELLOW: {m.label: m.counts.yellow for m in board.modules},
        },
        size=queries.DASHBOARD_LIST_SIZE,
        **place,
    )
    context = {
        "board": board,
        "place_query": _place_query(place),
        "preview": True,
        "red": lists[TimedStatus.RED],
        "yellow": lists[TimedStatus.YELLOW],
        "warnings_by_kind": by_kind,
        "recent_warnings": recent_warnings,
        "trend": queries.trend(request.user, division_code=code),
        "recent_urges": queries.recent_urges(request.user, **place),
        "trend_labels": {
            "red": _("红牌"),
            "yellow": _("黄牌"),
            "open": _("在办"),
            "finished": _("当日办结"),
        },
        "can_urge": has_permission(request.user, actions.URGE_TASK),
        "urge_options": _urge_options(),
        "next_url": request.get_full_path(),
    }
    return render(request, "supervision/dashboard.html", context)


@require_GET
def task_list(request, status):
    queries.require_dashboard(request.user)
    if status not in (TimedStatus.RED, TimedStatus.YELLOW):
        raise Http404
    place = _place(request)
    board = queries.dashboard(request.user, **place)
    page = queries.task_page(
        request.user,
        status,
        page=_page(request, "page"),
        totals={m.label: getattr(m.counts, status) for m in board.modules},
        **place,
    )
    context = {
        "board": board,
        "status": status,
        "status_label": TimedStatus(status).label,
        "tasks": page,
        "place_query": _place_query(place),
        "can_urge": has_permission(request.user, actions.URGE_TASK),
        "urge_options": _urge_options(),
        "next_url": request.get_full_path(),
    }
    template = (
        "supervision/_task_table.html"
        if request.headers.get("HX-Request")
        else "supervision/task_list.html"
    )
    return render(request, template, context)


@require_GET
def warning_list(request):
    queries.require_dashboard(request.user)
    place = _place(request)
    kind = request.GET.get("kind", "")[:64]
    by_kind, recent = queries.warnings(request.user, **place, kind=kind, limit=200)
    context = {
        "warnings_by_kind": by_kind,
        "warnings": recent,
        "kind": kind,
        "kinds": warning_kinds(),
        "place": place,
        "place_query": _place_query(place),
    }
    return render(request, "supervision/warning_list.html", context)


@require_POST
def urge(request):
    require_permission(request.user, actions.URGE_TASK)
    form = UrgeForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("supervision:dashboard")
    if not form.is_valid():
        return HttpResponseBadRequest(_("催办信息不完整。"))
    try:
        record = actions.urge_task(actor=request.user, request=request, **form.cleaned_data)
    except ValidationError as exc:
        return HttpResponseBadRequest("；".join(exc.messages))
    messages.success(
        request,
        _("已%(level)s：%(task)s，通知 %(count)d 人。")
        % {"level": record.get_level_display(), "task": record.task_repr, "count": record.notified},
    )
    return redirect(next_url)
