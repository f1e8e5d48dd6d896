from django.urls import path

from tongzheng.staffing import views_approvals, views_personnel, views_units

app_name = "staffing"
urlpatterns = [
    path("units/", views_units.unit_list, name="unit_list"),
    path("units/<int:pk>/", views_units.unit_detail, name="unit_detail"),
    path("units/<int:pk>/quota/", views_units.quota_change, name="quota_change"),
    path("units/<int:pk>/posts/", views_units.post_change, name="post_change"),
    path("units/<int:pk>/profile/", views_units.profile_edit, name="profile_edit"),
    path("units/<int:pk>/history/", views_units.history_add, name="history_add"),
    path("units/<int:pk>/enter/", views_personnel.person_enter, name="person_enter"),
    path("personnel/", views_personnel.person_list, name="person_list"),
    path("personnel/<int:pk>/", views_personnel.person_detail, name="person_detail"),
    path("personnel/<int:pk>/reveal/", views_personnel.person_reveal, name="person_reveal"),
    path("personnel/<int:pk>/edit/", views_personnel.person_edit, name="person_edit"),
    path("personnel/<int:pk>/leave/", views_personnel.person_leave, name="person_leave"),
    path("personnel/<int:pk>/transfer/", views_personnel.person_transfer, name="person_transfer"),
    path("personnel/<int:pk>/promote/", views_personnel.person_promote, name="person_promote"),
    path("applications/", views_approvals.application_list, name="application_list"),
    path("applications/new/", views_approvals.application_create, name="application_create"),
    path("applications/<int:pk>/", views_approvals.application_detail, name="application_detail"),
    path(
        "applications/<int:pk>/approve/",
        views_approvals.application_approve,
        name="application_approve",
    ),
    path(
        "applications/<int:pk>/refuse/",
        views_approvals.application_refuse,
        name="application_refuse",
    ),
    path("notices/<int:pk>/", views_approvals.notice_detail, name="notice_detail"),
]
