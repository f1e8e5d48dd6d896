"""Permission-matrix rows of the 政务服务 staff pages and /api/services/.

The cast's working role holds every services permission with scope OWN_ORGANISATION. The
cast has no application or item, so object routes name a number / pk that does not exist:
a holder of the permission gets 404 (nothing in scope), everyone else is stopped earlier.
tests/test_permissions.py checks the same routes with real objects (same organisation
200, another organisation 404).
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
DENIED = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 403,
    "staff_same_org": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
PAGE = {**DENIED, "staff_same_org": 200, "staff_other_org": 200}
BAD_FORM = {**DENIED, "staff_same_org": 400, "staff_other_org": 400}
MISSING = {**DENIED, "staff_same_org": 404, "staff_other_org": 404}

API_DENIED = {**DENIED, "anonymous": 401}
API_LIST = {**API_DENIED, "staff_same_org": 200, "staff_other_org": 200}
API_MISSING = {**API_DENIED, "staff_same_org": 404, "staff_other_org": 404}

NO_APPLICATION = {"number": "SQ000000000000000000"}
ACTIONS = (
    "accept",
    "refuse_acceptance",
    "request_supplement",
    "start_special",
    "end_special",
    "decide",
    "extend_limit",
    "issue_result",
    "close",
)

ROWS = [
    {"name": "services:inbox", "kwargs": {}, "method": "get", "expect": PAGE},
    {
        "name": "services:application_detail",
        "kwargs": NO_APPLICATION,
        "method": "get",
        "expect": MISSING,
    },
    *[
        {
            "name": "services:application_action",
            "kwargs": {**NO_APPLICATION, "action": action},
            "method": "post",
            "expect": MISSING,
        }
        for action in ACTIONS
    ],
    {"name": "services:task_decide", "kwargs": {"pk": 0}, "method": "post", "expect": MISSING},
    {"name": "services:item_list", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "services:item_create", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "services:item_create", "kwargs": {}, "method": "post", "expect": BAD_FORM},
    {"name": "services:item_export", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "services:item_import", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "services:item_import", "kwargs": {}, "method": "post", "expect": BAD_FORM},
    {"name": "services:item_detail", "kwargs": {"pk": 0}, "method": "get", "expect": MISSING},
    {"name": "services:item_edit", "kwargs": {"pk": 0}, "method": "get", "expect": MISSING},
    {"name": "services:item_edit", "kwargs": {"pk": 0}, "method": "post", "expect": MISSING},
]

API_NUMBER = {"number": "SQ000000000000000000"}
API_WRITES = [
    ("api:services_accept", {}),
    ("api:services_refuse_acceptance", {"reason": "材料不符合法定形式"}),
    ("api:services_request_supplement", {"other_items": "身份证明"}),
    ("api:services_start_special_procedure", {"kind": "hearing", "reason": "申请听证"}),
    ("api:services_end_special_procedure", {"outcome": ""}),
    ("api:services_decide", {"approve": True, "reason": ""}),
    ("api:services_extend_limit", {"working_days": 5, "reason": "经负责人批准"}),
    ("api:services_issue_result", {"licence_number": "建字第1号"}),
    ("api:services_close", {}),
]

ROWS += [
    {"name": "api:services_list_tasks", "kwargs": {}, "method": "get", "expect": API_LIST},
    {
        "name": "api:services_get_application",
        "kwargs": API_NUMBER,
        "method": "get",
        "expect": API_MISSING,
    },
    {
        "name": "api:services_list_events",
        "kwargs": API_NUMBER,
        "method": "get",
        "expect": API_MISSING,
    },
    *[
        {"name": name, "kwargs": API_NUMBER, "method": "post", "data": data, "expect": API_MISSING}
        for name, data in API_WRITES
    ],
    {
        "name": "api:services_decide_task",
        "kwargs": {"task_id": 0},
        "method": "post",
        "data": {"approve": True},
        "expect": API_MISSING,
    },
    {"name": "api:services_list_items", "kwargs": {}, "method": "get", "expect": API_LIST},
    {"name": "api:services_export_items", "kwargs": {}, "method": "get", "expect": API_LIST},
    {
        "name": "api:services_import_items",
        "kwargs": {},
        "method": "post",
        "data": {"format": "other"},
        "expect": {**API_DENIED, "staff_same_org": 422, "staff_other_org": 422},
    },
]
