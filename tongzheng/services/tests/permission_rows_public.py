"""Permission-matrix rows of the public 政务服务 pages (views_public).

Guides, the power list and the status lookup are open to everyone. The application pages
belong to a signed-in citizen or enterprise: anonymous visitors are sent to the login
page, staff accounts get 403, and a citizen asking for an item or application that is not
theirs (the cast has none) gets 404. test_public_pages.py checks the same routes with
real objects (own application 200, someone else's 404).
"""

PERSONAS = (
    "anonymous",
    "citizen",
    "staff_other_org",
    "staff_same_org",
    "system_admin",
    "security_admin",
    "audit_admin",
)
EVERYONE_200 = dict.fromkeys(PERSONAS, 200)
EVERYONE_400 = dict.fromkeys(PERSONAS, 400)
EVERYONE_404 = dict.fromkeys(PERSONAS, 404)
APPLICANT_ONLY = {**dict.fromkeys(PERSONAS, 403), "anonymous": 302}
APPLICANT_PAGE = {**APPLICANT_ONLY, "citizen": 200}
APPLICANT_MISSING = {**APPLICANT_ONLY, "citizen": 404}

NO_ITEM = {"pk": 0}
NO_APPLICATION = {"number": "SQ000000000000000000"}
APPLICATION_ROUTES = (
    ("services:public_application", ("get",), {}),
    ("services:public_details", ("get", "post"), {"part": "applicant"}),
    ("services:public_materials", ("get", "post"), {}),
    ("services:public_check", ("get", "post"), {}),
    ("services:public_supplement", ("get", "post"), {}),
    ("services:public_rate", ("post",), {}),
    ("services:public_result", ("get",), {}),
)

ROWS = [
    {"name": "services:public_guides", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    {
        "name": "services:public_guides",
        "kwargs": {},
        "method": "get",
        "query": {"q": "建设工程 许可", "type": "01", "department": "1"},
        "expect": EVERYONE_200,
    },
    {"name": "services:public_powers", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    {"name": "services:public_guide", "kwargs": NO_ITEM, "method": "get", "expect": EVERYONE_404},
    {
        "name": "services:public_material_file",
        "kwargs": {"pk": 0, "material_pk": 0, "kind": "blank"},
        "method": "get",
        "expect": EVERYONE_404,
    },
    {
        "name": "services:public_apply",
        "kwargs": NO_ITEM,
        "method": "get",
        "expect": APPLICANT_MISSING,
    },
    {
        "name": "services:public_apply",
        "kwargs": NO_ITEM,
        "method": "post",
        "expect": APPLICANT_MISSING,
    },
    {"name": "services:public_mine", "kwargs": {}, "method": "get", "expect": APPLICANT_PAGE},
    {"name": "services:public_status", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    {"name": "services:public_status", "kwargs": {}, "method": "post", "expect": EVERYONE_400},
    {
        "name": "services:public_status_result",
        "kwargs": {},
        "method": "post",
        "expect": EVERYONE_400,
    },
    *[
        {
            "name": name,
            "kwargs": {**NO_APPLICATION, **extra},
            "method": method,
            "expect": APPLICANT_MISSING,
        }
        for name, methods, extra in APPLICATION_ROUTES
        for method in methods
    ],
]
