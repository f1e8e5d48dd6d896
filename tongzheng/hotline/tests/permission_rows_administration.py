"""Permission-matrix rows of the hotline configuration pages (热线配置, /workbench/hotline/admin/).

``hotline.manage_hotline`` belongs to the cast's working role, so both staff personas may
open the pages; the configuration is the whole platform's (no organisation scope), so
their answers are the same. An empty POST is a 400 with the form's messages; a missing
object is a 404 after the permission check (403 for everyone else). The 三员 hold no
hotline permission.
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
PAGE = {**DENIED, "staff_same_org": 200, "staff_other_org": 200}
BAD_POST = {**DENIED, "staff_same_org": 400, "staff_other_org": 400}
MISSING = {**DENIED, "staff_same_org": 404, "staff_other_org": 404}
NO_SUCH = {"pk": 999999}

ROWS = [
    {"name": "hotline:admin_home", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "hotline:admin_subjects", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "hotline:admin_subjects", "kwargs": {}, "method": "post", "expect": BAD_POST},
    {"name": "hotline:admin_subject_edit", "kwargs": NO_SUCH, "method": "get", "expect": MISSING},
    {"name": "hotline:admin_subject_edit", "kwargs": NO_SUCH, "method": "post", "expect": MISSING},
    {"name": "hotline:admin_rules", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "hotline:admin_rules", "kwargs": {}, "method": "post", "expect": BAD_POST},
    {"name": "hotline:admin_rule_edit", "kwargs": NO_SUCH, "method": "get", "expect": MISSING},
    {"name": "hotline:admin_rule_edit", "kwargs": NO_SUCH, "method": "post", "expect": MISSING},
    {"name": "hotline:admin_rule_delete", "kwargs": NO_SUCH, "method": "post", "expect": MISSING},
    {"name": "hotline:admin_mailboxes", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "hotline:admin_mailboxes", "kwargs": {}, "method": "post", "expect": BAD_POST},
    {"name": "hotline:admin_mailbox_edit", "kwargs": NO_SUCH, "method": "get", "expect": MISSING},
    {"name": "hotline:admin_mailbox_edit", "kwargs": NO_SUCH, "method": "post", "expect": MISSING},
    {"name": "hotline:admin_open311", "kwargs": {}, "method": "get", "expect": PAGE},
    {"name": "hotline:admin_open311", "kwargs": {}, "method": "post", "expect": BAD_POST},
    {
        "name": "hotline:admin_open311_revoke",
        "kwargs": NO_SUCH,
        "method": "post",
        "expect": MISSING,
    },
]
