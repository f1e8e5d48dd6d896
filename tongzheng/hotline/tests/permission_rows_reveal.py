"""Permission-matrix rows of 查看完整号码 (the handling department's reveal of a reporter's
phone, ``hotline:assignment_reveal_phone``).

Like the other assignment forms: the cast has no ticket, so an assignment named by a pk that
does not exist answers 404 to whoever holds ``hotline.handle_ticket`` (as another
department's would), with or without a reason; the 三员 and citizens hold no hotline
permission (403); anonymous is sent to sign in.
"""

from tongzheng.hotline.tests.permission_rows_handling import MISSING, NOPE

URL = "hotline:assignment_reveal_phone"

ROWS = [
    {"name": URL, "kwargs": NOPE, "method": "post", "expect": MISSING},
    {
        "name": URL,
        "kwargs": NOPE,
        "method": "post",
        "data": {"reveal-reason": "矩阵测试"},
        "expect": MISSING,
    },
]
