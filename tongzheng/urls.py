from django.urls import include, path

urlpatterns = [
    path("", include("tongzheng.portal.urls")),
    path("accounts/", include("tongzheng.accounts.urls")),
    path("workbench/", include("tongzheng.workbench.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
