"""The product's URLs plus ``/bench/services/status-bare/`` (benchmark only, never routed
in the product).

The bare view is the framework's ceiling for the status lookup (办件查询): the same POST
(CSRF-checked by the same middleware), the same single indexed query as
``services.public.find_application`` (it calls the same ``public.status_lookup``:
``number`` is unique, joined to its version, organisation, current stage, result and
events as plain columns, compiled once per connection) and a one-word plain-text answer:
no form, no query-code hash, no rate-limit cache reads, no template.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from tongzheng.services import public
from tongzheng.urls import urlpatterns as product_urlpatterns


@login_not_required
@require_POST
def bare_status(request):
    number = request.POST.get("number", "").strip().upper()[:32]
    application = public.status_lookup(number)
    if application is None:
        return HttpResponse(status=404)
    return HttpResponse(application.status, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/services/status-bare/", bare_status, name="bench_services_status_bare"),
    *product_urlpatterns,
]
