"""Permission-matrix rows of the 实名制公示 pages.

The cast's working role holds staffing.submit_disclosure and staffing.review_disclosure
with scope OWN_ORGANISATION. The cast has no disclosure, so the detail and review routes
use a missing id (404 for holders of the permission, 403 without it); the public page of
org A is 404 because nothing is published; the public list is open to everyone.
"""

EVERYONE = dict.fromkeys(
    [
        "anonymous",
        "citizen",
        "staff_other_org",
        "staff_same_org",
        "system_admin",
        "security_admin",
        "audit_admin",
    ],
    200,
)
STAFF_PAGE = {
    **EVERYONE,
    "anonymous": 302,
    "citizen": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
MISSING = {**STAFF_PAGE, "staff_same_org": 404, "staff_other_org": 404}
SUBMIT_ORG_A = {**STAFF_PAGE, "staff_same_org": 302, "staff_other_org": 404}
NO_SUCH_ID = 987654321

ROWS = [
    {"name": "staffing_disclosure:list", "kwargs": {}, "method": "get", "expect": STAFF_PAGE},
    {
        "name": "staffing_disclosure:submit",
        "kwargs": {},
        "method": "post",
        "data": {"organisation": "org_a.pk"},
        "expect": SUBMIT_ORG_A,
    },
    {
        "name": "staffing_disclosure:detail",
        "kwargs": {"pk": NO_SUCH_ID},
        "method": "get",
        "expect": MISSING,
    },
    {
        "name": "staffing_disclosure:publish",
        "kwargs": {"pk": NO_SUCH_ID},
        "method": "post",
        "expect": MISSING,
    },
    {
        "name": "staffing_disclosure:return",
        "kwargs": {"pk": NO_SUCH_ID},
        "method": "post",
        "data": {"reasons": "不全"},
        "expect": MISSING,
    },
    {
        "name": "staffing_disclosure:withdraw",
        "kwargs": {"pk": NO_SUCH_ID},
        "method": "post",
        "expect": MISSING,
    },
    {"name": "staffing_disclosure:public_list", "kwargs": {}, "method": "get", "expect": EVERYONE},
    {
        "name": "staffing_disclosure:public_list",
        "kwargs": {},
        "method": "get",
        "query": {"q": "局"},
        "expect": EVERYONE,
    },
    {
        "name": "staffing_disclosure:public_unit",
        "kwargs": {"organisation_id": "org_a.pk"},
        "method": "get",
        "expect": dict.fromkeys(EVERYONE, 404),
    },
]
