"""电话受理 (workbench): an operator records a call; the receipt shows the number, the
提取码 to read to the caller, and the possible duplicates (重复诉求) found at once."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.registry import NavEntry
from tongzheng.hotline.actions import intake as actions
from tongzheng.hotline.duplicates import possible_duplicates
from tongzheng.hotline.forms import PhoneIntakeForm, add_errors
from tongzheng.hotline.models import Channel
from tongzheng.hotline.queries import visible_tickets

TAKE_CALL = "hotline.take_call"


def _visible(user, duplicates):
    """Only the duplicates the operator may read (one query)."""
    if not duplicates:
        return []
    pks = [duplicate.ticket.pk for duplicate in duplicates]
    allowed = set(visible_tickets(user).filter(pk__in=pks).values_list("pk", flat=True))
    return [duplicate for duplicate in duplicates if duplicate.ticket.pk in allowed]


@require_http_methods(["GET", "POST"])
def call_new(request):
    """电话受理: the form; on save the receipt and the possible duplicates."""
    require_permission(request.user, TAKE_CALL)
    form = PhoneIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "channel": Channel.PHONE}
        try:
            ticket, code = actions.create_ticket(actor=request.user, data=data, request=request)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            response = render(
                request,
                "hotline/intake/call_receipt.html",
                {
                    "ticket": ticket,
                    "code": code,
                    "duplicates": _visible(request.user, possible_duplicates(ticket)),
                    # The operator usually goes on to dispatch (派单) the ticket just taken.
                    "can_open": has_permission(request.user, "hotline.view_ticket"),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "hotline/intake/call_new.html", {"form": form}, status=status)


NAVIGATION = [NavEntry(_("电话受理"), "hotline:call_new", TAKE_CALL, order=60)]

urlpatterns = [
    path("workbench/hotline/calls/new/", call_new, name="call_new"),
]
