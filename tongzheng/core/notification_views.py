"""Views of one's own in-site messages (站内消息) in the workbench.

Every signed-in staff user has a message box and sees only their own messages (another
user's message is a 404); no permission code is needed to read one's own mail. Citizen
and enterprise accounts get 403 here like on every workbench page: a portal page can list
theirs with ``notifications.site_messages_for(user)`` when the portal needs one.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tongzheng.core import notifications

PAGE_SIZE = 20


def _require_staff(user) -> None:
    if getattr(user, "kind", "") != "staff":
        raise PermissionDenied(_("公众账户不能访问工作人员页面。"))


@require_GET
def message_list(request):
    _require_staff(request.user)
    messages = notifications.site_messages_for(request.user)
    page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/messages.html",
        {"page": page, "unread": notifications.unread_count(request.user)},
    )


@require_POST
def message_read(request, pk: int):
    _require_staff(request.user)
    notifications.mark_read(actor=request.user, pk=pk, request=request)
    return redirect("core:messages")


@require_POST
def messages_read_all(request):
    _require_staff(request.user)
    notifications.mark_all_read(actor=request.user, request=request)
    return redirect("core:messages")
