"""Permission-matrix rows of the workbench message box (站内消息, core:messages).

Every signed-in staff user has their own box (no permission code); citizen and
enterprise accounts get 403 on workbench pages. The read row names a message that does
not exist: 404 for every staff user, as another user's message would be.
"""

EVERY_STAFF_USER = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 200,
    "security_admin": 200,
    "audit_admin": 200,
}

ROWS = [
    {"name": "core:messages", "kwargs": {}, "method": "get", "expect": EVERY_STAFF_USER},
    {
        "name": "core:message_read",
        "kwargs": {"pk": 999999},
        "method": "post",
        "expect": dict.fromkeys(EVERY_STAFF_USER, 404) | {"anonymous": 302, "citizen": 403},
    },
    {
        "name": "core:messages_read_all",
        "kwargs": {},
        "method": "post",
        "expect": dict.fromkeys(EVERY_STAFF_USER, 302) | {"citizen": 403},
    },
]
