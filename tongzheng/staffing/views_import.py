"""Pages of the Excel import (导入) and export (导出): thin, over ``staffing.imports``."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongzheng.core.access import has_permission, require_permission
from tongzheng.staffing import excel, imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_SHOWN = 500


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("导入文件（.xlsx）"),
        help_text=gettext_lazy("请使用导入模板；文件先全部校验，确认后才导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request, *, form, validation=None, status=200):
    context = {
        "form": form,
        "validation": validation,
        "problems": validation.sorted_problems()[:PROBLEMS_SHOWN] if validation else [],
        "problems_total": len(validation.problems) if validation else 0,
        "problems_shown": PROBLEMS_SHOWN,
        "max_mb": imports.max_upload_bytes() // (1024 * 1024),
        "can_export": has_permission(request.user, imports.EXPORT_PERMISSION),
    }
    return render(request, "staffing/import/upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
def upload(request):
    """上传并校验: store the file under its SM3 digest and show every problem, or the summary."""
    require_permission(request.user, imports.IMPORT_PERMISSION)
    if request.method == "GET":
        return _page(request, form=UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    uploaded = form.cleaned_data["file"]
    if uploaded.size > imports.max_upload_bytes():
        form.add_error("file", imports.too_big_message())
        return _page(request, form=form, status=413)
    data = uploaded.read()
    if problem := imports.file_problem(data):
        form.add_error("file", problem)
        return _page(request, form=form, status=400)
    digest = imports.store_upload(request.user, data)
    path = imports.stored_upload(request.user, digest)
    validation = imports.validate_file(actor=request.user, path=path)
    return _page(
        request, form=UploadForm(), validation=validation, status=200 if validation.ok else 400
    )


@require_POST
def confirm(request):
    """确认导入: re-validate the stored file (same SM3 digest) and import it in one transaction."""
    require_permission(request.user, imports.IMPORT_PERMISSION)
    digest = request.POST.get("digest", "").strip().lower()
    if not digest:
        return _page(request, form=UploadForm(), status=400)
    path = imports.stored_upload(request.user, digest)
    if path is None:
        raise Http404(_("找不到已上传的文件，请重新上传。"))
    try:
        validation = imports.import_file(
            actor=request.user, path=path, expected_digest=digest, request=request
        )
    except imports.ImportRefused as refused:
        return _page(request, form=UploadForm(), validation=refused.validation, status=409)
    path.unlink(missing_ok=True)
    summary = validation.summary()
    messages.success(
        request,
        _("导入完成：新增单位 %(units)d 个、实名人员 %(personnel)d 名。") % summary,
    )
    return redirect("staffing_import:upload")


@require_GET
def errors_download(request, digest: str):
    """问题清单 .xlsx of a stored upload (re-validated now)."""
    require_permission(request.user, imports.IMPORT_PERMISSION)
    path = imports.stored_upload(request.user, digest.lower())
    if path is None:
        raise Http404(_("找不到已上传的文件，请重新上传。"))
    validation = imports.validate_file(actor=request.user, path=path)
    return _xlsx(excel.errors_workbook(validation.sorted_problems()), "staffing-import-errors.xlsx")


@require_GET
def template_download(request):
    require_permission(request.user, imports.IMPORT_PERMISSION)
    return _xlsx(excel.template_workbook(), "staffing-import-template.xlsx")


@require_GET
def export(request):
    """导出 the caller's units and personnel in the template layout (ID numbers masked)."""
    data = imports.export_workbook(actor=request.user, request=request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx(data, f"staffing-export-{stamp}.xlsx")
