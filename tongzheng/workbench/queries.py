"""Reads for the workbench: the task inbox (待办) across every registered timed-task model.

The workbench never names a module. Each model registered through
``platform.add_timed_task_model`` may offer a classmethod ``inbox_for_user(user)`` that
returns the caller's open tasks, already scoped to what the user may see; the inbox
lists them grouped by model, the most urgent first.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise

from tongzheng.core.registry import platform
from tongzheng.workbench.context import is_staff_user

PER_MODEL_LIMIT = 20


class DeadlineState:
    OVERDUE = "overdue"
    WARNING = "warning"
    NORMAL = "normal"


@dataclass(frozen=True)
class InboxItem:
    title: str
    url: str | None
    due_at: datetime | None
    state: str


@dataclass
class InboxSection:
    label: str | Promise
    items: list[InboxItem] = field(default_factory=list)
    more: bool = False  # True when the model had more open tasks than were listed


def deadline_state(obj, now: datetime) -> str:
    due_at = getattr(obj, "due_at", None)
    warning_at = getattr(obj, "warning_at", None)
    if due_at is not None and now > due_at:
        return DeadlineState.OVERDUE
    if warning_at is not None and now >= warning_at:
        return DeadlineState.WARNING
    return DeadlineState.NORMAL


def _item(obj, now: datetime) -> InboxItem:
    get_url = getattr(obj, "get_absolute_url", None)
    return InboxItem(
        title=str(obj),
        url=get_url() if callable(get_url) else None,
        due_at=getattr(obj, "due_at", None),
        state=deadline_state(obj, now),
    )


def _sort_key(item: InboxItem):
    order = {DeadlineState.OVERDUE: 0, DeadlineState.WARNING: 1, DeadlineState.NORMAL: 2}
    return (order[item.state], item.due_at is None, item.due_at or datetime.max)


def inbox_for(user, *, limit: int = PER_MODEL_LIMIT) -> list[InboxSection]:
    """The user's open tasks, one section per model that has any (empty list: nothing to do)."""
    if not is_staff_user(user):
        return []
    now = timezone.now()
    sections = []
    for model in platform.timed_task_models:
        source = getattr(model, "inbox_for_user", None)
        if source is None:
            continue
        rows = list(source(user)[: limit + 1])
        if not rows:
            continue
        items = sorted((_item(obj, now) for obj in rows[:limit]), key=_sort_key)
        sections.append(
            InboxSection(label=model._meta.verbose_name_plural, items=items, more=len(rows) > limit)
        )
    return sections
