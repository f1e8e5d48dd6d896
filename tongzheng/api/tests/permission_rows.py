"""Permission-matrix rows of the API package's own routes: the schema and its documentation."""

DOCUMENTATION = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 200,
    "security_admin": 200,
    "audit_admin": 200,
}
NOTHING = dict.fromkeys(DOCUMENTATION, 404)

ROWS = [
    # The schema answers 401 as JSON (machine clients bring a bearer token); the HTML redirects.
    {
        "name": "api:openapi-json",
        "kwargs": {},
        "method": "get",
        "expect": {**DOCUMENTATION, "anonymous": 401},
    },
    {"name": "api:openapi-view", "kwargs": {}, "method": "get", "expect": DOCUMENTATION},
    # /api/ itself answers 404 (it exists so that ninja can reverse its root).
    {"name": "api:api-root", "kwargs": {}, "method": "get", "expect": NOTHING},
]
