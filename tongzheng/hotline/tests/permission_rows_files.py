"""Permission-matrix rows of the attachment downloads (附件下载).

Staff (``hotline:attachment``): the cast has no ticket, so an attachment named by a pk that
does not exist answers 404 to whoever holds ``hotline.view_ticket`` (as another
department's file would); the 三员 and citizens hold no hotline permission (403);
anonymous is sent to sign in. The reporter's download (``hotline:track_attachment``) is
open to everyone and answers an empty POST with the track page's 400. The 我的诉求
download (``hotline:mine_attachment``) is the filing account's: the cast's citizen filed no
ticket (404), staff are refused (403), anonymous is sent to sign in.
"""

from tongzheng.hotline.tests.permission_rows import EVERYONE_400
from tongzheng.hotline.tests.permission_rows_handling import MISSING, NOPE
from tongzheng.hotline.tests.permission_rows_qa import MINE_TICKET

ROWS = [
    {"name": "hotline:attachment", "kwargs": NOPE, "method": "get", "expect": MISSING},
    {"name": "hotline:track_attachment", "kwargs": {}, "method": "post", "expect": EVERYONE_400},
    {
        "name": "hotline:mine_attachment",
        "kwargs": {"number": "12345-20260101-000001", "pk": 999999},
        "method": "get",
        "expect": MINE_TICKET,
    },
]
