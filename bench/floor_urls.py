"""URLs for ``bench/floor_profile.py``: the status benchmark's URLs plus a bare staff view.

``/bench/floor/staff/`` is the staff request floor with nothing of a page: signed in,
second factor checked, the security policy, the role scopes read once (as every
workbench page does through the navigation and its scoped queries), a plain-text answer.
``/bench/floor/shell/`` adds the workbench shell around an empty page. Benchmark only,
never routed in the product.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from services_status_urls import urlpatterns as status_urlpatterns

from tongzheng.accounts.middleware import staff_only
from tongzheng.core.access import permissions_of


@staff_only
def bare_staff(request):
    return HttpResponse(
        f"{request.user.organisation_id} {len(permissions_of(request.user))}",
        content_type="text/plain; charset=utf-8",
    )


_EMPTY_PAGE = engines["django"].from_string('{% extends "workbench_base.html" %}')


@staff_only
def staff_shell(request):
    """The workbench shell (navigation bar, user menu, footer) around an empty page."""
    return HttpResponse(_EMPTY_PAGE.render({}, request))


urlpatterns = [
    path("bench/floor/staff/", bare_staff, name="bench_floor_staff"),
    path("bench/floor/shell/", staff_shell, name="bench_floor_shell"),
    *status_urlpatterns,
]
