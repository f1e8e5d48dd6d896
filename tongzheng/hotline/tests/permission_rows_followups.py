"""Permission-matrix rows of the centre's later routes: 撤销公开 and the organisation picker.

As in ``permission_rows_centre``: the cast's working role holds every hotline permission
(scope OWN_ORGANISATION); the 三员 and citizens hold none (403); anonymous users are sent
to the login page. The cast has no ticket, so the un-publish POST names a number that does
not exist (404 to whoever may use it).
"""

from tongzheng.hotline.tests.permission_rows_centre import MISSING, NOPE, PAGE

BAD_SEARCH = {**PAGE, "staff_other_org": 400, "staff_same_org": 400}

ROWS = [
    {"name": "hotline:ticket_unpublish", "kwargs": NOPE, "method": "post", "expect": MISSING},
    {
        "name": "hotline:organisation_search",
        "kwargs": {},
        "method": "get",
        "query": {"field": "dispatch-lead", "q": "城市管理"},
        "expect": PAGE,
    },
    {
        "name": "hotline:organisation_search",
        "kwargs": {},
        "method": "get",
        "query": {"field": "<script>", "q": "城市管理"},
        "expect": BAD_SEARCH,
    },
]
