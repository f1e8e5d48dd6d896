"""Permission-matrix rows of the public letters pages (信件公开): open to everyone."""

PERSONAS = [
    "anonymous",
    "citizen",
    "staff_other_org",
    "staff_same_org",
    "system_admin",
    "security_admin",
    "audit_admin",
]

ROWS = [
    {
        "name": "hotline:letters",
        "kwargs": {},
        "method": "get",
        "expect": dict.fromkeys(PERSONAS, 200),
    },
    {
        "name": "hotline:letters",
        "kwargs": {},
        "method": "get",
        "query": {"q": '噪音" OR "路灯', "page": "x"},
        "expect": dict.fromkeys(PERSONAS, 200),
    },
    {
        "name": "hotline:letters",
        "kwargs": {},
        "method": "post",
        "expect": dict.fromkeys(PERSONAS, 405),
    },
    {
        "name": "hotline:letter",
        "kwargs": {"number": "12345-20260101-000001"},
        "method": "get",
        "expect": dict.fromkeys(PERSONAS, 404),
    },
]
