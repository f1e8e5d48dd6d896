"""The audit viewer (审计日志查看), for 审计管理员 only. Every page view is itself audited."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.audit import actions, queries
from tongzheng.audit.forms import EventFilterForm
from tongzheng.audit.verify import verify_chain

PAGE_SIZE = 50


@require_GET
def event_list(request):
    actions.authorize_view(actor=request.user, request=request, what="list")
    form = EventFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "audit/event_list.html", {"form": form, "page": None}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    page_number = request.GET.get("page") or "1"
    actions.record_view(
        actor=request.user,
        request=request,
        what="list",
        detail={
            "filters": {k: str(v) for k, v in filters.items() if v not in ("", None)},
            "page": page_number[:10],
        },
    )
    page = Paginator(queries.events_for(request.user, filters), PAGE_SIZE).get_page(page_number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def event_detail(request, pk: int):
    actions.authorize_view(actor=request.user, request=request, what="detail")
    event = queries.event_for(request.user, pk)
    actions.record_view(actor=request.user, request=request, what="detail", target=event)
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "detail_json": json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True),
        },
    )


@require_GET
def chain_status(request):
    actions.authorize_view(actor=request.user, request=request, what="chain")
    actions.record_view(actor=request.user, request=request, what="chain")
    return render(
        request, "audit/chain_status.html", {"status": queries.chain_status(request.user)}
    )


@require_POST
def chain_verify(request):
    actions.authorize_view(actor=request.user, request=request, what="chain_verify")
    result = verify_chain()
    actions.record_verification(actor=request.user, request=request, result=result)
    if result.broken is not None:
        messages.error(
            request,
            _("审计链在第 %(id)s 号记录处断开：%(message)s")
            % {"id": result.broken.id, "message": result.broken.message},
        )
    elif result.missing_triggers:
        messages.error(request, _("审计链完整，但数据库的只追加保护不完整。"))
    else:
        messages.success(request, _("审计链完整：共 %(count)s 条记录。") % {"count": result.count})
    return redirect("audit:chain_status")
