"""Unit pages (编制台账): list with approved/occupied per type, detail (三定, ledgers,
personnel), and the forms for ledger entries, 三定 and history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.models import Organisation
from tongzheng.staffing import actions, queries
from tongzheng.staffing.forms import (
    PostChangeForm,
    QuotaChangeForm,
    UnitHistoryForm,
    UnitProfileForm,
    add_errors,
)

PAGE_SIZE = 50


@require_GET
def unit_list(request):
    require_permission(request.user, actions.VIEW_QUOTA)
    q = request.GET.get("q", "").strip()[:100]
    division = request.GET.get("division", "").strip()[:12]
    units = queries.unit_list(request.user, q=q, division_code=division)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    types = queries.establishment_types()
    figures = queries.unit_figures(page.object_list)
    rows = [
        {
            "unit": unit,
            "cells": [
                figures[unit.pk].get(kind.pk, {"approved": 0, "occupied": 0}) for kind in types
            ],
        }
        for unit in page.object_list
    ]
    context = {"page": page, "rows": rows, "types": types, "q": q, "division": division}
    return render(request, "staffing/unit_list.html", context)


@require_GET
def unit_detail(request, pk: int):
    require_permission(request.user, actions.VIEW_QUOTA)
    unit = queries.unit_detail(request.user, pk)
    user = request.user
    context = {
        "unit": unit,
        "profile": queries.unit_profile(unit),
        "quotas": queries.quota_table(unit),
        "posts": queries.post_table(unit),
        "ledger": queries.quota_ledger(unit)[:200],
        "post_ledger": queries.post_ledger(unit)[:200],
        "history": queries.unit_history(unit),
        "personnel": queries.unit_personnel(user, unit)[:500],
        "notices": queries.valid_notices(unit),
        "can_manage_quota": _can(user, actions.MANAGE_QUOTA, unit),
        "can_manage_unit": _can(user, actions.MANAGE_UNIT, unit),
        "can_move": _can(user, actions.MANAGE_PERSONNEL_LOCKED, unit),
        "can_apply": _can(user, actions.APPLY_QUOTA_USE, unit),
    }
    return render(request, "staffing/unit_detail.html", context)


def _can(user, permission, unit) -> bool:
    return (
        has_permission(user, permission)
        and Organisation.objects.for_user(user, permission).filter(pk=unit.pk).exists()
    )


def _managed_unit(request, pk: int, permission: str) -> Organisation:
    require_permission(request.user, permission)
    return Organisation.objects.get_for_user(request.user, permission, pk=pk)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _form_page(request, form, *, unit, title, status=None):
    status = status or (400 if request.method == "POST" else 200)
    return render(
        request,
        "staffing/form.html",
        {"form": form, "title": title, "unit": unit, "cancel": unit.pk},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def quota_change(request, pk: int):
    unit = _managed_unit(request, pk, actions.MANAGE_QUOTA)
    form = QuotaChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_quota_change(
                actor=request.user, organisation=unit, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记编制台账。"))
            return redirect("staffing:unit_detail", pk=unit.pk)
    return _form_page(request, form, unit=unit, title=_("登记编制增减"))


@require_http_methods(["GET", "POST"])
def post_change(request, pk: int):
    unit = _managed_unit(request, pk, actions.MANAGE_QUOTA)
    form = PostChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_post_change(
                actor=request.user, organisation=unit, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记领导职数台账。"))
            return redirect("staffing:unit_detail", pk=unit.pk)
    return _form_page(request, form, unit=unit, title=_("登记领导职数增减"))


@require_http_methods(["GET", "POST"])
def profile_edit(request, pk: int):
    unit = _managed_unit(request, pk, actions.MANAGE_UNIT)
    profile = queries.unit_profile(unit)
    initial = {name: getattr(profile, name) for name in actions.PROFILE_FIELDS} if profile else {}
    form = UnitProfileForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in actions.PROFILE_FIELDS}
        try:
            actions.update_unit_profile(
                actor=request.user, organisation=unit, changes=changes, request=request
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已保存三定信息。"))
            return redirect("staffing:unit_detail", pk=unit.pk)
    return _form_page(request, form, unit=unit, title=_("维护三定信息"))


@require_http_methods(["GET", "POST"])
def history_add(request, pk: int):
    unit = _managed_unit(request, pk, actions.MANAGE_UNIT)
    form = UnitHistoryForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_unit_history(
                actor=request.user, organisation=unit, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记历史沿革。"))
            return redirect("staffing:unit_detail", pk=unit.pk)
    return _form_page(request, form, unit=unit, title=_("登记历史沿革"))
