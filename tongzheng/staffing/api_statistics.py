"""/api/staffing-statistics/: the statistics of a division or unit subtree (编制统计接口).

The same figures as the workbench pages (``tongzheng.staffing.statistics``), scoped the
same way: a division or unit outside the caller's data scope is a 404.
"""

from ninja import Router, Schema  # noqa: TID251 - a second API module of this app

from tongzheng.api.public import api_auth
from tongzheng.staffing import statistics
from tongzheng.staffing.registrations import VIEW_STATISTICS

router = Router(tags=["staffing-statistics"], auth=api_auth(VIEW_STATISTICS))


class FiguresOut(Schema):
    approved: int
    occupied: int
    vacant: int
    over: int


class TypeFiguresOut(FiguresOut):
    code: str
    name: str


class PostFiguresOut(FiguresOut):
    kind: str
    name: str


class RowOut(Schema):
    kind: str
    key: str
    label: str
    total: FiguresOut
    by_type: list[TypeFiguresOut]
    posts: list[PostFiguresOut]


class ReportOut(Schema):
    kind: str
    title: str
    division_code: str | None
    unit_id: int | None
    total: FiguresOut
    by_type: list[TypeFiguresOut]
    posts: list[PostFiguresOut]
    rows: list[RowOut]


@router.get("/divisions/{code}", response=ReportOut)
def division_statistics(request, code: str):
    """核定数、实有数、空编数、超编数 of a division subtree, with a row per child division and
    per unit of the division itself. Vacancy and excess are computed per unit, then summed."""
    return statistics.division_report(request.auth, code).as_dict()


@router.get("/units/{unit_id}", response=ReportOut)
def unit_statistics(request, unit_id: int):
    """The same figures for one unit's subtree, a row per organisation in it."""
    return statistics.unit_report(request.auth, unit_id).as_dict()
