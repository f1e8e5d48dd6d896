"""Permission-matrix rows of every supervision route.

The cast's working role holds every supervision permission with scope OWN_ORGANISATION;
the 三员 hold none. Object routes use a primary key that does not exist: a holder of the
permission gets 404, everyone else is refused first (scope on real objects is tested in
test_scope.py).
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
STAFF_PAGE = {**PAGE_DENIED, "staff_same_org": 200, "staff_other_org": 200}
STAFF_404 = {**PAGE_DENIED, "staff_same_org": 404, "staff_other_org": 404}
STAFF_400 = {**PAGE_DENIED, "staff_same_org": 400, "staff_other_org": 400}
EVERYONE_200 = dict.fromkeys(PAGE_DENIED, 200)
MISSING = 999999

ROWS = [
    {"name": "supervision:dashboard", "kwargs": {}, "method": "get", "expect": STAFF_PAGE},
    {
        "name": "supervision:dashboard",
        "kwargs": {},
        "method": "get",
        "query": {"division": "510300"},
        "expect": STAFF_404,
    },
    {
        "name": "supervision:task_list",
        "kwargs": {"status": "red"},
        "method": "get",
        "expect": STAFF_PAGE,
    },
    {
        "name": "supervision:task_list",
        "kwargs": {"status": "finished"},
        "method": "get",
        "expect": STAFF_404,
    },
    {"name": "supervision:warning_list", "kwargs": {}, "method": "get", "expect": STAFF_PAGE},
    {"name": "supervision:urge", "kwargs": {}, "method": "post", "expect": STAFF_400},
    {
        "name": "supervision:urge",
        "kwargs": {},
        "method": "post",
        "data": {"task_type": "timedtest.errand", "task_id": MISSING, "level": "urge"},
        "expect": STAFF_404,
    },
    {
        "name": "supervision:rectification_list",
        "kwargs": {},
        "method": "get",
        "expect": STAFF_PAGE,
    },
    {
        "name": "supervision:rectification_detail",
        "kwargs": {"pk": MISSING},
        "method": "get",
        "expect": STAFF_404,
    },
    {
        "name": "supervision:rectification_answer",
        "kwargs": {"pk": MISSING},
        "method": "post",
        "data": {"answer": "已整改"},
        "expect": STAFF_404,
    },
    {
        "name": "supervision:rectification_appeal",
        "kwargs": {"pk": MISSING},
        "method": "post",
        "data": {"reason": "评价与事实不符"},
        "expect": STAFF_404,
    },
    {"name": "supervision:appeal_list", "kwargs": {}, "method": "get", "expect": STAFF_PAGE},
    {
        "name": "supervision:appeal_review",
        "kwargs": {"pk": MISSING},
        "method": "post",
        "data": {"decision": "upheld", "comment": "成立"},
        "expect": STAFF_404,
    },
    {"name": "supervision:performance", "kwargs": {}, "method": "get", "expect": STAFF_PAGE},
    {
        "name": "supervision:performance_export",
        "kwargs": {},
        "method": "get",
        "expect": STAFF_PAGE,
    },
    {"name": "supervision:public_ratings", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
]
