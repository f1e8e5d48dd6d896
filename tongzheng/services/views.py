"""Staff pages of 政务服务 under /workbench/services/: inbox, application detail and its
actions, and the catalogue (事项管理) with JSON import and export. Thin: forms in, actions
out, a refused move re-renders the page with the Chinese message and status 400."""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.core.access import require_permission
from tongzheng.core.timed import TimedStatus
from tongzheng.services import actions, catalogue, forms, queries
from tongzheng.services.models import ApplicationTask, TaskKind

PAGE_SIZE = 50


@dataclass(frozen=True)
class CountlessPage:
    """A page found without counting: a division's open tasks may be tens of thousands,
    and an exact COUNT would cost more than the page itself; "next" is known by reading
    one row more."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class InboxLine:
    number: str
    url: str
    item_name: str
    kind: str
    organisation: str
    due_date: object
    remaining: int | None
    status: str
    status_label: str


def _inbox_rows(lines: list[dict]) -> list[InboxLine]:
    """Everything the rows show, computed once per page (labels and URLs looked up once:
    50 reverse() and display lookups per page were a third of the page's time). The clock
    is read with ``TimedTask``'s own methods on a task holding only the clock fields."""
    now = timezone.now()
    kinds = dict(TaskKind.choices)
    statuses = {value: str(label) for value, label in TimedStatus.choices}
    url = reverse("services:application_detail", args=["NUMBER"])
    rows = []
    for line in lines:
        clock = ApplicationTask(
            started_at=line["started_at"],
            due_at=line["due_at"],
            warning_at=line["warning_at"],
            paused_since=line["paused_since"],
            finished_at=line["finished_at"],
        )
        status = str(clock.status_at(now))
        number = line["application__number"]
        rows.append(
            InboxLine(
                number=number,
                url=url.replace("NUMBER", number),
                item_name=line["application__version__name"],
                kind=str(kinds[line["kind"]]),
                organisation=line["organisation__name"],
                due_date=timezone.localdate(clock.due_at) if clock.due_at else None,
                remaining=clock.remaining_working_days(now),
                status=status,
                status_label=statuses[status],
            )
        )
    return rows


@require_GET
def inbox(request):
    require_permission(request.user, actions.VIEW_APPLICATION)
    kind = request.GET.get("kind", "")
    number = request.GET.get("page", "1")
    number = min(int(number), 10_000) if number.isdigit() and int(number) > 0 else 1
    start = (number - 1) * PAGE_SIZE
    tasks = queries.inbox_page(request.user, kind=kind, start=start, size=PAGE_SIZE)
    page = CountlessPage(number, len(tasks) > PAGE_SIZE)
    context = {
        "page": page,
        "rows": _inbox_rows(tasks[:PAGE_SIZE]),
        "kind": kind,
        "kinds": TaskKind.choices,
    }
    return render(request, "services/inbox.html", context)


def _detail(request, application, *, forms_override=None, status=200):
    user = request.user
    allowed = queries.allowed_actions(user, application)
    action_forms = {
        "refuse_acceptance": forms.ReasonForm(prefix="refuse_acceptance"),
        "request_supplement": forms.SupplementForm(
            version=application.version, prefix="request_supplement"
        ),
        "start_special": forms.SpecialStartForm(prefix="start_special"),
        "end_special": forms.SpecialEndForm(prefix="end_special"),
        "decide": forms.DecisionForm(prefix="decide"),
        "extend_limit": forms.ExtendForm(prefix="extend_limit"),
        "issue_result": forms.ResultForm(prefix="issue_result"),
        "simple": forms.ActionForm(prefix="simple"),
    }
    action_forms.update(forms_override or {})
    my_tasks = [
        (
            task,
            (forms_override or {}).get(f"task_{task.pk}")
            or forms.DecisionForm(prefix=f"task_{task.pk}"),
        )
        for task in queries.my_open_review_tasks(user, application)
    ]
    refused = [
        str(error) for form in (forms_override or {}).values() for error in form.non_field_errors()
    ]
    context = {
        "application": application,
        "refused": refused,
        "allowed": allowed,
        "forms": action_forms,
        "my_tasks": my_tasks,
        "tasks": queries.application_tasks(application),
        "events": application.events.select_related("actor").order_by("sequence"),
        "supplements": application.supplements.prefetch_related("materials"),
        "specials": application.special_procedures.all(),
        "result": getattr(application, "result", None),
        "files": application.files.select_related("material"),
    }
    return render(request, "services/application_detail.html", context, status=status)


@require_GET
def application_detail(request, number: str):
    require_permission(request.user, actions.VIEW_APPLICATION)
    return _detail(request, queries.application_detail(request.user, number))


def _handled(request, number: str):
    require_permission(request.user, actions.HANDLE_APPLICATION)
    return queries.application_detail(request.user, number)


def _run(request, application, form, key: str, run):
    """Validate ``form``, call ``run(cleaned_data)``; on a refusal re-render with status 400."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, _("操作成功。"))
            return redirect("services:application_detail", number=application.number)
    application.refresh_from_db()
    return _detail(request, application, forms_override={key: form}, status=400)


@require_POST
def application_action(request, number: str, action: str):
    application = _handled(request, number)
    post, files = request.POST, request.FILES

    def common(data):
        return {
            "actor": request.user,
            "application": application,
            "transaction_id": data.get("transaction_id") or None,
            "request": request,
        }

    if action == "accept":
        return _run(
            request,
            application,
            forms.ActionForm(post, prefix="simple"),
            "simple",
            lambda d: actions.accept(**common(d)),
        )
    if action == "refuse_acceptance":
        return _run(
            request,
            application,
            forms.ReasonForm(post, prefix=action),
            action,
            lambda d: actions.refuse_acceptance(reason=d["reason"], **common(d)),
        )
    if action == "request_supplement":
        form = forms.SupplementForm(post, version=application.version, prefix=action)
        return _run(
            request,
            application,
            form,
            action,
            lambda d: actions.request_supplement(
                materials=list(d["materials"]),
                other_items=d["other_items"],
                note=d["note"],
                **common(d),
            ),
        )
    if action == "start_special":
        return _run(
            request,
            application,
            forms.SpecialStartForm(post, prefix=action),
            action,
            lambda d: actions.start_special_procedure(
                kind=d["kind"], reason=d["reason"], **common(d)
            ),
        )
    if action == "end_special":
        return _run(
            request,
            application,
            forms.SpecialEndForm(post, prefix=action),
            action,
            lambda d: actions.end_special_procedure(outcome=d["outcome"], **common(d)),
        )
    if action == "extend_limit":
        return _run(
            request,
            application,
            forms.ExtendForm(post, prefix=action),
            action,
            lambda d: actions.extend_limit(
                working_days=d["working_days"], reason=d["reason"], **common(d)
            ),
        )
    if action == "decide":
        return _run(
            request,
            application,
            forms.DecisionForm(post, prefix=action),
            action,
            lambda d: actions.decide(
                approve=d["decision"] == "approve", reason=d["reason"], **common(d)
            ),
        )
    if action == "issue_result":
        return _run(
            request,
            application,
            forms.ResultForm(post, files, prefix=action),
            action,
            lambda d: actions.issue_result(
                licence_number=d["licence_number"],
                document=d["document"],
                fee_amount=d["fee_amount"],
                **common(d),
            ),
        )
    if action == "close":
        return _run(
            request,
            application,
            forms.ActionForm(post, prefix="simple"),
            "simple",
            lambda d: actions.close(**common(d)),
        )
    return HttpResponse(status=404)


@require_POST
def task_decide(request, pk: int):
    require_permission(request.user, actions.HANDLE_APPLICATION)
    task = ApplicationTask.objects.select_related("application").get_for_user(
        request.user, actions.HANDLE_APPLICATION, pk=pk
    )
    application = task.application
    form = forms.DecisionForm(request.POST, prefix=f"task_{task.pk}")
    return _run(
        request,
        application,
        form,
        f"task_{task.pk}",
        lambda d: actions.decide_task(
            actor=request.user,
            task=task,
            approve=d["decision"] == "approve",
            opinion=d["reason"],
            transaction_id=d.get("transaction_id") or None,
            request=request,
        ),
    )


# --- the catalogue ------------------------------------------------------------------------


@require_GET
def item_list(request):
    require_permission(request.user, actions.MANAGE_ITEM)
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(queries.item_list(request.user, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "services/item_list.html", {"page": page, "q": query})


@require_GET
def item_detail(request, pk: int):
    require_permission(request.user, actions.MANAGE_ITEM)
    item = queries.item_detail(request.user, pk)
    version = item.current_version
    context = {
        "item": item,
        "version": version,
        "materials": version.materials.all() if version else [],
        "stages": version.stages.prefetch_related("tasks__organisation") if version else [],
        "versions": item.versions.order_by("-number"),
    }
    return render(request, "services/item_detail.html", context)


def _initial(item):
    version = item.current_version
    initial = {name: getattr(version, name) for name in catalogue.ELEMENT_FIELDS}
    initial["implementation_code"] = item.implementation_code
    initial["organisation"] = item.organisation.uscc or item.organisation.name
    materials = [
        {
            "name": m.name,
            "requirement": m.requirement,
            "form": m.form,
            "source": m.source,
            "previous_blank_form": m.blank_form.name,
            "previous_sample": m.sample.name,
        }
        for m in version.materials.all()
    ]
    stages = [
        {
            "name": s.name,
            "limit_working_days": s.limit_working_days,
            "refusal_ends_stage": s.refusal_ends_stage,
            "departments": "\n".join(
                t.organisation.uscc or t.organisation.name
                for t in s.tasks.select_related("organisation")
            ),
        }
        for s in version.stages.all()
    ]
    return initial, materials, stages


@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int | None = None):
    """Create an item or publish a new version of one (the old version stays as it was)."""
    require_permission(request.user, actions.MANAGE_ITEM)
    item = queries.item_detail(request.user, pk) if pk is not None else None
    initial, material_rows, stage_rows = _initial(item) if item else ({}, [], [])
    if request.method == "POST":
        form = forms.ItemForm(request.POST)
        materials = forms.MaterialFormSet(request.POST, request.FILES, prefix="materials")
        stages = forms.StageFormSet(request.POST, prefix="stages")
        if form.is_valid() and materials.is_valid() and stages.is_valid():
            data = form.cleaned_data
            try:
                organisation = catalogue.find_organisation(data["organisation"])
                if item is not None and data["implementation_code"] != item.implementation_code:
                    raise ValidationError(_("实施编码不能修改。"))
                version = actions.publish_item_version(
                    actor=request.user,
                    organisation=organisation,
                    implementation_code=data["implementation_code"],
                    elements={n: data[n] for n in catalogue.ELEMENT_FIELDS},
                    materials=[
                        f.as_material()
                        for f in materials
                        if f.cleaned_data and not f.cleaned_data.get("DELETE")
                    ],
                    stages=[
                        f.as_stage()
                        for f in stages
                        if f.cleaned_data and not f.cleaned_data.get("DELETE")
                    ],
                    change_note=data["change_note"],
                    request=request,
                )
            except ValidationError as exc:
                forms.add_errors(form, exc)
            else:
                messages.success(request, _("已发布第%(number)s版。") % {"number": version.number})
                return redirect("services:item_detail", pk=version.item_id)
        status = 400
    else:
        form = forms.ItemForm(initial=initial)
        materials = forms.MaterialFormSet(initial=material_rows, prefix="materials")
        stages = forms.StageFormSet(initial=stage_rows, prefix="stages")
        status = 200
    context = {"form": form, "materials": materials, "stages": stages, "item": item}
    return render(request, "services/item_form.html", context, status=status)


@require_GET
def item_export(request):
    require_permission(request.user, actions.MANAGE_ITEM)
    items = queries.item_list(request.user).prefetch_related(
        "current_version__materials", "current_version__stages__tasks__organisation"
    )
    body = json.dumps(catalogue.export_items(items), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="service-items.json"'
    return response


@require_http_methods(["GET", "POST"])
def item_import(request):
    require_permission(request.user, actions.MANAGE_ITEM)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            versions = actions.import_items(
                actor=request.user, payload=form.cleaned_data["file"], request=request
            )
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, _("已导入%(count)s个事项。") % {"count": len(versions)})
            return redirect("services:item_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "services/item_import.html", {"form": form}, status=status)
