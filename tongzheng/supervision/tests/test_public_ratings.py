"""The public ratings page (/supervision/ratings/): aggregates only, no login, a portal tile."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tongzheng.core.registry import platform
from tongzheng.supervision import actions, public
from tongzheng.supervision.tests.factories import city_tree, department_user, errand, supervisor

pytestmark = pytest.mark.django_db


def test_aggregate_per_department_without_personal_data(client):
    tree = city_tree()
    for level in (5, 4, 1):
        public.record_rating(
            subject=errand(tree.dept_a),
            organisation=tree.dept_a,
            level=level,
            indicators={},
            comment="窗口人员张三态度差" if level == 1 else "",
            rater=None,
        )
    response = client.get(reverse("supervision:public_ratings"))
    html = response.content.decode()
    assert response.status_code == 200
    assert tree.dept_a.name in html
    assert "66.7%" in html
    assert "张三" not in html
    year = timezone.localdate().year
    assert client.get(reverse("supervision:public_ratings"), {"year": year - 1}).status_code == 200


def test_an_upheld_appeal_removes_the_rating_from_the_aggregate(client):
    tree = city_tree()
    rating = public.record_rating(
        subject=errand(tree.dept_a), organisation=tree.dept_a, level=1, indicators={}, rater=None
    )
    appeal = actions.file_appeal(
        actor=department_user(tree.dept_a), pk=rating.rectification.pk, reason="非本部门"
    )
    actions.review_appeal(
        actor=supervisor(tree.city_bureau), pk=appeal.pk, upheld=True, comment="成立"
    )
    assert (
        tree.dept_a.name not in client.get(reverse("supervision:public_ratings")).content.decode()
    )


def test_the_portal_tile_is_registered():
    assert "supervision:public_ratings" in {tile.url_name for tile in platform.portal_tiles}
