"""The drill-down helpers added to tongzheng.core.timed, on three registered models."""

import pytest

from tongzheng.core import timed
from tongzheng.core.tests.timedtest.models import Errand
from tongzheng.supervision import public
from tongzheng.supervision.models import Rectification
from tongzheng.supervision.tests.factories import city_tree, errand

pytestmark = pytest.mark.django_db


def test_lookups_follow_scope_fields():
    assert timed.organisation_lookup(Errand) == "organisation"
    assert timed.division_path_lookup(Errand) == "organisation__division_path"
    assert timed.division_path_lookup(Rectification) == "division_path"


def test_instances_and_labels():
    tree = city_tree()
    task = errand(tree.dept_a)
    assert timed.task_organisation(task) == tree.dept_a
    assert timed.task_division_path(task) == tree.dept_a.division_path
    rating = public.record_rating(
        subject=task, organisation=tree.dept_b, level=1, indicators={}, rater=None
    )
    assert timed.task_division_path(rating.rectification) == tree.dept_b.division_path
    assert timed.timed_model_by_label("TimedTest.Errand") is Errand
    assert timed.timed_model_by_label("auth.user") is None
