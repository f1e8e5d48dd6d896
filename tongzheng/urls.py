from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("tongzheng.portal.urls")),
    # The busiest public pages first: Django tries the includes in order, and every
    # include that does not match costs its Resolver404 (~2-3 µs each, prefix or not), so
    # the status lookup (办件查询) and the hotline's public pages resolve after two
    # includes, not eight or eleven. No two includes here match the same path (services:
    # services/ and workbench/services/; hotline: hotline/, workbench/hotline/ and
    # open311/), so the order changes no route's meaning.
    path("", include("tongzheng.services.urls")),
    # Hotline: public pages under /hotline/, staff pages under /workbench/hotline/, and
    # the Open311 GeoReport v2 API under /open311/.
    path("", include("tongzheng.hotline.urls")),
    path("accounts/", include("tongzheng.accounts.urls")),
    path("workbench/core/", include("tongzheng.core.urls")),
    path("workbench/organisations/", include("tongzheng.core.urls_organisations")),
    path("workbench/audit/", include("tongzheng.audit.urls")),
    path("workbench/staffing/statistics/", include("tongzheng.staffing.urls_statistics")),
    path("workbench/staffing/import/", include("tongzheng.staffing.urls_import")),
    path("", include("tongzheng.staffing.urls_disclosure")),  # 实名制公示: workbench and portal
    path("workbench/staffing/", include("tongzheng.staffing.urls")),
    path("", include("tongzheng.supervision.urls")),
    path("workbench/", include("tongzheng.workbench.urls")),
    path("api/", include("tongzheng.api.urls")),
    # The language switcher must work before login too (LoginRequiredMiddleware is on).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
