"""Permission-matrix rows for the public portal and the language switch: open to everyone."""

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

ROWS = [
    {"name": "portal:home", "kwargs": {}, "method": "get", "expect": EVERYONE},
    {"name": "portal:about", "kwargs": {}, "method": "get", "expect": EVERYONE},
    # Django's set_language (mounted in tongzheng/urls.py): sets the cookie, redirects back.
    {
        "name": "set_language",
        "kwargs": {},
        "method": "post",
        "expect": dict.fromkeys(EVERYONE, 302),
    },
]
