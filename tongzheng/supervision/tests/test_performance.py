"""绩效考核: the four figures, the score and grade, scope, the .xlsx export."""

import datetime
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.core import calendar
from tongzheng.supervision import actions, performance, public
from tongzheng.supervision.tests.factories import city_tree, department_user, errand, supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "优秀"), (90, "优秀"), (89.9, "良好"), (80, "良好"), (60, "合格"), (59.9, "不合格")],
)
def test_grade_thresholds(score, grade):
    assert performance.grade_for(score) == grade


def test_quarterly_figures(tree):
    year, quarter = 2026, 2
    monday = datetime.date(2026, 4, 13)
    # Two on time (3 working days each), one late: on-time 2/3.
    for _ in range(2):
        errand(
            tree.dept_a,
            started=at(monday),
            limit=5,
            finished=at(monday + datetime.timedelta(days=3)),
        )
    errand(
        tree.dept_a, started=at(monday), limit=1, finished=at(monday + datetime.timedelta(days=3))
    )
    # Ratings: 1 good, 1 bad answered on time → bad-rating 1/2, rectification 1/1.
    good, bad = errand(tree.dept_a), errand(tree.dept_a)
    public.record_rating(
        subject=good, organisation=tree.dept_a, level=5, indicators={}, rater=None, at=at(monday)
    )
    rating = public.record_rating(
        subject=bad, organisation=tree.dept_a, level=2, indicators={}, rater=None, at=at(monday)
    )
    actions.answer_rectification(
        actor=department_user(tree.dept_a), pk=rating.rectification.pk, answer="已整改"
    )
    rows = performance.quarterly(supervisor(tree.city_bureau), year, quarter)
    row = next(r for r in rows if r.name == tree.dept_a.name)
    assert (row.finished, row.on_time) == (3, 2)
    assert row.average_working_days == calendar.working_days_between(
        monday, monday + datetime.timedelta(days=3)
    )
    assert row.bad_rating_rate == 0.5
    # The answer was given now, long after April: it is outside the limit.
    assert row.rectification_rate == 0
    assert row.score == round(50 * 2 / 3 + 25 * 0.5 + 0, 1)
    assert row.grade == "不合格"
    assert performance.quarterly(supervisor(tree.other_dept), year, quarter) == []


def test_quarter_bounds():
    start, end = performance.quarter_bounds(2026, 4)
    assert timezone.localtime(start).date() == datetime.date(2026, 10, 1)
    assert timezone.localtime(end).date() == datetime.date(2027, 1, 1)


def test_permission_is_required(tree):
    with pytest.raises(PermissionDenied):
        performance.quarterly(department_user(tree.dept_a), 2026, 1)


def test_page_and_export(client, tree):
    day = datetime.date(2026, 4, 13)
    errand(tree.dept_a, started=at(day), limit=5, finished=at(day + datetime.timedelta(days=1)))
    verified_login(client, supervisor(tree.city_bureau))
    page = client.get(reverse("supervision:performance"), {"year": 2026, "quarter": 2})
    assert tree.dept_a.name in page.content.decode() and "优秀" in page.content.decode()
    response = client.get(reverse("supervision:performance_export"), {"year": 2026, "quarter": 2})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "部门"
    assert sheet["A2"].value == tree.dept_a.name
    assert sheet["C2"].value == 1
    assert sheet["L2"].value == "优秀"
