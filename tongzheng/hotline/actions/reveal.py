"""查看完整号码: the lead department calls the reporter back.

A handling department sees the reporter's phone masked. The department leading a ticket
(主办单位) may see it in full, once, with a stated reason, through the platform's audited
``core.actions.reveal_personal_data`` with the hotline's own permission
``hotline.reveal_reporter_phone``, whose OWN_ORGANISATION scope covers exactly the tickets
the department leads (``Ticket.organisation``). The general ``core.reveal_personal_data``
is not used: permissions combine across roles, and it would open staff ID numbers too.

What the core action cannot know is checked here first, on a fresh read of the ticket
(the caller's copy may be redacted):

- 保密: when the reporter asked for confidentiality only the centre (``hotline.view_reporter``)
  knows who they are; everyone else is refused (``PermissionDenied``) and the attempt is
  audited as denied;
- an assisting department (协办) answers the lead, not the citizen: refused;
- an anonymous ticket, or one without a phone: nothing to reveal (``ValidationError``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tongzheng.audit.actions import record_event
from tongzheng.audit.models import Outcome
from tongzheng.core.actions import reveal_personal_data
from tongzheng.hotline.models import Assignment, AssignmentRole, Ticket
from tongzheng.hotline.queries import may_see_reporter

FIELD = "reporter_phone"
REVEAL_REPORTER_PHONE = "hotline.reveal_reporter_phone"


def reveal_reporter_phone(*, actor, assignment: Assignment, reason: str, request=None) -> str:
    """The reporter's full phone for the lead department of ``assignment``, audited.

    The caller has already found ``assignment`` among the actor's active ones
    (``queries.assignment_for``); the core action checks the permission, the reason and
    the scope again and writes the one audit record (never the number).
    """
    ticket = Ticket.objects.get(pk=assignment.ticket_id)
    if not may_see_reporter(actor, ticket):
        record_event(
            actor=actor,
            action="personal_data.revealed",
            target=ticket,
            outcome=Outcome.DENIED,
            request=request,
            detail={"field": FIELD, "refused": "confidential"},
        )
        raise PermissionDenied(_("反映人要求保密，身份信息仅热线中心可见，不能查看完整号码。"))
    if assignment.role != AssignmentRole.LEAD:
        raise PermissionDenied(_("只有主办单位可以查看反映人的完整号码。"))
    if ticket.anonymous or not ticket.reporter_phone:
        raise ValidationError(_("反映人没有留下联系电话。"), code="no_phone")
    return reveal_personal_data(
        actor=actor,
        target=ticket,
        field_name=FIELD,
        reason=reason,
        request=request,
        permission=REVEAL_REPORTER_PHONE,
    )
