"""Reads of the hotline configuration (热线配置), scoped to the caller's place.

Subjects (诉求分类) are one catalogue for the installation — they are the Open311
services — so every holder of ``hotline.manage_hotline`` reads and edits them. Dispatch
rules and mailboxes belong to a place: with the ALL scope one manages every place; with
any narrower scope, only the divisions under one's own organisation's division (a city
centre configures its city and its counties, not its neighbours). A rule that applies
everywhere (no division) is ALL-scope only. Out-of-scope rows are a 404.
"""

from django.http import Http404

from tongzheng.core.access import DataScope, scope_for
from tongzheng.hotline.models import DispatchRule, MailBox

MANAGE = "hotline.manage_hotline"


def managed_prefix(user) -> str | None:
    """The division path under which ``user`` configures (None: everywhere)."""
    if user is None or scope_for(user, MANAGE) == DataScope.ALL:
        return None
    organisation = getattr(user, "organisation", None)
    # No organisation: nowhere (division paths start with a digit).
    return organisation.division_path if organisation else "-"


def may_configure(user, division) -> bool:
    """May ``user`` put a rule or a mailbox at ``division`` (None: everywhere)?"""
    prefix = managed_prefix(user)
    if prefix is None:
        return True
    return division is not None and division.path.startswith(prefix)


def managed_rules(user):
    rules = DispatchRule.objects.select_related("subject", "division", "organisation")
    prefix = managed_prefix(user)
    if prefix is not None:
        rules = rules.filter(division__isnull=False, division_path__startswith=prefix)
    return rules.order_by("subject__order", "subject__code", "division_path")


def managed_mailboxes(user):
    mailboxes = MailBox.objects.select_related("organisation", "division")
    prefix = managed_prefix(user)
    if prefix is not None:
        mailboxes = mailboxes.filter(division__path__startswith=prefix)
    return mailboxes


def managed_rule(user, pk: int) -> DispatchRule:
    rule = managed_rules(user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def managed_mailbox(user, pk: int) -> MailBox:
    mailbox = managed_mailboxes(user).filter(pk=pk).first()
    if mailbox is None:
        raise Http404
    return mailbox
