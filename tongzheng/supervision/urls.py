from django.urls import path  # noqa: F401

app_name = "supervision"

# Public pages and staff pages (under /workbench/supervision/) of this app.
urlpatterns = []
