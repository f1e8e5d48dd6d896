from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("tongzheng.portal.urls")),
    path("accounts/", include("tongzheng.accounts.urls")),
    path("workbench/core/", include("tongzheng.core.urls")),
    path("workbench/organisations/", include("tongzheng.core.urls_organisations")),
    path("workbench/audit/", include("tongzheng.audit.urls")),
    path("workbench/staffing/statistics/", include("tongzheng.staffing.urls_statistics")),
    path("workbench/staffing/import/", include("tongzheng.staffing.urls_import")),
    # Before the other includes without a prefix, each of which costs all its patterns on
    # every request that resolves after it: the public status lookup (办件查询) is a hot
    # path. Every route here starts with "services/" or "workbench/services/", which no
    # other include matches, so the order changes no route's meaning.
    path("", include("tongzheng.services.urls")),
    path("", include("tongzheng.staffing.urls_disclosure")),  # 实名制公示: workbench and portal
    path("workbench/staffing/", include("tongzheng.staffing.urls")),
    # Hotline: public pages under /hotline/, staff pages under /workbench/hotline/, and
    # the Open311 GeoReport v2 API under /open311/.
    path("", include("tongzheng.hotline.urls")),
    path("", include("tongzheng.supervision.urls")),
    path("workbench/", include("tongzheng.workbench.urls")),
    path("api/", include("tongzheng.api.urls")),
    # The language switcher must work before login too (LoginRequiredMiddleware is on).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
