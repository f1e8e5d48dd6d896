from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from tongzheng.hotline.actions import intake as actions
from tongzheng.hotline.forms import NOT_ACCEPTED_12310, AppendForm, IntakeForm, TrackForm
from tongzheng.hotline.models import UpdateKind


@login_not_required
def new_ticket(request):
    """公众提交工单; the receipt (number and 提取码) is shown once, in the POST response."""
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            ticket, code = actions.create_ticket(data=form.cleaned_data, request=request)
            response = render(request, "hotline/receipt.html", {"ticket": ticket, "code": code})
            response["Cache-Control"] = "no-store"
            return response
        return render(
            request,
            "hotline/new.html",
            {"form": form, "not_accepted": NOT_ACCEPTED_12310},
            status=400,
        )
    return render(
        request, "hotline/new.html", {"form": IntakeForm(), "not_accepted": NOT_ACCEPTED_12310}
    )


def _tracked(request, ticket, code, *, append_form=None, status=200, appended=False):
    replies = ticket.updates.filter(public=True)
    return render(
        request,
        "hotline/tracked.html",
        {
            "ticket": ticket,
            "updates": replies,
            "reply_kind": UpdateKind.REPLY,
            "append_form": append_form
            or AppendForm(initial={"number": ticket.number, "code": code}),
            "appended": appended,
        },
        status=status,
    )


def _not_found(request, form):
    return render(
        request,
        "hotline/track.html",
        {"form": form, "error": actions.NOT_FOUND_MESSAGE},
        status=404,
    )


@login_not_required
def track(request):
    """公众查询工单: POST number + 提取码 (never in the URL)."""
    if request.method != "POST":
        return render(request, "hotline/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "hotline/track.html", {"form": form}, status=400)
    ticket = actions.find_ticket(form.cleaned_data["number"], form.cleaned_data["code"])
    if ticket is None:
        return _not_found(request, form)
    return _tracked(request, ticket, form.cleaned_data["code"])


@login_not_required
@require_POST
def append(request):
    """追加信息: number + 提取码 again, and the new information."""
    form = AppendForm(request.POST)
    if not form.is_valid():
        number, code = request.POST.get("number", ""), request.POST.get("code", "")
        ticket = actions.find_ticket(number, code) if number and code else None
        if ticket is None:
            return render(request, "hotline/track.html", {"form": TrackForm()}, status=400)
        return _tracked(request, ticket, code, append_form=form, status=400)
    ticket = actions.find_ticket(form.cleaned_data["number"], form.cleaned_data["code"])
    if ticket is None:
        return _not_found(request, TrackForm(request.POST))
    actions.append_information(ticket=ticket, content=form.cleaned_data["content"], request=request)
    return _tracked(request, ticket, form.cleaned_data["code"], appended=True)


urlpatterns = [
    path("hotline/new/", new_ticket, name="new"),
    path("hotline/track/", track, name="track"),
    path("hotline/track/append/", append, name="append"),
]
NAVIGATION = []
