"""The dashboard: live counts, drill-down, lists, scope (another division sees nothing)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongzheng.accounts.tests.factories import verified_login
from tongzheng.core.timed import TimedStatus
from tongzheng.supervision import queries
from tongzheng.supervision.tests.factories import city_tree, errand, red_errand, supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return city_tree()


def yellow_errand(organisation, **kwargs):
    """Due at the end of today's next working day... i.e. inside its last working day."""
    task = errand(organisation, limit=1, **kwargs)
    task.due_at = timezone.now() + datetime.timedelta(hours=2)
    task.warning_at = timezone.now() - datetime.timedelta(hours=2)
    task.save()
    return task


@pytest.fixture
def board(tree):
    tasks = {
        "red_a": red_errand(tree.dept_a, title="锦江超期"),
        "red_b": red_errand(tree.dept_b, title="青羊超期"),
        "yellow_a": yellow_errand(tree.dept_a, title="锦江临期"),
        "normal_a": errand(tree.dept_a, limit=20, title="锦江正常"),
        "finished_a": errand(tree.dept_a, finished=timezone.now(), title="锦江办结"),
        "other_red": red_errand(tree.other_dept, title="自贡超期"),
    }
    paused = errand(tree.dept_b, limit=20, title="青羊暂停")
    paused.pause(timezone.now())
    paused.save()
    tasks["paused_b"] = paused
    return tasks


def errand_counts(board_result):
    return next(m.counts for m in board_result.modules if m.label == "timedtest.errand")


def test_city_supervisor_sees_the_city_counts_and_drill_down(tree, board):
    user = supervisor(tree.city_bureau)
    result = queries.dashboard(user)
    counts = errand_counts(result)
    assert (counts.red, counts.yellow, counts.normal, counts.paused) == (2, 1, 1, 1)
    assert result.root == tree.city
    by_name = {row.name: row.counts for row in result.divisions}
    assert by_name["锦江区"].red == 1 and by_name["锦江区"].yellow == 1
    assert by_name["青羊区"].red == 1 and by_name["青羊区"].paused == 1
    assert "自贡市" not in by_name
    departments = {row.name for row in result.departments}
    assert departments == {tree.dept_a.name, tree.dept_b.name}


def test_drill_down_to_a_county_and_a_department(tree, board):
    user = supervisor(tree.city_bureau)
    county = queries.dashboard(user, division_code="510104")
    assert errand_counts(county).red == 1
    assert [d.name for d in county.trail] == ["成都市", "锦江区"]
    department = queries.dashboard(user, department_id=str(tree.dept_b.pk))
    assert errand_counts(department).red == 1
    assert errand_counts(department).paused == 1


def test_red_and_yellow_lists_are_merged_and_paginated(tree, board, monkeypatch):
    user = supervisor(tree.city_bureau)
    red = queries.task_page(user, TimedStatus.RED)
    assert {row.title for row in red["rows"]} == {"锦江超期", "青羊超期"}
    assert red["total"] == 2
    monkeypatch.setattr(queries, "LIST_PAGE_SIZE", 1)
    second = queries.task_page(user, TimedStatus.RED, page=2)
    assert len(second["rows"]) == 1 and second["pages"] == 2 and not second["has_next"]
    yellow = queries.task_page(user, TimedStatus.YELLOW)
    assert [row.title for row in yellow["rows"]] == ["锦江临期"]


def test_a_supervisor_of_another_division_sees_nothing_of_this_one(tree, board):
    user = supervisor(tree.other_dept)
    result = queries.dashboard(user)
    assert errand_counts(result).red == 1  # only 自贡's own task
    assert {row.title for row in queries.task_page(user, TimedStatus.RED)["rows"]} == {"自贡超期"}
    with pytest.raises(Exception) as excinfo:
        queries.dashboard(user, division_code="510104")
    assert excinfo.typename == "Http404"
    with pytest.raises(Exception) as excinfo:
        queries.dashboard(user, department_id=str(tree.dept_a.pk))
    assert excinfo.typename == "Http404"


def test_the_page_shows_the_red_card_and_drills_down(client, tree, board):
    user = supervisor(tree.city_bureau)
    verified_login(client, user)
    response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="red">2<' in html
    assert "锦江超期" in html and "自贡超期" not in html
    response = client.get(reverse("supervision:dashboard"), {"division": "510105"})
    html = response.content.decode()
    assert "青羊超期" in html and "锦江超期" not in html
    assert client.get(reverse("supervision:dashboard"), {"division": "510300"}).status_code == 404
    page = client.get(reverse("supervision:task_list", args=["yellow"]), HTTP_HX_REQUEST="true")
    assert "锦江临期" in page.content.decode() and "<main" not in page.content.decode()


def test_the_dashboard_query_count_does_not_grow_with_tasks(
    tree, board, django_assert_max_num_queries
):
    user = supervisor(tree.city_bureau)
    for _ in range(10):
        red_errand(tree.dept_a)
    with django_assert_max_num_queries(12):
        queries.dashboard(user)


def test_a_user_without_the_permission_is_refused(tree):
    from django.core.exceptions import PermissionDenied

    from tongzheng.supervision.tests.factories import department_user

    with pytest.raises(PermissionDenied):
        queries.dashboard(department_user(tree.dept_a))


def test_warnings_page_by_kind_and_scope(client, tree):
    from tongzheng.supervision import public

    public.raise_warning(
        kind="fee_without_basis",
        subject=errand(tree.dept_a, title="收费事项"),
        organisation=tree.dept_a,
    )
    public.raise_warning(
        kind="not_online",
        subject=errand(tree.other_dept, title="自贡事项"),
        organisation=tree.other_dept,
    )
    verified_login(client, supervisor(tree.city_bureau))
    html = client.get(reverse("supervision:dashboard")).content.decode()
    assert "无依据收费" in html and "未按要求网上办理" not in html
    page = client.get(reverse("supervision:warning_list"), {"kind": "fee_without_basis"})
    assert "收费事项" in page.content.decode() and "自贡事项" not in page.content.decode()
    empty = client.get(reverse("supervision:warning_list"), {"kind": "not_online"})
    assert "没有预警" in empty.content.decode()


def test_a_task_whose_clock_has_not_started_is_not_counted(tree, board):
    from tongzheng.supervision.tests.factories import Errand

    Errand.objects.create(title="未开始", organisation=tree.dept_a)  # no due_at yet
    counts = errand_counts(queries.dashboard(supervisor(tree.city_bureau)))
    assert (counts.red, counts.yellow, counts.normal, counts.paused) == (2, 1, 1, 1)


def test_both_lists_come_from_one_keys_query_and_one_rows_query_per_module(
    tree, board, django_assert_num_queries
):
    user = supervisor(tree.city_bureau)
    totals = _totals(user)  # also remembers the place for the request
    with django_assert_num_queries(2):  # keys of every (module, list); then the errands
        pages = queries.task_pages(user, (TimedStatus.RED, TimedStatus.YELLOW), totals=totals)
    assert {row.title for row in pages[TimedStatus.RED]["rows"]} == {"锦江超期", "青羊超期"}
    assert [row.title for row in pages[TimedStatus.YELLOW]["rows"]] == ["锦江临期"]
    assert pages[TimedStatus.RED]["total"] == 2 and pages[TimedStatus.YELLOW]["total"] == 1


def _totals(user):
    board = queries.dashboard(user)
    return {
        status: {m.label: getattr(m.counts, status) for m in board.modules}
        for status in (TimedStatus.RED, TimedStatus.YELLOW)
    }


def test_the_whole_page_takes_a_fixed_number_of_queries(
    client, tree, board, django_assert_max_num_queries
):
    user = supervisor(tree.city_bureau)
    verified_login(client, user)
    client.get(reverse("supervision:dashboard"))
    for _ in range(5):
        red_errand(tree.dept_b)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("supervision:dashboard")).status_code == 200
