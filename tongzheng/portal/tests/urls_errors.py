"""The real URLs plus views that fail on purpose, for the error-page tests."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from tongzheng.urls import urlpatterns as real_urlpatterns

SECRET_DETAIL = "boom-secret-detail-7f3a"


@login_not_required
def crash(request):
    raise RuntimeError(SECRET_DETAIL)


@login_not_required
def bad(request):
    raise SuspiciousOperation(SECRET_DETAIL)


@login_not_required
def forbidden(request):
    raise PermissionDenied(SECRET_DETAIL)


urlpatterns = [
    path("test-errors/crash/", crash),
    path("test-errors/bad/", bad),
    path("test-errors/forbidden/", forbidden),
    *real_urlpatterns,
]
