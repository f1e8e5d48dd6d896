"""Reads of 政务服务, always scoped to the caller (out of scope is a 404).

An application is visible to the implementing organisation's scope *and* to every
department that holds a task on it (a 并联 department sees the case it reviews).
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tongzheng.core.access import has_permission
from tongzheng.services.actions import HANDLE_APPLICATION, MANAGE_ITEM, VIEW_APPLICATION
from tongzheng.services.models import (
    Application,
    ApplicationStatus,
    ApplicationTask,
    ServiceItem,
    TaskKind,
)

S = ApplicationStatus


def inbox(user, *, kind: str = ""):
    """Open tasks in the user's scope, least remaining working time first (待办).

    ``due_at`` orders by remaining working time: the deadline is stored on the official
    calendar, so an earlier due date is always fewer working days left. One indexed query
    (partial index on open tasks by organisation and due date); paginate the result.
    """
    tasks = (
        ApplicationTask.objects.for_user(user, VIEW_APPLICATION)
        .filter(finished_at__isnull=True)
        .select_related("application__version", "organisation")
        .only(
            "pk",
            "kind",
            "outcome",
            "opinion",
            "due_at",
            "warning_at",
            "paused_since",
            "finished_at",
            "started_at",
            "limit_working_days",
            "paused_working_days",
            "organisation__name",
            "application__number",
            "application__status",
            "application__applicant_name",
            "application__version__name",
        )
        .order_by("due_at", "pk")
    )
    if kind in TaskKind.values:
        tasks = tasks.filter(kind=kind)
    return tasks


#: The columns one inbox line shows (read with ``values()``: no model instances per row).
INBOX_COLUMNS = (
    "pk",
    "kind",
    "started_at",
    "due_at",
    "warning_at",
    "paused_since",
    "finished_at",
    "application__number",
    "application__version__name",
    "organisation__name",
)


def inbox_page(user, *, kind: str = "", start: int = 0, size: int = 50) -> list[dict]:
    """``size`` + 1 inbox lines from ``start`` as dicts (the extra one says "there is more").

    Four model instances per line (task, application, version, organisation) cost more
    than the query itself on a busy machine; the page needs only these columns.
    """
    return list(inbox(user, kind=kind).values(*INBOX_COLUMNS)[start : start + size + 1])


def _visible(user, permission: str):
    mine = Application.objects.for_user(user, permission)
    tasks = ApplicationTask.objects.for_user(user, permission).filter(application=OuterRef("pk"))
    return Application.objects.filter(Q(pk__in=mine.values("pk")) | Exists(tasks))


def application_detail(user, number: str) -> Application:
    """The application by number if the user sees it (its organisation or a task of it)."""
    if not has_permission(user, VIEW_APPLICATION):
        raise Http404
    try:
        return (
            _visible(user, VIEW_APPLICATION)
            .select_related("version", "item", "organisation", "current_stage", "applicant")
            .get(number=number)
        )
    except Application.DoesNotExist as exc:
        raise Http404 from exc


def application_list(user, *, status: str = ""):
    applications = (
        Application.objects.for_user(user, VIEW_APPLICATION)
        .exclude(status=S.DRAFT)
        .select_related("version")
        .order_by("-created_at", "-pk")
    )
    if status in S.values:
        applications = applications.filter(status=status)
    return applications


def allowed_actions(user, application: Application) -> set[str]:
    """The next allowed steps for this user (OpenCRVS: computed from state and permissions)."""
    if (
        not Application.objects.for_user(user, HANDLE_APPLICATION)
        .filter(pk=application.pk)
        .exists()
    ):
        return set()
    by_status = {
        S.SUBMITTED: {"accept", "refuse_acceptance", "request_supplement"},
        S.REVIEWING: {"request_supplement", "start_special", "extend_limit"},
        S.SUSPENDED: {"end_special"},
        S.DECIDING: {"decide", "start_special", "extend_limit"},
        S.APPROVED: {"issue_result"},
        S.ISSUED: {"close"},
        S.REFUSED: {"close"},
    }
    allowed = set(by_status.get(application.status, set()))
    if (
        "request_supplement" in allowed
        and application.supplements.filter(resume_status=application.status).exists()
    ):
        allowed.discard("request_supplement")  # 一次性告知: once per phase
    if "extend_limit" in allowed and application.events.filter(action="extend_limit").exists():
        allowed.discard("extend_limit")  # once
    return allowed


def my_open_review_tasks(user, application: Application):
    """This user's departments' open 审查 tasks on the application (when it is in review)."""
    if application.status != S.REVIEWING:
        return ApplicationTask.objects.none()
    return (
        ApplicationTask.objects.for_user(user, HANDLE_APPLICATION)
        .filter(application=application, kind=TaskKind.REVIEW, finished_at__isnull=True)
        .select_related("organisation", "stage")
    )


def application_tasks(application: Application):
    return application.tasks.select_related("organisation", "stage", "decided_by").order_by(
        "created_at", "pk"
    )


def item_list(user, *, query: str = ""):
    items = (
        ServiceItem.objects.for_user(user, MANAGE_ITEM)
        .select_related("current_version", "organisation")
        .order_by("implementation_code")
    )
    if query:
        items = items.filter(
            Q(implementation_code__icontains=query) | Q(current_version__name__icontains=query)
        )
    return items


def item_detail(user, pk: int) -> ServiceItem:
    return ServiceItem.objects.select_related("current_version", "organisation").get_for_user(
        user, MANAGE_ITEM, pk=pk
    )
