"""Permission-matrix rows of the working-day calendar pages (core.manage_calendar).

The built-in 系统管理员 role carries core.manage_calendar (accounts.roles); nobody else
in the cast does. The remove row names an override that does not exist: the system
administrator gets 404 for it, everyone else is refused before the lookup.
"""

REFUSED = {
    "anonymous": 302,
    "citizen": 403,
    "staff_other_org": 403,
    "staff_same_org": 403,
    "security_admin": 403,
    "audit_admin": 403,
}

ROWS = [
    {
        "name": "core:calendar",
        "kwargs": {},
        "method": "get",
        "query": {"year": "2026"},
        "expect": {**REFUSED, "system_admin": 200},
    },
    {
        "name": "core:calendar_add",
        "kwargs": {},
        "method": "post",
        "data": {"date": "2031-01-01", "is_working_day": "0", "reason": "权限矩阵测试"},
        "expect": {**REFUSED, "system_admin": 302},
    },
    {
        "name": "core:calendar_remove",
        "kwargs": {"pk": 999999},
        "method": "post",
        "expect": {**REFUSED, "system_admin": 404},
    },
]
