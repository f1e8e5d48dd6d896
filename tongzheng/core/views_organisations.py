"""Organisation pages of the workbench (机构): list by division, detail, create, edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongzheng.core import actions, queries
from tongzheng.core.access import has_permission
from tongzheng.core.access import require_permission as require
from tongzheng.core.forms_organisations import OrganisationCreateForm, OrganisationEditForm
from tongzheng.core.models import Division, OrganisationKind

PAGE_SIZE = 50


@require_GET
def organisation_list(request):
    """机构列表: the caller's organisations in tree order, filtered by division, kind, name."""
    division_code = request.GET.get("division", "").strip()
    kind = request.GET.get("kind", "").strip()
    q = request.GET.get("q", "").strip()[:100]
    organisations = queries.organisation_list(
        request.user, division_code=division_code, kind=kind, q=q
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    for organisation in page.object_list:  # tree depth, for indentation
        organisation.depth = organisation.path.count("/") - 1
    division = Division.objects.filter(code=division_code).first() if division_code else None
    context = {
        "page": page,
        "division": division,
        "division_code": division_code,
        "ancestors": _ancestors(division),
        "subdivisions": queries.division_children(division.code if division else ""),
        "kind": kind,
        "kinds": OrganisationKind.choices,
        "q": q,
        "can_manage": has_permission(request.user, actions.MANAGE_ORGANISATION),
    }
    return render(request, "core/organisation_list.html", context)


def _ancestors(division):
    chain = []
    while division is not None:
        chain.insert(0, division)
        division = division.parent
    return chain


@require_GET
def organisation_detail(request, pk: int):
    organisation = queries.organisation_detail(request.user, pk)
    context = {
        "organisation": organisation,
        "children": queries.organisation_children(request.user, organisation),
        "users": queries.organisation_users(request.user, organisation),
        "can_manage": queries.can_manage_organisation(request.user, organisation),
    }
    return render(request, "core/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
def organisation_create(request):
    """新建机构; ``?parent=<id>`` creates an internal department or subordinate unit."""
    require(request.user, actions.MANAGE_ORGANISATION)
    parent = None
    if parent_id := request.GET.get("parent", "").strip():
        parent = queries.organisation_detail(request.user, _int_or_404(parent_id))
    initial = {"division_code": parent.division.code} if parent else {}
    if parent:
        initial["kind"] = OrganisationKind.INTERNAL_DEPARTMENT
    form = OrganisationCreateForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = actions.create_organisation(
                actor=request.user,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                category=data["category"],
                rank=data["rank"],
                subordination=data["subordination"],
                uscc=data["uscc"],
                division=data["division_code"],
                parent=parent,
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已新建机构“%(name)s”。") % {"name": organisation.name})
            return redirect("organisations:detail", pk=organisation.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "core/organisation_form.html", {"form": form, "parent": parent}, status=status
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk: int):
    organisation = queries.manageable_organisation(request.user, pk)
    fields = list(OrganisationEditForm.base_fields)
    initial = {name: getattr(organisation, name) for name in fields}
    form = OrganisationEditForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in fields if name in form.changed_data}
        try:
            actions.update_organisation(
                actor=request.user, organisation=organisation, changes=changes, request=request
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存机构信息。"))
            return redirect("organisations:detail", pk=organisation.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "core/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=status,
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            field = "division_code" if name == "division" else name
            field = field if field in form.fields else None
            for error in errors:
                form.add_error(field, error)
    else:
        form.add_error(None, exc)


def _int_or_404(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)
