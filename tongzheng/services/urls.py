from django.urls import path

from tongzheng.services import views, views_public

app_name = "services"

# The public pages (under /services/, views_public) first: Django tries the patterns in
# order on every request, and the status lookup (办件查询) is the public hot path (issue 4):
# ten staff patterns fewer to try before it. The staff pages (under /workbench/services/)
# follow; no pattern of one matches a path of the other, so the order changes no route.
urlpatterns = views_public.urlpatterns + [
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
