"""Permission-matrix rows of 热线统计: hotline.view_statistics, scoped to the caller.

The cast's working role holds hotline.view_statistics with scope OWN_ORGANISATION, so both
staff personas get their own (empty) statistics; citizens and the 三员 do not hold it.
"""

DENIED = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 403,
    "staff_same_org": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
STAFF_200 = {**DENIED, "staff_same_org": 200, "staff_other_org": 200}
STAFF_400 = {**DENIED, "staff_same_org": 400, "staff_other_org": 400}
# A POST is refused as a method before any permission check (citizens are stopped earlier,
# by the middleware that keeps public accounts out of the workbench).
NOT_ALLOWED = {"anonymous": 302, "citizen": 403, **{p: 405 for p in list(DENIED)[2:]}}

ROWS = [
    {"name": "hotline:statistics", "kwargs": {}, "method": "get", "expect": STAFF_200},
    {
        "name": "hotline:statistics",
        "kwargs": {},
        "method": "get",
        "query": {"start": "2026-02-01", "end": "2026-01-01"},
        "expect": STAFF_400,
    },
    {
        "name": "hotline:statistics",
        "kwargs": {},
        "method": "post",
        "expect": NOT_ALLOWED,
    },
    {"name": "hotline:statistics_export", "kwargs": {}, "method": "get", "expect": STAFF_200},
]
