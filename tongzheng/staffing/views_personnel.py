"""Personnel pages (实名人员): list (masked ID, exact search by ID through the blind
index), detail with the audited "reveal ID" form, edit, and the movement forms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.core.access import has_permission, require_permission
from tongzheng.core.actions import reveal_personal_data
from tongzheng.core.models import Organisation
from tongzheng.staffing import actions, queries
from tongzheng.staffing.forms import (
    EnterPersonForm,
    LeavePersonForm,
    PersonEditForm,
    PromoteForm,
    RevealForm,
    TransferForm,
    add_errors,
)
from tongzheng.staffing.models import Person, PersonStatus

PAGE_SIZE = 50


def _posted(request):
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def person_list(request):
    """GET lists and filters by name; POST searches one exact ID number, so that the full
    number never appears in a URL (server logs, browser history)."""
    require_permission(request.user, actions.VIEW_PERSON)
    q = request.GET.get("q", "").strip()[:50]
    id_number = request.POST.get("id_number", "").strip()[:18] if request.method == "POST" else ""
    status = request.GET.get("status", PersonStatus.SERVING)
    unit = request.GET.get("unit", "").strip()
    people = queries.person_list(
        request.user,
        q=q,
        id_number=id_number,
        status=status,
        organisation_id=int(unit) if unit.isdigit() else None,
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "searched_id": bool(id_number),
        "status": status,
        "statuses": PersonStatus.choices,
        "unit": unit,
    }
    return render(request, "staffing/person_list.html", context)


def _detail_context(request, person, **extra):
    user = request.user
    can_move = (
        has_permission(user, actions.MANAGE_PERSONNEL_LOCKED)
        and Person.objects.for_user(user, actions.MANAGE_PERSONNEL_LOCKED)
        .filter(pk=person.pk)
        .exists()
    )
    can_edit = can_move or (
        has_permission(user, actions.EDIT_PERSONNEL)
        and Person.objects.for_user(user, actions.EDIT_PERSONNEL).filter(pk=person.pk).exists()
    )
    return {
        "person": person,
        "movements": queries.person_movements(person),
        "can_move": can_move and person.status == PersonStatus.SERVING,
        "can_edit": can_edit,
        "can_reveal": has_permission(user, "core.reveal_personal_data"),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        **extra,
    }


@require_GET
def person_detail(request, pk: int):
    require_permission(request.user, actions.VIEW_PERSON)
    person = queries.person_detail(request.user, pk)
    return render(request, "staffing/person_detail.html", _detail_context(request, person))


@require_POST
def person_reveal(request, pk: int):
    """Show the full ID number once, audited with the stated reason."""
    require_permission(request.user, actions.VIEW_PERSON)
    person = queries.person_detail(request.user, pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = reveal_personal_data(
                actor=request.user,
                target=person,
                field_name="id_number",
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            add_errors(form, exc)
    context = _detail_context(request, person, reveal_form=form, revealed=revealed)
    status = 200 if revealed is not None else 400
    response = render(request, "staffing/person_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    user = request.user
    locked = has_permission(user, actions.MANAGE_PERSONNEL_LOCKED)
    permission = actions.MANAGE_PERSONNEL_LOCKED if locked else actions.EDIT_PERSONNEL
    require_permission(user, permission)
    person = Person.objects.select_related("organisation").get_for_user(user, permission, pk=pk)
    initial = {
        name: getattr(person, name)
        for name in (
            "name",
            "birth_date",
            "work_start_date",
            "gender",
            "job_title",
            "education",
            "phone",
        )
    }
    form = PersonEditForm(_posted(request), initial=initial, locked=locked)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name] for name in form.fields if name in form.changed_data
        }
        if not changes.get("id_number"):
            changes.pop("id_number", None)
        try:
            actions.update_person(actor=user, person=person, changes=changes, request=request)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已保存人员信息。"))
            return redirect("staffing:person_detail", pk=person.pk)
    return _form_page(
        request, form, title=_("修改人员信息：%(name)s") % {"name": person.name}, person=person
    )


def _form_page(request, form, *, title, person=None, unit=None):
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": title, "person": person, "unit": unit}
    return render(request, "staffing/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def person_enter(request, pk: int):
    """入编 into unit ``pk``."""
    require_permission(request.user, actions.MANAGE_PERSONNEL_LOCKED)
    unit = Organisation.objects.get_for_user(request.user, actions.MANAGE_PERSONNEL_LOCKED, pk=pk)
    form = EnterPersonForm(_posted(request), notices=queries.valid_notices(unit))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = actions.enter_person(
                actor=request.user, organisation=unit, request=request, **data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s 已入编。") % {"name": person.name})
            return redirect("staffing:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("入编：%(unit)s") % {"unit": unit.name}, unit=unit)


def _movement(request, pk, form_class, run, title, **form_kwargs):
    require_permission(request.user, actions.MANAGE_PERSONNEL_LOCKED)
    person = queries.movable_person(request.user, pk)
    form = form_class(_posted(request), **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            run(person, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已办理。"))
            return redirect("staffing:person_detail", pk=person.pk)
    return _form_page(request, form, title=title % {"name": person.name}, person=person)


@require_http_methods(["GET", "POST"])
def person_leave(request, pk: int):
    def run(person, data):
        actions.leave_person(actor=request.user, person=person, request=request, **data)

    return _movement(request, pk, LeavePersonForm, run, _("出编：%(name)s"))


@require_http_methods(["GET", "POST"])
def person_transfer(request, pk: int):
    def run(person, data):
        actions.transfer_internal(actor=request.user, person=person, request=request, **data)

    return _movement(
        request,
        pk,
        TransferForm,
        run,
        _("内部调动：%(name)s"),
        targets=queries.transfer_targets(request.user),
    )


@require_http_methods(["GET", "POST"])
def person_promote(request, pk: int):
    def run(person, data):
        actions.promote(actor=request.user, person=person, request=request, **data)

    return _movement(request, pk, PromoteForm, run, _("职务任免：%(name)s"))
