"""办件状态通知 — what the applicant is told when their application moves.

One way to notify: ``services.actions._append_event`` calls ``tell_applicant`` for every
event it appends, inside the action's transaction and next to the audit record, as
docs/timed-tasks.md asks of every module. The outbox rows
(``tongzheng.core.notifications.notify``) therefore commit or roll back with the event
and are delivered on commit, through the channels of ``SERVICES_NOTIFY_CHANNELS`` (site
message and e-mail by default; "sms" once a provider is configured).

The applicant hears of each change of status exactly once, whoever made it (their own
submission and 补正 resubmission included), and of a 延长办理期限, which the law says must
be told with its reason (行政许可法 第四十二条). A department's opinion that leaves the
status where it was (one of several parallel departments) tells nobody: the applicant
hears when the stage's outcome moves the application.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzheng.core.notifications import notify

#: Channels of the applicant's messages; a deployment with an SMS provider adds "sms"
#: (``SERVICES_NOTIFY_CHANNELS``; the provider is core.notifications' SMS channel).
DEFAULT_CHANNELS = ("site", "email")

#: Events the applicant hears of although the status stays where it was.
ANNOUNCED_WITHOUT_MOVE = frozenset({"extend_limit"})


def announces(event) -> bool:
    """True when the applicant is told of ``event``."""
    return event.from_status != event.to_status or event.action in ANNOUNCED_WITHOUT_MOVE


def _next_step(status: str) -> str:
    from tongzheng.services.models import ApplicationStatus as S

    return {
        S.SUBMITTED: _("等待受理，受理部门将在 5 个工作日内作出受理决定或一次性告知需补正的材料。"),
        S.REVIEWING: _("材料已转审查部门，请留意后续通知。"),
        S.DECIDING: _("审查已完成，等待作出决定。"),
    }.get(status, "")


def _note(event) -> str:
    # The applicant reads the notes their status page shows them (reasons, what to
    # supplement, the licence number) and the reason of an extension; a department's
    # internal opinion stays inside.
    from tongzheng.services.public import APPLICANT_NOTES

    if event.action in APPLICANT_NOTES or event.action in ANNOUNCED_WITHOUT_MOVE:
        return event.note
    return ""


def tell_applicant(application, event) -> None:
    """Write the applicant's message about ``event`` into the outbox (or nothing)."""
    if not announces(event):
        return
    from tongzheng.services.models import ApplicationStatus

    if event.action == "submit":
        subject = _("办件 %(number)s 已提交") % {"number": application.number}
    elif event.action == "extend_limit":
        subject = _("您的办件 %(number)s 办理期限已延长") % {"number": application.number}
    else:
        subject = _("您的办件 %(number)s 状态已更新") % {"number": application.number}
    detail = " ".join(part for part in (_note(event), _next_step(event.to_status)) if part)
    body = _("您的办件 %(number)s（%(item)s）当前状态：%(status)s。%(next)s") % {
        "number": application.number,
        "item": application.version.name,
        "status": ApplicationStatus(event.to_status).label,
        "next": detail,
    }
    body += "\n" + _("查看办件：%(path)s") % {
        "path": reverse("services:public_application", args=[application.number])
    }
    notify(
        recipient=application.applicant,
        subject=subject,
        body=body,
        channels=getattr(settings, "SERVICES_NOTIFY_CHANNELS", DEFAULT_CHANNELS),
        about=application,
    )
