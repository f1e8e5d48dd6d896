"""Permission-matrix rows for the intake pages added with the leader's mailbox, 我的诉求
and 电话受理 (public rows of the first slice are in permission_rows.py)."""

from tongzheng.hotline.tests.permission_rows import EVERYONE_200, PERSONAS

EVERYONE_404 = dict.fromkeys(PERSONAS, 404)
ADMINISTRATORS = ("system_admin", "security_admin", "audit_admin")

MINE = {
    "anonymous": 302,
    "citizen": 200,
    "staff_other_org": 403,
    "staff_same_org": 403,
    **dict.fromkeys(ADMINISTRATORS, 403),
}


def _operator(status: int) -> dict:
    """Phone intake: staff holding hotline.take_call (the matrix working role) only."""
    return {
        "anonymous": 302,
        "citizen": 403,
        "staff_other_org": status,
        "staff_same_org": status,
        **dict.fromkeys(ADMINISTRATORS, 403),
    }


ROWS = [
    {"name": "hotline:mailbox_list", "kwargs": {}, "method": "get", "expect": EVERYONE_200},
    # The cast has no mailbox: an unknown (or inactive) box is a 404 for everyone.
    {
        "name": "hotline:mailbox_letter",
        "kwargs": {"slug": "no-such-box"},
        "method": "get",
        "expect": EVERYONE_404,
    },
    {
        "name": "hotline:mailbox_letter",
        "kwargs": {"slug": "no-such-box"},
        "method": "post",
        "expect": EVERYONE_404,
    },
    {"name": "hotline:mine", "kwargs": {}, "method": "get", "expect": MINE},
    {"name": "hotline:call_new", "kwargs": {}, "method": "get", "expect": _operator(200)},
    {"name": "hotline:call_new", "kwargs": {}, "method": "post", "expect": _operator(400)},
]
