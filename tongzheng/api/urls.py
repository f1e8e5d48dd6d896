"""/api/: the operations authenticate themselves (session or token, answering 401 as JSON),
so the login redirect is switched off for them; the documentation keeps it."""

from django.urls import path

from tongzheng.api.api import api

DOCUMENTATION = {"openapi-json", "openapi-view"}

ninja_urls = api.urls  # (patterns, "ninja", "api"); never name a module global app_name here
for pattern in ninja_urls[0]:
    if pattern.name not in DOCUMENTATION:
        pattern.callback.login_required = False

urlpatterns = [path("", ninja_urls)]
