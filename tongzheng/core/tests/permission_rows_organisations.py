"""Permission-matrix rows of the organisation pages and the /api/core/ operations.

The cast's working role holds core.view_organisation with scope OWN_ORGANISATION;
core.manage_organisation belongs to the system administrator's family: the built-in
系统管理员 role (scope ALL) alone creates and edits organisations.
"""

STAFF_ONLY_PAGE = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 403,
    "staff_same_org": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
VIEWERS = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 200,
    "security_admin": 403,
    "audit_admin": 403,
}
ORG_A_PAGE = {**VIEWERS, "staff_other_org": 404}
ORG_A_CHILD_PAGE = {**VIEWERS, "staff_other_org": 404, "staff_same_org": 404}

API_ANY_STAFF = {
    "anonymous": 401,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 200,
    "security_admin": 200,
    "audit_admin": 200,
}
API_VIEWERS = {**API_ANY_STAFF, "security_admin": 403, "audit_admin": 403}
API_MANAGERS = {key: (401 if key == "anonymous" else 403) for key in API_ANY_STAFF}
MANAGER_PAGE = {**STAFF_ONLY_PAGE, "system_admin": 200}
# An empty form or body is bad input: 400 on a page, 422 on the API, and nothing written.
MANAGER_PAGE_EMPTY_POST = {**STAFF_ONLY_PAGE, "system_admin": 400}

ROWS = [
    {"name": "organisations:list", "kwargs": {}, "method": "get", "expect": VIEWERS},
    {
        "name": "organisations:list",
        "kwargs": {},
        "method": "get",
        "query": {"division": "city.code", "q": "局"},
        "expect": VIEWERS,
    },
    {
        "name": "organisations:detail",
        "kwargs": {"pk": "org_a.pk"},
        "method": "get",
        "expect": ORG_A_PAGE,
    },
    {
        "name": "organisations:detail",
        "kwargs": {"pk": "org_a_child.pk"},
        "method": "get",
        "expect": ORG_A_CHILD_PAGE,
    },
    {"name": "organisations:create", "kwargs": {}, "method": "get", "expect": MANAGER_PAGE},
    {
        "name": "organisations:create",
        "kwargs": {},
        "method": "post",
        "expect": MANAGER_PAGE_EMPTY_POST,
    },
    {
        "name": "organisations:edit",
        "kwargs": {"pk": "org_a.pk"},
        "method": "get",
        "expect": MANAGER_PAGE,
    },
    {
        "name": "organisations:edit",
        "kwargs": {"pk": "org_a.pk"},
        "method": "post",
        "expect": MANAGER_PAGE_EMPTY_POST,
    },
    # /api/core/
    {"name": "api:core_list_divisions", "kwargs": {}, "method": "get", "expect": API_ANY_STAFF},
    {
        "name": "api:core_list_divisions",
        "kwargs": {},
        "method": "get",
        "query": {"parent": "province.code"},
        "expect": API_ANY_STAFF,
    },
    {
        "name": "api:core_get_division",
        "kwargs": {"code": "city.code"},
        "method": "get",
        "expect": API_ANY_STAFF,
    },
    {"name": "api:core_list_organisations", "kwargs": {}, "method": "get", "expect": API_VIEWERS},
    {
        "name": "api:core_get_organisation",
        "kwargs": {"organisation_id": "org_a.pk"},
        "method": "get",
        "expect": {**API_VIEWERS, "staff_other_org": 404},
    },
    {
        "name": "api:core_create_organisation",
        "kwargs": {},
        "method": "post",
        "expect": {**API_MANAGERS, "system_admin": 422},
    },
    {
        "name": "api:core_update_organisation",
        "kwargs": {"organisation_id": "org_a.pk"},
        "method": "patch",
        # An empty patch changes nothing and answers the organisation as it is.
        "expect": {**API_MANAGERS, "system_admin": 200},
    },
    {"name": "api:core_me", "kwargs": {}, "method": "get", "expect": API_ANY_STAFF},
]
