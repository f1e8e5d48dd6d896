"""热线配置 — the hotline centre's configuration pages under /workbench/hotline/admin/:
诉求分类 (subjects), 派单规则 (dispatch rules), 领导信箱 (mailboxes) and Open311 API keys.

Every page needs ``hotline.manage_hotline``; every write goes through
``actions.administration`` (permission, transaction, audit). An Open311 key is shown once,
in the answer to the POST that issued it (never stored, never redirected to).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.core.access import require_permission
from tongzheng.core.registry import NavEntry
from tongzheng.hotline import queries_administration as queries
from tongzheng.hotline.actions import administration as actions
from tongzheng.hotline.forms_administration import (
    MailBoxForm,
    Open311KeyForm,
    RuleForm,
    SubjectCreateForm,
    SubjectForm,
    add_errors,
)
from tongzheng.hotline.models import DispatchRule, Open311Client, Subject

MANAGE = actions.MANAGE


def _allowed(request) -> None:
    require_permission(request.user, MANAGE)


def _page(request, template: str, context: dict, *, status: int | None = None):
    status = status or (400 if request.method == "POST" else 200)
    return render(request, f"hotline/administration/{template}", context, status=status)


def _form_page(request, form, *, title: str, back: str):
    return _page(request, "form.html", {"form": form, "title": title, "back": back})


@require_GET
def home(request):
    _allowed(request)
    context = {
        "subjects": Subject.objects.count(),
        "active_subjects": Subject.objects.filter(active=True).count(),
        "rules": queries.managed_rules(request.user).count(),
        "mailboxes": queries.managed_mailboxes(request.user).count(),
        "clients": Open311Client.objects.filter(revoked_at__isnull=True).count(),
    }
    return _page(request, "home.html", context)


# --- Subjects --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subjects(request):
    _allowed(request)
    form = SubjectCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_subject(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已新增诉求分类。"))
            return redirect("hotline:admin_subjects")
    return _page(request, "subjects.html", {"form": form, "subjects": Subject.objects.all()})


@require_http_methods(["GET", "POST"])
def subject_edit(request, pk: int):
    _allowed(request)
    subject = get_object_or_404(Subject, pk=pk)
    initial = {"name": subject.name, "order": subject.order, "active": subject.active}
    form = SubjectForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_subject(
                actor=request.user, subject=subject, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已保存诉求分类。"))
            return redirect("hotline:admin_subjects")
    title = _("修改诉求分类：%(code)s") % {"code": subject.code}
    return _form_page(request, form, title=title, back="hotline:admin_subjects")


# --- Dispatch rules --------------------------------------------------------------------


def _rule_initial(rule: DispatchRule) -> dict:
    return {
        "subject": rule.subject_id,
        "division": rule.division.code if rule.division else "",
        "organisation": rule.organisation.uscc or rule.organisation.name,
        "active": rule.active,
    }


@require_http_methods(["GET", "POST"])
def rules(request):
    _allowed(request)
    form = RuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_dispatch_rule(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已新增派单规则。"))
            return redirect("hotline:admin_rules")
    listed = queries.managed_rules(request.user)
    return _page(request, "rules.html", {"form": form, "rules": listed})


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    _allowed(request)
    rule = queries.managed_rule(request.user, pk)
    form = RuleForm(request.POST if request.method == "POST" else None, initial=_rule_initial(rule))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_dispatch_rule(
                actor=request.user, rule=rule, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已保存派单规则。"))
            return redirect("hotline:admin_rules")
    return _form_page(request, form, title=_("修改派单规则"), back="hotline:admin_rules")


@require_POST
def rule_delete(request, pk: int):
    _allowed(request)
    rule = queries.managed_rule(request.user, pk)
    actions.delete_dispatch_rule(actor=request.user, rule=rule, request=request)
    messages.success(request, _("已删除派单规则。"))
    return redirect("hotline:admin_rules")


# --- Mailboxes -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def mailboxes(request):
    _allowed(request)
    form = MailBoxForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_mailbox(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已新增领导信箱。"))
            return redirect("hotline:admin_mailboxes")
    listed = queries.managed_mailboxes(request.user)
    return _page(request, "mailboxes.html", {"form": form, "mailboxes": listed})


@require_http_methods(["GET", "POST"])
def mailbox_edit(request, pk: int):
    _allowed(request)
    mailbox = queries.managed_mailbox(request.user, pk)
    initial = {
        "title": mailbox.title,
        "leader_name": mailbox.leader_name,
        "organisation": mailbox.organisation.uscc or mailbox.organisation.name,
        "division": mailbox.division.code,
        "order": mailbox.order,
        "active": mailbox.active,
    }
    data = request.POST if request.method == "POST" else None
    form = MailBoxForm(data, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_mailbox(
                actor=request.user,
                mailbox=mailbox,
                slug=mailbox.slug,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已保存领导信箱。"))
            return redirect("hotline:admin_mailboxes")
    title = _("修改领导信箱：%(title)s") % {"title": mailbox.title}
    return _form_page(request, form, title=title, back="hotline:admin_mailboxes")


# --- Open311 keys ----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def open311_clients(request):
    _allowed(request)
    form = Open311KeyForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            client, key = actions.issue_open311_key(
                actor=request.user, name=form.cleaned_data["name"], request=request
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            issued = {"client": client, "key": key}
            form = Open311KeyForm()
    context = {
        "form": form,
        "issued": issued,
        "clients": Open311Client.objects.select_related("issued_by"),
    }
    status = 200 if issued or request.method == "GET" else 400
    return _page(request, "open311.html", context, status=status)


@require_POST
def open311_revoke(request, pk: int):
    _allowed(request)
    client = get_object_or_404(Open311Client, pk=pk)
    try:
        actions.revoke_open311_key(actor=request.user, client=client, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已吊销密钥：%(name)s。") % {"name": client.name})
    return redirect("hotline:admin_open311")


urlpatterns = [
    path("workbench/hotline/admin/", home, name="admin_home"),
    path("workbench/hotline/admin/subjects/", subjects, name="admin_subjects"),
    path("workbench/hotline/admin/subjects/<int:pk>/", subject_edit, name="admin_subject_edit"),
    path("workbench/hotline/admin/rules/", rules, name="admin_rules"),
    path("workbench/hotline/admin/rules/<int:pk>/", rule_edit, name="admin_rule_edit"),
    path("workbench/hotline/admin/rules/<int:pk>/delete/", rule_delete, name="admin_rule_delete"),
    path("workbench/hotline/admin/mailboxes/", mailboxes, name="admin_mailboxes"),
    path("workbench/hotline/admin/mailboxes/<int:pk>/", mailbox_edit, name="admin_mailbox_edit"),
    path("workbench/hotline/admin/open311/", open311_clients, name="admin_open311"),
    path(
        "workbench/hotline/admin/open311/<int:pk>/revoke/",
        open311_revoke,
        name="admin_open311_revoke",
    ),
]
NAVIGATION = [NavEntry(gettext_lazy("热线配置"), "hotline:admin_home", MANAGE, order=64)]
