"""Excel import and export of units and personnel (/workbench/staffing/import/)."""

from django.urls import path

from tongzheng.staffing import views_import as views

app_name = "staffing_import"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template_download, name="template"),
    path("confirm/", views.confirm, name="confirm"),
    path("errors/<str:digest>.xlsx", views.errors_download, name="errors"),
    path("export.xlsx", views.export, name="export"),
]
