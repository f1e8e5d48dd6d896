"""Workbench (工作台) views: thin, reading through queries."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongzheng.workbench.context import is_staff_user
from tongzheng.workbench.queries import inbox_for


def home(request):
    """工作台首页: who I am, my organisation and roles, and my inbox (待办)."""
    user = request.user
    if not is_staff_user(user):
        raise PermissionDenied(_("工作台仅供工作人员使用。"))
    return render(
        request,
        "workbench/home.html",
        {
            "organisation": user.organisation,
            "roles": list(user.roles.all()),
            "inbox": inbox_for(user),
        },
    )
