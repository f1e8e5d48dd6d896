"""Reads for the workbench: the task inbox (待办) across every registered timed-task model.

The workbench never names a module. Every model registered through
``platform.add_timed_task_model`` mixes in ``tongzheng.core.timed.TimedTask`` and offers
``inbox_for_user(user)`` (the user's open tasks, already scoped);
``tongzheng.core.timed.open_tasks_for`` merges them, earliest deadline first.
"""

from dataclasses import dataclass, field

from tongzheng.core.timed import InboxRow, open_tasks_for
from tongzheng.workbench.context import is_staff_user

INBOX_LIMIT = 50


@dataclass
class Inbox:
    rows: list[InboxRow] = field(default_factory=list)
    more: bool = False  # True when more open tasks exist than are listed


def inbox_for(user, *, limit: int = INBOX_LIMIT) -> Inbox:
    """The signed-in staff user's open tasks; citizens and anonymous users have none."""
    if not is_staff_user(user):
        return Inbox()
    rows = open_tasks_for(user, limit=limit + 1)
    return Inbox(rows=rows[:limit], more=len(rows) > limit)
