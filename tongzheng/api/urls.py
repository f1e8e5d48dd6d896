"""/api/: the operations and the schema authenticate themselves (session or token, answering
401 as JSON), so the login redirect is switched off for them; the HTML documentation keeps it."""

from django.urls import path

from tongzheng.api.api import api

BEHIND_LOGIN = {"openapi-view"}  # Swagger UI, for people in a browser

ninja_urls = api.urls  # (patterns, "ninja", "api"); never name a module global app_name here
for pattern in ninja_urls[0]:
    if pattern.name not in BEHIND_LOGIN:
        pattern.callback.login_required = False

urlpatterns = [path("", ninja_urls)]
