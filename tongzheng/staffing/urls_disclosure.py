"""实名制公示: workbench pages under /workbench/staffing/disclosure/, public pages under
/gongshi/ (mounted at the site root by tongzheng/urls.py)."""

from django.urls import path

from tongzheng.staffing import views_disclosure as views

app_name = "staffing_disclosure"
urlpatterns = [
    path("workbench/staffing/disclosure/", views.staff_list, name="list"),
    path("workbench/staffing/disclosure/submit/", views.staff_submit, name="submit"),
    path("workbench/staffing/disclosure/<int:pk>/", views.staff_detail, name="detail"),
    path("workbench/staffing/disclosure/<int:pk>/publish/", views.staff_publish, name="publish"),
    path("workbench/staffing/disclosure/<int:pk>/return/", views.staff_return, name="return"),
    path("workbench/staffing/disclosure/<int:pk>/withdraw/", views.staff_withdraw, name="withdraw"),
    path("gongshi/", views.public_list, name="public_list"),
    path("gongshi/<int:organisation_id>/", views.public_unit, name="public_unit"),
]
