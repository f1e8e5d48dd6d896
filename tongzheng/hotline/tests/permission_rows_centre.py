"""Permission-matrix rows of the hotline centre's pages (热线中心).

The cast's working role holds every hotline permission with the scope OWN_ORGANISATION;
the 三员 and citizens hold none (403); anonymous users are sent to the login page. The
cast has no ticket: a ticket page or action names a number that does not exist, which
answers 404 to whoever may use the page — as a ticket out of their scope would.
"""

PAGE = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 200,
    "staff_same_org": 200,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
}
MISSING = {**PAGE, "staff_other_org": 404, "staff_same_org": 404}
BAD_FILTER = {**PAGE, "staff_other_org": 400, "staff_same_org": 400}

NOPE = {"number": "12345-20260101-999999"}
NOPE_PK = {**NOPE, "pk": 999999}

POSTS = [
    ("hotline:ticket_dispatch", NOPE),
    ("hotline:ticket_redispatch", NOPE),
    ("hotline:ticket_withdraw", NOPE_PK),
    ("hotline:ticket_not_accepted", NOPE),
    ("hotline:ticket_merge", NOPE),
    ("hotline:ticket_dispute_decide", NOPE_PK),
    ("hotline:ticket_extension_decide", NOPE_PK),
    ("hotline:ticket_urge", NOPE),
    ("hotline:ticket_supervise", NOPE),
    ("hotline:ticket_revisit", NOPE),
    ("hotline:ticket_publish", NOPE),
]

ROWS = [
    {"name": "hotline:ticket_list", "kwargs": {}, "method": "get", "expect": PAGE},
    {
        "name": "hotline:ticket_list",
        "kwargs": {},
        "method": "get",
        "query": {"clock": "red", "status": "dispatched", "q": "路灯"},
        "expect": PAGE,
    },
    {
        "name": "hotline:ticket_list",
        "kwargs": {},
        "method": "get",
        "query": {"status": "nonsense"},
        "expect": BAD_FILTER,
    },
    {"name": "hotline:ticket_detail", "kwargs": NOPE, "method": "get", "expect": MISSING},
    *(
        {"name": name, "kwargs": kwargs, "method": "post", "expect": MISSING}
        for name, kwargs in POSTS
    ),
]
