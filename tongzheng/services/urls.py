from django.urls import path  # noqa: F401

app_name = "services"

# Public pages and staff pages (under /workbench/services/) of this app.
urlpatterns = []
