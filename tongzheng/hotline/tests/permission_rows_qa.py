"""Permission-matrix rows for routes added after the QA walk: 我的诉求 › one ticket."""

from tongzheng.hotline.tests.permission_rows_intake import ADMINISTRATORS

# The cast's citizen filed no ticket: the number is a 404 for it (another account's
# ticket is a 404 too); staff are refused before any lookup.
MINE_TICKET = {
    "anonymous": 302,
    "citizen": 404,
    "staff_other_org": 403,
    "staff_same_org": 403,
    **dict.fromkeys(ADMINISTRATORS, 403),
}

ROWS = [
    {
        "name": "hotline:mine_ticket",
        "kwargs": {"number": "12345-20260101-000001"},
        "method": "get",
        "expect": MINE_TICKET,
    },
]
