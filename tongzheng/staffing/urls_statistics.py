from django.urls import path

from tongzheng.staffing import views_statistics as views

app_name = "staffing_statistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("divisions/<str:code>/", views.division, name="division"),
    path("divisions/<str:code>/dashboard/", views.dashboard, name="dashboard"),
    path("divisions/<str:code>/data.json", views.division_data, name="division_data"),
    path("divisions/<str:code>/export.xlsx", views.division_export, name="division_export"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/export.xlsx", views.unit_export, name="unit_export"),
    path("supervision/", views.supervision_page, name="supervision"),
]
