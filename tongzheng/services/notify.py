"""Tell the applicant of every change of their application's state (办件状态通知).

``announce`` is a ``post_save`` receiver on ``ApplicationEvent`` (connected in
``ServicesConfig.ready``). It runs inside the action's transaction, so its notification
rows (``tongzheng.core.notifications.notify``: site message and e-mail by default; SMS
through the same interface when a channel is configured) commit or roll back with the
event, and the outbox delivers them on commit.

One message per state change, never two: ``services.actions`` already writes the
applicant's notification for two kinds of event — ``submit`` (the "已提交" message) and
every staff action that moves the status (``_append_event``). The receiver covers every
other state change, today the applicant's own ``resubmit`` (补正后提交) and any action
added later that moves the status without telling the applicant.
``tests/test_notify.py`` drives a whole lifecycle and checks exactly one message per
state change, so a change on either side that drops or doubles a message fails there.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from tongzheng.core.notifications import notify

#: Channels of the receiver's messages; a deployment with an SMS provider adds "sms"
#: (``SERVICES_NOTIFY_CHANNELS``; the provider is core.notifications' SMS channel).
DEFAULT_CHANNELS = ("site", "email")

#: Events whose notification ``services.actions`` writes itself.
ANNOUNCED_BY_ACTION = frozenset({"submit"})


def announced_by_action(event) -> bool:
    """True when the action that wrote ``event`` also notified the applicant."""
    if event.action in ANNOUNCED_BY_ACTION:
        return True
    # _append_event notifies for every status change made by someone other than the
    # applicant (staff, or a system action without an actor).
    return event.actor_id != event.application.applicant_id


def _next_step(status: str) -> str:
    from tongzheng.services.models import ApplicationStatus as S

    return {
        S.SUBMITTED: _("等待受理，受理部门将在 5 个工作日内作出受理决定或一次性告知需补正的材料。"),
        S.REVIEWING: _("材料已转审查部门，请留意后续通知。"),
        S.DECIDING: _("审查已完成，等待作出决定。"),
    }.get(status, "")


def announce(sender, instance, created, raw=False, **kwargs):
    """post_save of ApplicationEvent: notify the applicant of a state change."""
    if raw or not created or instance.from_status == instance.to_status:
        return
    if announced_by_action(instance):
        return
    from tongzheng.services.models import ApplicationStatus

    application = instance.application
    # The event is written before the application's cached status moves: use the event's.
    status_label = ApplicationStatus(instance.to_status).label
    body = _("您的办件 %(number)s（%(item)s）当前状态：%(status)s。%(next)s") % {
        "number": application.number,
        "item": application.version.name,
        "status": status_label,
        "next": _next_step(instance.to_status),
    }
    body += "\n" + _("查看办件：%(path)s") % {
        "path": reverse("services:public_application", args=[application.number])
    }
    notify(
        recipient=application.applicant,
        subject=_("您的办件 %(number)s 状态已更新") % {"number": application.number},
        body=body,
        channels=getattr(settings, "SERVICES_NOTIFY_CHANNELS", DEFAULT_CHANNELS),
        about=application,
    )
