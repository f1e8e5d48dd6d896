"""Permission-matrix rows for the workbench: every signed-in staff user; citizens get 403."""

STAFF = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 200,
    "security_admin": 200,
    "audit_admin": 200,
}

ROWS = [
    {"name": "workbench:home", "kwargs": {}, "method": "get", "expect": STAFF},
]
