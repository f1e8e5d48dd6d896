"""Permission-matrix rows for the public hotline pages: open to everyone, no login."""

PERSONAS = [
    "anonymous",
    "citizen",
    "staff_other_org",
    "staff_same_org",
    "system_admin",
    "security_admin",
    "audit_admin",
]
EVERYONE_200 = dict.fromkeys(PERSONAS, 200)
EVERYONE_400 = dict.fromkeys(PERSONAS, 400)

ROWS = [
    {"name": "hotline:new", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    {"name": "hotline:new", "kwargs": {}, "method": "post", "expect": EVERYONE_400},
    {"name": "hotline:track", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    {"name": "hotline:track", "kwargs": {}, "method": "post", "expect": EVERYONE_400},
    {"name": "hotline:append", "kwargs": {}, "method": "post", "expect": EVERYONE_400},
]
