"""承办单位 pages: the department's inbox of assignments and one assignment with its forms.

Thin: reads through ``hotline.queries`` (scoped, reporter redacted), writes through
``hotline.actions.handling``. A refused move (``ValidationError``) re-renders the page with
the message and status 400; nothing is written. 查看完整号码 (``assignment_reveal_phone``)
goes through ``hotline.actions.reveal``: the answer shows the full number once and is
never cached.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.actions import REASON_MAX_LENGTH
from tongzheng.core.registry import NavEntry
from tongzheng.core.timed import TimedStatus
from tongzheng.hotline import queries, ratelimit
from tongzheng.hotline.actions import handling as actions
from tongzheng.hotline.actions.reveal import REVEAL_REPORTER_PHONE, reveal_reporter_phone
from tongzheng.hotline.forms import AttachmentsField
from tongzheng.hotline.models import (
    AssignmentRole,
    AssignmentStatus,
)

PAGE_SIZE = 50


# --- forms --------------------------------------------------------------------------------


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class NoteForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("办理记录"), max_length=actions.MAX_TEXT, widget=_textarea(3)
    )


class OpinionForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("协办意见"), max_length=actions.MAX_TEXT, widget=_textarea()
    )


class ReplyForm(forms.Form):
    content = forms.CharField(
        label=gettext_lazy("答复内容"),
        max_length=actions.MAX_TEXT,
        widget=_textarea(6),
        help_text=gettext_lazy("答复将向反映人公开。"),
    )
    # Shown to the reporter with the reply, e.g. a photo of the repair or the signed letter.
    attachments = AttachmentsField(label=gettext_lazy("附件"))


class ExtensionForm(forms.Form):
    working_days = forms.IntegerField(
        label=gettext_lazy("延长工作日"),
        min_value=1,
        max_value=actions.MAX_EXTENSION_DAYS,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("延期理由"), max_length=actions.MAX_TEXT, widget=_textarea(3)
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("异议理由"), max_length=actions.MAX_TEXT, widget=_textarea(3)
    )
    suggested_organisation = forms.CharField(
        label=gettext_lazy("建议承办单位"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("可选：填写统一社会信用代码或单位全称。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_suggested_organisation(self):
        text = self.cleaned_data["suggested_organisation"].strip()
        if not text:
            return None
        found = queries.find_organisation(text)
        if found is None:
            raise ValidationError(_("没有找到该单位，请填写准确的统一社会信用代码或单位全称。"))
        return found


class RevealForm(forms.Form):
    # Not required here: the action refuses an empty reason (after the confidentiality
    # check, so that a confidential ticket is always answered 403).
    reason = forms.CharField(
        label=gettext_lazy("查看理由"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy("必填，例如：电话联系反映人核实情况。查看将记入审计日志。"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


FORMS = {
    "note": NoteForm,
    "opinion": OpinionForm,
    "reply": ReplyForm,
    "extension": ExtensionForm,
    "dispute": DisputeForm,
}


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


# --- what the state allows ----------------------------------------------------------------


def allowed_forms(assignment, pending_extension) -> set[str]:
    """The forms the department may use now (the actions check the same rules again)."""
    ticket = assignment.ticket
    if ticket.status not in actions.WORKABLE_TICKET_STATUSES:
        return set()
    allowed = set()
    status = assignment.status
    if status == AssignmentStatus.PENDING:
        allowed |= {"accept", "dispute"}
    if status == AssignmentStatus.ACCEPTED:
        allowed |= {"note", "dispute"}
        allowed.add("reply" if assignment.role == AssignmentRole.LEAD else "opinion")
        running = ticket.due_at is not None and ticket.finished_at is None
        if (
            assignment.role == AssignmentRole.LEAD
            and running
            and timezone.now() <= ticket.due_at
            and pending_extension is None
        ):
            allowed.add("extension")
    if status == AssignmentStatus.REPLIED:
        allowed.add("note")
    return allowed


# --- pages --------------------------------------------------------------------------------

# The clock's colour and words in the inbox (computed here: a template include per row is
# the slowest part of rendering 50 rows).
CLOCK_BADGES = {
    TimedStatus.RED: ("text-bg-danger", gettext_lazy("红牌（已超期）")),
    TimedStatus.YELLOW: ("text-bg-warning", gettext_lazy("黄牌（即将到期）")),
    TimedStatus.PAUSED: ("text-bg-secondary", gettext_lazy("暂停计时")),
    TimedStatus.FINISHED: ("text-bg-light border", gettext_lazy("已办结")),
    TimedStatus.NORMAL: ("text-bg-success", gettext_lazy("正常")),
}

STATUS_FILTERS = [
    ("open", gettext_lazy("待办")),
    *AssignmentStatus.choices,
    ("all", gettext_lazy("全部")),
]


@require_GET
def assignment_list(request):
    """承办工单: the department's assignments, earliest ticket deadline first."""
    require_permission(request.user, actions.HANDLE)
    status = request.GET.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    page = Paginator(queries.inbox(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = queries.redact_assignments(page.object_list, request.user)
    for row in rows:
        row.clock = row.ticket.status_at(now)
        row.clock_class, row.clock_label = CLOCK_BADGES[row.clock]
    context = {"page": page, "rows": rows, "status": status, "statuses": STATUS_FILTERS}
    return render(request, "hotline/handling/assignment_list.html", context)


def _may_reveal(user, assignment) -> bool:
    """Whether to offer 查看完整号码 (the action checks the same again)."""
    ticket = assignment.ticket
    return (
        assignment.role == AssignmentRole.LEAD
        and not ticket.reporter_redacted
        and not ticket.anonymous
        and bool(ticket.reporter_phone)
        and has_permission(user, REVEAL_REPORTER_PHONE)
    )


def _detail(
    request, assignment, *, bound=None, error=None, status=200, reveal_form=None, revealed=None
):
    ticket = assignment.ticket
    pending_extension = queries.pending_extension(ticket)
    allowed = allowed_forms(assignment, pending_extension)
    forms_ = {
        name: (bound if bound is not None and bound.prefix == name else form_class(prefix=name))
        for name, form_class in FORMS.items()
        if name in allowed
    }
    if bound is not None and bound.prefix not in forms_:
        forms_[bound.prefix] = bound  # a refused form keeps its message on the page
    context = {
        "assignment": assignment,
        "ticket": ticket,
        "clock": ticket.status_at(),
        "remaining": ticket.remaining_working_days(),
        "attachments": ticket.attachments.only("name"),  # names link to the download
        "history": queries.ticket_history(ticket, include_internal=False),
        "notes": queries.ticket_history(ticket, include_internal=True).filter(public=False),
        "contributions": queries.contributions(ticket),
        "extensions": queries.extensions(ticket),
        "forms": forms_,
        "can_accept": "accept" in allowed,
        "error": error,
        "reveal_form": (reveal_form or RevealForm(prefix="reveal"))
        if _may_reveal(request.user, assignment)
        else None,
        "revealed_phone": revealed,
    }
    return render(request, "hotline/handling/assignment_detail.html", context, status=status)


@require_GET
def assignment_detail(request, pk: int):
    require_permission(request.user, actions.HANDLE)
    return _detail(request, queries.assignment_for(request.user, pk))


@require_POST
def assignment_accept(request, pk: int):
    require_permission(request.user, actions.HANDLE)
    assignment = queries.assignment_for(request.user, pk)
    try:
        actions.accept(actor=request.user, assignment=assignment, request=request)
    except ValidationError as exc:
        return _detail(request, assignment, error=" ".join(exc.messages), status=400)
    messages.success(request, _("已签收。"))
    return redirect("hotline:assignment_detail", pk=assignment.pk)


@require_POST
def assignment_reveal_phone(request, pk: int):
    """查看完整号码: the reporter's full phone, once, for the lead department, audited."""
    require_permission(request.user, actions.HANDLE)
    assignment = queries.assignment_for(request.user, pk)
    form = RevealForm(request.POST, prefix="reveal")
    revealed, error, status = None, None, 400
    if not ratelimit.reveal_allowed(request.user):
        error, status = str(ratelimit.REVEAL_MESSAGE), 429
    elif form.is_valid():
        try:
            revealed = reveal_reporter_phone(
                actor=request.user,
                assignment=assignment,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            status = 200
        except PermissionDenied as exc:
            error, status = str(exc), 403
        except ValidationError as exc:
            if getattr(exc, "code", "") == "no_phone":
                error = " ".join(exc.messages)  # no form is shown without a phone
            else:
                form.add_error("reason", exc)
    response = _detail(
        request, assignment, error=error, status=status, reveal_form=form, revealed=revealed
    )
    response["Cache-Control"] = "no-store"
    return response


SUCCESS = {
    "note": gettext_lazy("办理记录已保存。"),
    "opinion": gettext_lazy("协办意见已提交主办单位。"),
    "reply": gettext_lazy("已答复反映人，工单转入回访。"),
    "extension": gettext_lazy("延期申请已提交热线中心审核。"),
    "dispute": gettext_lazy("派单异议已提交热线中心审核。"),
}


# The form's fields are the action's keyword arguments.
ACTIONS = {
    "note": actions.add_note,
    "opinion": actions.submit_opinion,
    "reply": actions.reply,
    "extension": actions.request_extension,
    "dispute": actions.dispute,
}


def _form_view(name: str):
    @require_POST
    def view(request, pk: int):
        require_permission(request.user, actions.HANDLE)
        assignment = queries.assignment_for(request.user, pk)
        form = FORMS[name](request.POST, request.FILES, prefix=name)
        if form.is_valid():
            try:
                ACTIONS[name](
                    actor=request.user, assignment=assignment, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, str(SUCCESS[name]))
                return redirect("hotline:assignment_detail", pk=assignment.pk)
        # Re-read: the refused action may have left the caller's copy half-changed.
        assignment = queries.assignment_for(request.user, pk)
        return _detail(request, assignment, bound=form, status=400)

    view.__name__ = f"assignment_{name}"
    view.__doc__ = f"POST the {name} form of one assignment."
    return view


urlpatterns = [
    path("workbench/hotline/assignments/", assignment_list, name="assignment_list"),
    path("workbench/hotline/assignments/<int:pk>/", assignment_detail, name="assignment_detail"),
    path(
        "workbench/hotline/assignments/<int:pk>/accept/",
        assignment_accept,
        name="assignment_accept",
    ),
    path(
        "workbench/hotline/assignments/<int:pk>/reveal-phone/",
        assignment_reveal_phone,
        name="assignment_reveal_phone",
    ),
    *(
        path(
            f"workbench/hotline/assignments/<int:pk>/{name}/",
            _form_view(name),
            name=f"assignment_{name}",
        )
        for name in FORMS
    ),
]

NAVIGATION = [
    NavEntry(gettext_lazy("承办工单"), "hotline:assignment_list", "hotline.handle_ticket", order=62)
]
