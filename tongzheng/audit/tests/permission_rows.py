"""Permission-matrix rows for the audit viewer: 审计管理员 (audit.view_event) alone reads it.

The detail row names an event id that does not exist, so the audit administrator's answer
is a deterministic 404 (past the permission gate; the 200 for an existing event is tested
in test_views.py); everyone else is refused before the lookup.
"""

AUDIT_ADMIN_ONLY = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 403,
    "staff_same_org": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 200,
}

ROWS = [
    {"name": "audit:event_list", "kwargs": {}, "method": "get", "expect": AUDIT_ADMIN_ONLY},
    {
        "name": "audit:event_detail",
        "kwargs": {"pk": 2_000_000_000},
        "method": "get",
        "expect": {**AUDIT_ADMIN_ONLY, "audit_admin": 404},
    },
    {"name": "audit:chain_status", "kwargs": {}, "method": "get", "expect": AUDIT_ADMIN_ONLY},
    # Runs a verification, records it and redirects to the chain status page.
    {
        "name": "audit:chain_verify",
        "kwargs": {},
        "method": "post",
        "expect": {**AUDIT_ADMIN_ONLY, "audit_admin": 302},
    },
]
