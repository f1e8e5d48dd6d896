from django.urls import path

from tongzheng.supervision import views_dashboard, views_performance, views_ratings

app_name = "supervision"

# Staff pages under /workbench/supervision/; the public ratings page under /supervision/.
urlpatterns = [
    path("workbench/supervision/", views_dashboard.dashboard, name="dashboard"),
    path(
        "workbench/supervision/tasks/<str:status>/",
        views_dashboard.task_list,
        name="task_list",
    ),
    path("workbench/supervision/warnings/", views_dashboard.warning_list, name="warning_list"),
    path("workbench/supervision/urge/", views_dashboard.urge, name="urge"),
    path(
        "workbench/supervision/rectifications/",
        views_ratings.rectification_list,
        name="rectification_list",
    ),
    path(
        "workbench/supervision/rectifications/<int:pk>/",
        views_ratings.rectification_detail,
        name="rectification_detail",
    ),
    path(
        "workbench/supervision/rectifications/<int:pk>/answer/",
        views_ratings.rectification_answer,
        name="rectification_answer",
    ),
    path(
        "workbench/supervision/rectifications/<int:pk>/appeal/",
        views_ratings.rectification_appeal,
        name="rectification_appeal",
    ),
    path("workbench/supervision/appeals/", views_ratings.appeal_list, name="appeal_list"),
    path(
        "workbench/supervision/appeals/<int:pk>/review/",
        views_ratings.appeal_review,
        name="appeal_review",
    ),
    path(
        "workbench/supervision/performance/",
        views_performance.performance_page,
        name="performance",
    ),
    path(
        "workbench/supervision/performance/export/",
        views_performance.performance_export,
        name="performance_export",
    ),
    path("supervision/ratings/", views_ratings.public_ratings, name="public_ratings"),
]
