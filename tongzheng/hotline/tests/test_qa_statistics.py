"""QA walk: 热点词 on the statistics page listed 来电, 很大, 一个多月, 处理 … ahead of
what the requests were about."""

import pytest

from tongzheng.hotline import statistics
from tongzheng.hotline.tests.test_statistics import period, staff, ticket, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_phrasing_of_requests_is_not_a_hot_topic(world):  # noqa: F811
    for content in (
        "市民来电反映小区电梯经常故障，恳请尽快处理。",
        "市民来电反映小区噪音很大，已持续一个多月，恳请尽快处理。",
        "市民来电反映小区电梯停运，邻居多位有同感。",
    ):
        ticket(division=world["city"], content=content)
    topics = dict(statistics.report(staff(world["centre"]), period()).hot_topics)
    assert topics["电梯"] == 2
    assert topics["噪音"] == 1
    for word in ("来电", "市民", "小区", "恳请", "尽快", "处理", "一个多月", "很大", "同感"):
        assert word not in topics, word
    # Still a word of one ticket for search: only the topic list leaves it out.
    assert "一个多月" in statistics.topic_words("噪音 一个多月")
