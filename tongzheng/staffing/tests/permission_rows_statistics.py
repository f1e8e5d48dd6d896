"""Permission-matrix rows of the statistics pages and /api/staffing-statistics/.

The cast's working role holds staffing.view_statistics with scope OWN_ORGANISATION: its
holders see their own unit's statistics only; every division is a 404 for them. The 三员
hold no staffing permission.
"""

PAGE_DENIED = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 403,
    "staff_same_org": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
OWN_UNIT_PAGE = {**PAGE_DENIED, "staff_same_org": 200, "staff_other_org": 404}
DIVISION_PAGE = {**PAGE_DENIED, "staff_same_org": 404, "staff_other_org": 404}
INDEX_PAGE = {**PAGE_DENIED, "staff_same_org": 302, "staff_other_org": 302}

SUPERVISION_PAGE = {**PAGE_DENIED, "staff_same_org": 200, "staff_other_org": 200}

API_DENIED = {**{key: 403 for key in PAGE_DENIED}, "anonymous": 401}
API_OWN_UNIT = {**API_DENIED, "staff_same_org": 200, "staff_other_org": 404}
API_DIVISION = {**API_DENIED, "staff_same_org": 404, "staff_other_org": 404}

ROWS = [
    {"name": "staffing_statistics:index", "kwargs": {}, "method": "get", "expect": INDEX_PAGE},
    {
        "name": "staffing_statistics:division",
        "kwargs": {"code": "city.code"},
        "method": "get",
        "expect": DIVISION_PAGE,
    },
    {
        "name": "staffing_statistics:dashboard",
        "kwargs": {"code": "city.code"},
        "method": "get",
        "expect": DIVISION_PAGE,
    },
    {
        "name": "staffing_statistics:division_data",
        "kwargs": {"code": "city.code"},
        "method": "get",
        "expect": DIVISION_PAGE,
    },
    {
        "name": "staffing_statistics:division_export",
        "kwargs": {"code": "city.code"},
        "method": "get",
        "expect": DIVISION_PAGE,
    },
    {
        "name": "staffing_statistics:unit",
        "kwargs": {"pk": "org_a.pk"},
        "method": "get",
        "expect": OWN_UNIT_PAGE,
    },
    {
        "name": "staffing_statistics:unit_export",
        "kwargs": {"pk": "org_a.pk"},
        "method": "get",
        "expect": OWN_UNIT_PAGE,
    },
    {
        "name": "staffing_statistics:supervision",
        "kwargs": {},
        "method": "get",
        "expect": SUPERVISION_PAGE,
    },
    {
        "name": "api:staffing-statistics_division_statistics",
        "kwargs": {"code": "city.code"},
        "method": "get",
        "expect": API_DIVISION,
    },
    {
        "name": "api:staffing-statistics_unit_statistics",
        "kwargs": {"unit_id": "org_a.pk"},
        "method": "get",
        "expect": API_OWN_UNIT,
    },
]
