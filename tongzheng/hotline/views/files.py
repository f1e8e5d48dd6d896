"""附件下载: the files of a ticket (intake, 追加, 答复), read-only.

- Staff (``workbench/hotline/attachments/<pk>/``): whoever may read the ticket under the
  existing rules (``queries.visible_tickets``: the centre by its division scope, a handling
  department for the tickets it leads or assists through an active assignment); any other
  attachment answers 404, as an out-of-scope ticket does.
- Citizen (POST ``hotline/track/attachment/``): the holder of number + 提取码, through the
  same lookup and rate limit as 查询工单, and only for a file the track page shows
  (``queries.public_history``). A wrong pair or any other file gets the track page's
  generic 404.
- Signed-in citizen or enterprise (GET ``hotline/mine/<number>/attachments/<pk>/``): the
  account that filed the ticket (我的诉求), without the 提取码, again only for a file its
  page shows; any other ticket or file answers 404.

Confidential tickets (保密): ``queries.redact_reporter`` blanks only the reporter's
identity (name, phone, filing account) and leaves the content to whoever may read the
ticket. Files are the report's content, not its author's identity, so a department that
may read a confidential ticket may also download its files, intake files included.

No audit record: the project audits writes and the explicit reveal of personal data
(查看完整号码), not reads of case files; the services downloads are not audited either.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core.access import require_permission
from tongzheng.hotline import queries
from tongzheng.hotline.forms import TrackForm
from tongzheng.hotline.models import Attachment, Ticket
from tongzheng.hotline.views.public import (
    PUBLIC_ACCOUNT_KINDS,
    track_blocked,
    track_lookup,
    track_not_found,
)


def _download(attachment: Attachment):
    """The stored file as a download; 404 when it is gone from the storage."""
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):  # missing on disk, or no file recorded at all
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def attachment_download(request, pk: int):
    """Staff download of one attachment of a ticket the user may read."""
    require_permission(request.user, queries.VIEW)
    visible = Attachment.objects.filter(ticket__in=queries.visible_tickets(request.user))
    return _download(get_object_or_404(visible, pk=pk))


@login_not_required
@require_POST
def track_attachment(request):
    """The reporter's download: number + 提取码 + the id of a file the track page shows."""
    form = TrackForm(request.POST)
    attachment_id = request.POST.get("attachment", "")
    if not form.is_valid() or not (attachment_id.isascii() and attachment_id.isdigit()):
        return render(request, "hotline/track.html", {"form": TrackForm()}, status=400)
    ticket, blocked = track_lookup(request, form.cleaned_data["number"], form.cleaned_data["code"])
    if blocked:
        return track_blocked(request, TrackForm())
    if ticket is None:
        return track_not_found(request, form)
    if int(attachment_id) not in _shown_files(ticket):
        return track_not_found(request, form)
    return _download(Attachment.objects.get(pk=int(attachment_id)))


@require_GET
def mine_attachment(request, number: str, pk: int):
    """我的诉求: the filing account's download of a file its ticket page shows."""
    if request.user.kind not in PUBLIC_ACCOUNT_KINDS:
        raise PermissionDenied(_("只有个人用户和法人用户可以查看“我的诉求”。"))
    ticket = get_object_or_404(Ticket, number=number, account=request.user)
    if pk not in _shown_files(ticket):
        raise Http404
    return _download(Attachment.objects.get(pk=pk))


def _shown_files(ticket: Ticket) -> set[int]:
    """The ids of the files the reporter's page of this ticket lists."""
    updates, own = queries.public_history(ticket)
    return {file.pk for file in own} | {file.pk for update in updates for file in update.files}


NAVIGATION = []  # reached from the ticket pages, not the workbench menu

urlpatterns = [
    path("workbench/hotline/attachments/<int:pk>/", attachment_download, name="attachment"),
    path("hotline/track/attachment/", track_attachment, name="track_attachment"),
    path(
        "hotline/mine/<str:number>/attachments/<int:pk>/",
        mine_attachment,
        name="mine_attachment",
    ),
]
