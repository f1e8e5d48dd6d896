"""Public 政务服务 pages (portal): guides, online application, status lookup, my
applications, 好差评 and the 行政权力清单.

GOV.UK patterns (DOMAIN.md §11): one thing per page, a task list for the application
(填写申请信息 → 上传申请材料 → 核对并提交), check your answers, and a confirmation page
with the application number, the query code and what happens next.

- Guides, the power list, material downloads and the status lookup need no login.
- Applying needs a signed-in citizen or enterprise account; staff accounts get 403, and
  another person's application is a 404.
- Every write goes through ``services.public`` (→ ``services.actions``) or supervision's
  ``public`` module. Files chosen on the materials page are checked (size and magic
  number) and kept in storage under ``services/pending/<number>/`` until submission,
  because an application's files become its ``ApplicationFile`` rows only in the
  ``submit`` action; the pending folder is removed once submitted.
- The receipt (number and 查询码) is the response to the submitting POST, never in a URL,
  with ``Cache-Control: no-store``; the code is stored only as a hash.
- The status lookup (number + code, POST only) answers one generic 404 for a wrong number
  or code; the comparison is constant-time (``Application.check_code``) and failures are
  counted per client address and per number (``lookup_blocked`` / ``lookup_failed``).
"""

import posixpath
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.core.models import Organisation
from tongzheng.core.ratelimit import FailureLimit
from tongzheng.portal import frame
from tongzheng.services import public, search, status_page
from tongzheng.services.forms_public import (
    PARTS,
    ApplicationForm,
    MaterialsForm,
    RatingForm,
    StatusForm,
)
from tongzheng.services.models import (
    Application,
    ApplicationStatus,
    ItemType,
    Material,
    MaterialForm,
    MaterialRequirement,
    TaskKind,
)

S = ApplicationStatus
PAGE_SIZE = 20
APPLICANT_KINDS = ("citizen", "enterprise")
NOT_FOUND_MESSAGE = gettext_lazy("没有找到该办件。请核对申请编号和查询码后重试。")
LOOKUP_MESSAGE = gettext_lazy("查询失败次数过多，请 15 分钟后再试。")
STATUS_RESULT = "services/public/status_result.html"


# --- rate limit of the status lookup -------------------------------------------------------
# Failures per client address and per application number (core.ratelimit), so a short
# query code cannot be guessed; SERVICES_RATE_LOOKUP_FAILURES = (count, seconds).

LOOKUP_LIMIT = FailureLimit(scope="services", setting="SERVICES_RATE_LOOKUP_FAILURES")


def lookup_blocked(request, number: str) -> bool:
    return LOOKUP_LIMIT.blocked(request, number)


def lookup_failed(request, number: str) -> None:
    LOOKUP_LIMIT.failed(request, number)


# --- helpers ---------------------------------------------------------------------------------


def _require_applicant(request) -> None:
    if getattr(request.user, "kind", None) not in APPLICANT_KINDS:
        raise PermissionDenied(_("只有个人用户和法人用户可以在线申请和查看自己的办件。"))


def _own_application(request, number: str) -> Application:
    """The signed-in applicant's own application; anyone else's is a 404."""
    _require_applicant(request)
    return get_object_or_404(
        Application.objects.select_related("version", "item", "organisation"),
        number=number,
        applicant=request.user,
    )


def _own_draft(request, number: str) -> Application:
    application = _own_application(request, number)
    if application.status != S.DRAFT:
        raise Http404
    return application


def _electronic_materials(version):
    return list(version.materials.exclude(form=MaterialForm.PAPER).order_by("order"))


def _pending_dir(application) -> str:
    return f"services/pending/{application.number}"


def _pending(application) -> dict[int, str]:
    """material pk → stored path of the file chosen for it (not yet submitted)."""
    folder = _pending_dir(application)
    found = {}
    try:
        subfolders, _files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return found
    for sub in subfolders:
        if not sub.isdigit():
            continue
        _dirs, names = default_storage.listdir(f"{folder}/{sub}")
        if names:
            found[int(sub)] = f"{folder}/{sub}/{sorted(names)[-1]}"
    return found


def _store_pending(application, material, upload) -> None:
    folder = f"{_pending_dir(application)}/{material.pk}"
    old = _pending(application).get(material.pk)
    if old:  # a new choice replaces the earlier file
        default_storage.delete(old)
    try:  # letters (hanzi too), digits, "-", "_" and "." only; never "." or ".."
        name = default_storage.get_valid_name(posixpath.basename(upload.name or ""))[-120:]
    except SuspiciousFileOperation:
        name = "file" + posixpath.splitext(upload.name or "")[1][:10]
    default_storage.save(f"{folder}/{name}", upload)


def _clear_pending(application) -> None:
    for stored in _pending(application).values():
        default_storage.delete(stored)


def _missing_required(application, pending) -> list[str]:
    return [
        m.name
        for m in _electronic_materials(application.version)
        if m.requirement == MaterialRequirement.REQUIRED and m.pk not in pending
    ]


def _task_list(application, pending) -> list[dict]:
    details_done = ApplicationForm.is_complete(application.form_data, version=application.version)
    materials_done = not _missing_required(application, pending)
    n = application.number
    return [
        *[
            {
                "title": title,
                "url": reverse("services:public_details", args=[n, part]),
                "done": ApplicationForm.is_complete(
                    application.form_data, part, version=application.version
                ),
                "available": True,
            }
            for part, (title, _fields) in PARTS.items()
        ],
        {
            "title": _("上传申请材料"),
            "url": reverse("services:public_materials", args=[n]),
            "done": materials_done,
            "available": True,
        },
        {
            "title": _("核对并提交"),
            "url": reverse("services:public_check", args=[n]),
            "done": False,
            "available": details_done and materials_done,
        },
    ]


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _departments():
    return (
        Organisation.objects.filter(service_items__in=public.published_items())
        .distinct()
        .order_by("name")
    )


def _catalogue(request):
    """The published items filtered by department, type and the Chinese query."""
    items = public.published_items()
    department = request.GET.get("department", "")
    item_type = request.GET.get("type", "")
    query = request.GET.get("q", "").strip()[:100]
    if department.isascii() and department.isdigit() and len(department) <= 12:
        items = items.filter(organisation_id=int(department))
    if item_type in ItemType.values:
        items = items.filter(current_version__item_type=item_type)
    items = search.search(items, query)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "query": query,
        "department": department,
        "item_type": item_type,
        "departments": _departments(),
        "types": ItemType.choices,
    }


# --- 办事指南 and 权力清单 (no login) ---------------------------------------------------------


@login_not_required
@require_GET
def guide_list(request):
    """办事指南: the published items, by department and type, searchable in Chinese."""
    return render(request, "services/public/guide_list.html", _catalogue(request))


@login_not_required
@require_GET
def guide(request, pk):
    """One item's guide in plain language."""
    found = public.item_guide(pk)
    if found is None:
        raise Http404
    return render(request, "services/public/guide.html", {"guide": found})


@login_not_required
@require_GET
def material_file(request, pk, material_pk, kind):
    """The blank form (空白表格) or sample (示例样表) of a material of the current version."""
    found = public.item_guide(pk)
    if found is None or kind not in ("blank", "sample"):
        raise Http404
    material = get_object_or_404(Material, pk=material_pk, version=found.version)
    field = material.blank_form if kind == "blank" else material.sample
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=posixpath.basename(field.name)
    )


@login_not_required
@require_GET
def powers(request):
    """行政权力清单: every published item with its basis, process and limits."""
    context = _catalogue(request)
    items = list(context["page"].object_list)
    prefetch_related_objects(items, "current_version__stages")  # one query for the page
    context["rows"] = [(item, list(item.current_version.stages.all())) for item in items]
    return render(request, "services/public/powers.html", context)


# --- online application (signed-in citizen or enterprise) -----------------------------------


@require_http_methods(["GET", "POST"])
def apply(request, pk):
    """Start page: what you need; POST starts (or resumes) the draft of this item."""
    _require_applicant(request)
    found = public.item_guide(pk)
    if found is None:
        raise Http404
    draft = (
        public.applications_of(request.user)
        .filter(item=found.item, status=S.DRAFT, version=found.version)
        .first()
    )
    if request.method == "POST":
        if draft is None:
            try:
                draft = public.save_draft(
                    applicant=request.user,
                    item=found.item,
                    form_data={},
                    request=request,
                )
            except ValidationError as exc:
                return render(
                    request,
                    "services/public/apply.html",
                    {"guide": found, "draft": None, "errors": exc.messages},
                    status=400,
                )
        return redirect("services:public_application", number=draft.number)
    return render(request, "services/public/apply.html", {"guide": found, "draft": draft})


@require_http_methods(["GET", "POST"])
def details(request, number, part):
    """填写申请信息, one part per page (申请人信息, 申请内容), saved as the draft."""
    application = _own_draft(request, number)
    if part not in PARTS:
        raise Http404
    parts = list(PARTS)
    if request.method == "POST":
        form = ApplicationForm(request.POST, part=part, version=application.version)
        if form.is_valid():
            try:
                public.save_draft(
                    applicant=request.user,
                    item=application.item,
                    form_data={**application.form_data, **form.form_data()},
                    application=application,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存。"))
                if request.POST.get("back_to_check"):  # "修改" from check your answers
                    return redirect("services:public_check", number=number)
                following = parts.index(part) + 1
                if following < len(parts):  # the next question
                    return redirect("services:public_details", number=number, part=parts[following])
                return redirect("services:public_application", number=number)
        status = 400
    else:
        initial = ApplicationForm.initial_from(application.form_data, application.version)
        if not any(initial.values()):
            initial["applicant_name"] = str(request.user)
        form = ApplicationForm(initial=initial, part=part, version=application.version)
        status = 200
    return render(
        request,
        "services/public/details.html",
        {
            "application": application,
            "form": form,
            "title": PARTS[part][0],
            "back_to_check": request.GET.get("from") == "check"
            or bool(request.POST.get("back_to_check")),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def materials_step(request, number):
    """任务 2: 上传申请材料 (one file per electronic material, checked on upload)."""
    application = _own_draft(request, number)
    materials = _electronic_materials(application.version)
    paper = list(application.version.materials.filter(form=MaterialForm.PAPER))
    status = 200
    if request.method == "POST":
        form = MaterialsForm(request.POST, request.FILES, materials=materials)
        if form.is_valid():
            for material, upload in form.uploads():
                _store_pending(application, material, upload)
            messages.success(request, _("材料已保存，提交申请时一并提交。"))
            return redirect("services:public_application", number=number)
        status = 400
    else:
        form = MaterialsForm(materials=materials)
    pending = _pending(application)
    rows = [
        (form[name], material, posixpath.basename(pending.get(material.pk, "")))
        for name, material in form.materials.items()
    ]
    return render(
        request,
        "services/public/materials.html",
        {"application": application, "form": form, "rows": rows, "paper": paper},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def check(request, number):
    """任务 3: 核对并提交; POST submits and answers with the receipt (shown once)."""
    application = _own_application(request, number)
    if application.status != S.DRAFT:
        return redirect("services:public_application", number=number)
    pending = _pending(application)
    answers = ApplicationForm.initial_from(application.form_data, application.version)
    form = ApplicationForm(data=answers, version=application.version)
    problems = []
    if not form.is_valid():
        problems.append(_("请先填写完整的申请信息。"))
    missing = _missing_required(application, pending)
    if missing:
        problems.append(_("请上传必要材料：%(names)s。") % {"names": "、".join(missing)})
    materials = {m.pk: m for m in _electronic_materials(application.version)}
    chosen = [
        (materials[pk], posixpath.basename(p)) for pk, p in pending.items() if pk in materials
    ]
    context = {
        "application": application,
        "form": form,
        "answers": [(field, ApplicationForm.part_of(field.name)) for field in form],
        "chosen": chosen,
        "problems": problems,
        "submission_key": secrets.token_urlsafe(16),
    }
    if request.method != "POST" or problems:
        return render(
            request,
            "services/public/check.html",
            context,
            status=400 if request.method == "POST" else 200,
        )
    key = request.POST.get("submission_key", "")[:64] or None
    handles = []
    try:
        files = []
        for pk, stored in pending.items():
            if pk in materials:
                handle = default_storage.open(stored, "rb")
                handles.append(handle)
                files.append((materials[pk], File(handle, name=posixpath.basename(stored))))
        submitted, code = public.submit_application(
            applicant=request.user,
            application=application,
            files=files,
            submission_key=key,
            request=request,
        )
    except ValidationError as exc:
        context["problems"] = exc.messages
        return render(request, "services/public/check.html", context, status=400)
    finally:
        for handle in handles:
            handle.close()
    _clear_pending(application)
    acceptance = submitted.tasks.filter(kind=TaskKind.ACCEPTANCE).order_by("pk").first()
    context = {
        "application": submitted,
        "code": code,
        "view": public.application_status(submitted),
        "accept_by": acceptance.due_at if acceptance else None,
    }
    return _no_store(render(request, "services/public/receipt.html", context))


def _rating_context(application, user, form=None):
    from tongzheng.supervision.public import rating_state

    if public.rating_subject(application, user) is None:
        return {}
    state = rating_state(application)
    if not (state.can_rate or state.can_rerate):
        return {"rating_state": state}
    return {"rating_state": state, "rating_form": form or RatingForm()}


@require_GET
def application_page(request, number):
    """The applicant's own application: the task list of a draft, else its status,
    what to supplement, the result and the rating."""
    application = _own_application(request, number)
    if application.status == S.DRAFT:
        pending = _pending(application)
        return render(
            request,
            "services/public/task_list.html",
            {"application": application, "tasks": _task_list(application, pending)},
        )
    context = {
        "application": application,
        "view": public.application_status(application),
        **_rating_context(application, request.user),
    }
    return render(request, "services/public/application.html", context)


@require_http_methods(["GET", "POST"])
def supplement(request, number):
    """补正: the one-time notice of everything missing; upload and resubmit."""
    application = _own_application(request, number)
    if application.status != S.SUPPLEMENT:
        raise Http404
    notice = application.supplements.filter(resubmitted_at__isnull=True).first()
    if notice is None:
        raise Http404
    requested = list(notice.materials.order_by("order"))
    uploadable = [m for m in requested if m.form != MaterialForm.PAPER]
    status = 200
    if request.method == "POST":
        form = MaterialsForm(request.POST, request.FILES, materials=uploadable)
        if form.is_valid():
            missing = [m.name for m in uploadable if m.pk not in {x.pk for x, _u in form.uploads()}]
            if missing:
                form.add_error(
                    None, _("请上传需补正的材料：%(names)s。") % {"names": "、".join(missing)}
                )
            else:
                try:
                    public.resubmit_application(
                        applicant=request.user,
                        application=application,
                        files=form.uploads(),
                        transaction_id=request.POST.get("token", "")[:64] or None,
                        request=request,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("补正材料已提交，办理时限继续计算。"))
                    return redirect("services:public_application", number=number)
        status = 400
    else:
        form = MaterialsForm(materials=uploadable)
    return render(
        request,
        "services/public/supplement.html",
        {
            "application": application,
            "notice": notice,
            "requested": requested,
            "form": form,
            "token": secrets.token_urlsafe(16),
        },
        status=status,
    )


@require_POST
def rate(request, number):
    """好差评 after completion, or 复评 after the department's rectification."""
    from tongzheng.supervision.public import rating_state, record_rating, rerate

    application = _own_application(request, number)
    subject = public.rating_subject(application, request.user)
    if subject is None:
        raise Http404
    state = rating_state(application)
    form = RatingForm(request.POST)
    if form.is_valid() and (state.can_rate or state.can_rerate):
        try:
            if state.can_rate:
                record_rating(
                    subject=subject[0],
                    organisation=subject[1],
                    level=form.cleaned_data["level"],
                    indicators=form.indicators(),
                    comment=form.cleaned_data["comment"],
                    rater=request.user,
                )
            else:
                rerate(
                    subject=subject[0],
                    level=form.cleaned_data["level"],
                    indicators=form.indicators(),
                    comment=form.cleaned_data["comment"],
                    rater=request.user,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("services:public_application", number=number)
    elif form.is_valid():
        form.add_error(None, _("该办件已经评价过；部门整改答复后可以复评。"))
    context = {
        "application": application,
        "view": public.application_status(application),
        **_rating_context(application, request.user, form),
    }
    context.setdefault("rating_form", form)
    return render(request, "services/public/application.html", context, status=400)


def _result_response(application):
    result = getattr(application, "result", None)
    if application.status not in (S.ISSUED, S.CLOSED) or result is None or not result.document:
        raise Http404
    return _no_store(
        FileResponse(
            result.document.open("rb"),
            as_attachment=True,
            filename=posixpath.basename(result.document.name),
        )
    )


@require_GET
def result_download(request, number):
    """The result document (结果文书) of the applicant's own application."""
    return _result_response(_own_application(request, number))


@require_GET
def mine(request):
    """我的办件: the signed-in applicant's applications, drafts included."""
    _require_applicant(request)
    page = Paginator(public.applications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "services/public/mine.html", {"page": page})


# --- status lookup without login ----------------------------------------------------------------


def _lookup_pair(data) -> tuple[str, str] | None:
    """(number, code) as ``StatusForm`` cleans them when it would accept them, else None.

    The hot path (issue 4) skips building the form: both fields are required, stripped,
    at most 32 and 16 characters and without NUL characters, exactly as the form checks
    them; only a pair the form would refuse goes to the form, which renders the errors.
    """
    number, code = data.get("number", "").strip(), data.get("code", "").strip()
    if 0 < len(number) <= 32 and 0 < len(code) <= 16 and "\x00" not in number + code:
        return number, code
    return None


def _status_lookup(request):
    """(application, None) for a right number + code, else (None, the error page): 400
    for a form error, 429 once the address or number has failed too often, one generic
    404 for any wrong pair (counted against the address and the number)."""
    pair = _lookup_pair(request.POST)
    if pair is None:
        form = StatusForm(request.POST)
        if not form.is_valid():
            return None, render(request, "services/public/status.html", {"form": form}, status=400)
        pair = form.cleaned_data["number"], form.cleaned_data["code"]
    number, code = pair
    if lookup_blocked(request, number):
        context = {"form": StatusForm(), "error": LOOKUP_MESSAGE}
        return None, render(request, "services/public/status.html", context, status=429)
    application = public.find_application(number, code)
    if application is None:
        lookup_failed(request, number)
        context = {"form": StatusForm(request.POST), "error": NOT_FOUND_MESSAGE}
        return None, render(request, "services/public/status.html", context, status=404)
    return application, None


@login_not_required
@require_http_methods(["GET", "POST"])
def status(request):
    """办件查询: POST number + query code; one generic 404 for any wrong pair."""
    if request.method != "POST":
        return render(request, "services/public/status.html", {"form": StatusForm()})
    application, failed = _status_lookup(request)
    if failed is not None:
        return failed
    # The public hot path (issue 4): rendered with exactly what the page and its portal
    # shell read, not through the context processors (the workbench navigation, perms,
    # the language list …), and for an anonymous visitor into the shell rendered once
    # (portal.frame) with the page's blocks written in Python (services.status_page).
    # The page and its headers are the same as with render().
    # The language, URLconf and script prefix are read once for the view, the frame and
    # the blocks.
    key = frame.page_key()
    view = public.application_status(application, language=key[0])
    code = request.POST["code"].strip()
    context = {"view": view, "number": application.number, "code": code}
    html = frame.render_page(
        request,
        STATUS_RESULT,
        context,
        blocks=lambda token: status_page.blocks(view, code=code, csrf_token=token, key=key),
        key=key,
        charset=settings.DEFAULT_CHARSET,  # HttpResponse's: the bytes are given as they are
    )
    return _no_store(HttpResponse(html))


@login_not_required
@require_POST
def status_result_download(request):
    """The result document for a holder of number + query code (POST, rate-limited)."""
    application, failed = _status_lookup(request)
    if failed is not None:
        return failed
    return _result_response(application)


urlpatterns = [
    # The status lookup first: Django tries the patterns in order on every request, and it
    # is the public hot path (issue 4). No two of these routes match the same path.
    path("services/status/", status, name="public_status"),
    path("services/", guide_list, name="public_guides"),
    path("services/powers/", powers, name="public_powers"),
    path("services/items/<int:pk>/", guide, name="public_guide"),
    path(
        "services/items/<int:pk>/materials/<int:material_pk>/<slug:kind>/",
        material_file,
        name="public_material_file",
    ),
    path("services/items/<int:pk>/apply/", apply, name="public_apply"),
    path("services/mine/", mine, name="public_mine"),
    path("services/status/result/", status_result_download, name="public_status_result"),
    path("services/applications/<str:number>/", application_page, name="public_application"),
    path("services/applications/<str:number>/details/<slug:part>/", details, name="public_details"),
    path("services/applications/<str:number>/materials/", materials_step, name="public_materials"),
    path("services/applications/<str:number>/check/", check, name="public_check"),
    path("services/applications/<str:number>/supplement/", supplement, name="public_supplement"),
    path("services/applications/<str:number>/rate/", rate, name="public_rate"),
    path("services/applications/<str:number>/result/", result_download, name="public_result"),
]
