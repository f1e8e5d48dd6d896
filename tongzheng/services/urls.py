from django.urls import path

from tongzheng.services import views, views_public

app_name = "services"

# Staff pages under /workbench/services/; the public pages are added by the portal work.
urlpatterns = [
    path("workbench/services/", views.inbox, name="inbox"),
    path(
        "workbench/services/applications/<str:number>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "workbench/services/applications/<str:number>/<slug:action>/",
        views.application_action,
        name="application_action",
    ),
    path("workbench/services/tasks/<int:pk>/decide/", views.task_decide, name="task_decide"),
    path("workbench/services/items/", views.item_list, name="item_list"),
    path("workbench/services/items/new/", views.item_edit, name="item_create"),
    path("workbench/services/items/export/", views.item_export, name="item_export"),
    path("workbench/services/items/import/", views.item_import, name="item_import"),
    path("workbench/services/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("workbench/services/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
]
urlpatterns += views_public.urlpatterns
