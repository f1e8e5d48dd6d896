"""Permission-matrix rows of the handling department's pages and /api/hotline/ (承办单位).

The cast's working role holds every hotline permission with the scope OWN_ORGANISATION, so
both staff personas reach the inbox; the cast has no ticket, so an assignment or ticket
named by a pk or number that does not exist answers 404 to whoever holds the permission,
exactly as another department's would. The 三员 hold no hotline permission (403).
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

API = {**PAGE, "anonymous": 401}
API_MISSING = {**API, "staff_other_org": 404, "staff_same_org": 404}

NOPE = {"pk": 999999}
NO_TICKET = {"number": "12345-20000101-000000"}

ROWS = [
    {"name": "hotline:assignment_list", "kwargs": {}, "method": "get", "expect": PAGE},
    {
        "name": "hotline:assignment_list",
        "kwargs": {},
        "method": "get",
        "query": {"status": "all", "page": "2"},
        "expect": PAGE,
    },
    {"name": "hotline:assignment_detail", "kwargs": NOPE, "method": "get", "expect": MISSING},
    *(
        {"name": f"hotline:assignment_{name}", "kwargs": NOPE, "method": "post", "expect": MISSING}
        for name in ("accept", "note", "opinion", "reply", "extension", "dispute")
    ),
]

TICKET = {"number": NO_TICKET["number"]}
WRITES = {
    "hotline_accept_ticket": {},
    "hotline_add_ticket_note": {"content": "矩阵测试"},
    "hotline_submit_ticket_opinion": {"content": "矩阵测试"},
    "hotline_reply_ticket": {"content": "矩阵测试"},
    "hotline_request_ticket_extension": {"working_days": 1, "reason": "矩阵测试"},
    "hotline_dispute_ticket": {"reason": "矩阵测试"},
}

ROWS += [
    {"name": "api:hotline_list_tickets", "kwargs": {}, "method": "get", "expect": API},
    {
        "name": "api:hotline_list_tickets",
        "kwargs": {},
        "method": "get",
        "query": {"status": "handling", "clock": "red", "page": "1"},
        "expect": API,
    },
    {"name": "api:hotline_get_ticket", "kwargs": TICKET, "method": "get", "expect": API_MISSING},
    {"name": "api:hotline_list_assignments", "kwargs": {}, "method": "get", "expect": API},
    *(
        {
            "name": f"api:{name}",
            "kwargs": TICKET,
            "method": "post",
            "data": data,
            "expect": API_MISSING,
        }
        for name, data in WRITES.items()
    ),
]
