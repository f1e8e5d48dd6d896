"""Full-text search over ticket tokens (SQLite FTS5 / PostgreSQL tsvector): both databases."""

import pytest
from django.db import connection

from tongzheng.hotline import search
from tongzheng.hotline.models import Ticket
from tongzheng.hotline.tests.factories import TicketFactory
from tongzheng.hotline.text import token_string

pytestmark = pytest.mark.django_db


def ticket(content, title="", address=""):
    return TicketFactory(
        title=title,
        content=content,
        address=address,
        search_tokens=token_string(title, content, address),
    )


def found(q, queryset=None):
    queryset = Ticket.objects.all() if queryset is None else queryset
    return set(search.search_tickets(queryset, q).values_list("pk", flat=True))


def test_the_index_is_installed_by_the_migration():
    assert search.index_installed(connection)


def test_every_token_of_the_query_must_match():
    noise = ticket("夜间施工噪音扰民，影响休息。", address="锦江区春熙路")
    lamp = ticket("小区路灯损坏，晚上出行不便。", address="锦江区春熙路")
    assert found("施工噪音") == {noise.pk}
    assert found("路灯") == {lamp.pk}
    assert found("春熙路") == {noise.pk, lamp.pk}
    assert found("春熙路 路灯") == {lamp.pk}
    assert found("路灯 噪音") == set()


def test_a_blank_query_keeps_the_queryset_and_stop_words_alone_match_nothing():
    ticket("夜间施工噪音扰民。")
    assert found("   ") == set(Ticket.objects.values_list("pk", flat=True))
    assert found("的 了 ，。！") == set()


def test_the_callers_queryset_is_narrowed_never_widened():
    inside = ticket("噪音扰民", address="高新区")
    ticket("噪音扰民", address="武侯区")
    scoped = Ticket.objects.filter(pk=inside.pk)
    assert found("噪音", scoped) == {inside.pk}


@pytest.mark.parametrize(
    "q",
    [
        '噪音" OR "路灯',
        "噪音 OR 路灯",
        "NEAR(噪音 路灯)",
        "search_tokens:噪音",
        "噪音 & ! 路灯 | x:*",
        "噪音 <-> 路灯",
        "*",
        '"',
        "^噪音",
        "噪音 -路灯",
        "'; DROP TABLE hotline_ticket; --",
    ],
)
def test_query_syntax_is_never_interpreted(q):
    noise = ticket("夜间施工噪音扰民")
    ticket("路灯损坏")
    result = found(q)  # must not raise
    # Operators are words: an OR never widens, a NOT never narrows to the other ticket.
    assert result <= {noise.pk}
    assert Ticket.objects.count() == 2


def test_updating_the_tokens_updates_the_index_and_delete_removes_it():
    row = ticket("噪音扰民")
    row.search_tokens = token_string("路灯损坏")
    row.save()
    assert found("噪音") == set()
    assert found("路灯") == {row.pk}
    row.title = "夜间"  # a save that keeps the tokens leaves the index alone
    row.save()
    assert found("路灯") == {row.pk}
    row.delete()
    assert found("路灯") == set()


def test_latin_words_and_numbers_are_case_insensitive():
    row = ticket("WiFi 信号差，5G 基站")
    assert found("wifi") == {row.pk}
    assert found("5g") == {row.pk}


def test_query_tokens_are_distinct_and_hold_a_letter_or_digit():
    assert search.query_tokens("路灯 路灯 _ ，") == ["路灯"]
    assert search.fts5_expression([[['a"b']], [["c"], ["d", "e"]]]) == (
        '(("a""b")) AND (("c") OR ("d" AND "e"))'
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plan")
def test_postgresql_uses_the_gin_index():
    for i in range(50):
        ticket(f"路灯损坏 第{i}号")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search.search_tickets(Ticket.objects.all(), "路灯").explain()
    assert search.GIN_INDEX in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5")
def test_sqlite_reinstall_restores_lost_triggers():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER hotline_ticket_fts_insert")
    assert not search.index_installed(connection)
    row = ticket("噪音扰民")  # written while the trigger was missing
    search.install_index(connection)  # rebuilds the FTS table from the tickets
    assert search.index_installed(connection)
    assert found("噪音") == {row.pk}


def test_a_word_jieba_splits_alone_still_finds_its_ticket():
    # In context 新镇 is one token; the query 新镇 alone is cut into 新 / 镇.
    row = ticket("位于新镇的小区路面破损")
    assert "新镇" in row.search_tokens.split()
    assert search.query_terms("新镇") == [[["新", "镇"], ["新镇"]]]
    assert found("新镇") == {row.pk}
    assert found("新镇 破损") == {row.pk}
    assert found("新镇 噪音") == set()


def test_query_terms_split_on_punctuation_and_are_capped():
    assert search.query_terms("路灯，噪音") == [[["路灯"]], [["噪音"]]]
    many = " ".join(f"词{i}号" for i in range(20))
    assert len(search.query_terms(many)) <= search.MAX_TERMS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_postgresql_both_plans_give_the_same_answer(monkeypatch):
    noise = ticket("夜间施工噪音扰民", address="锦江区春熙路")
    lamp = ticket("小区路灯损坏", address="锦江区春熙路")
    queries = {"噪音": {noise.pk}, "春熙路": {noise.pk, lamp.pk}, "春熙路 路灯": {lamp.pk}}
    for limit in (10**9, 0):  # GIN first / filter in place
        monkeypatch.setattr(search, "few_matches_limit", lambda total, limit=limit: limit)
        for q, expected in queries.items():
            assert found(q) == expected, (limit, q)


def test_sub_words_of_a_longer_token_are_not_required_twice():
    assert search.query_terms("一个多月") == [[["一个多月"]]]
    row = ticket("拖欠工资一个多月")
    assert found("一个多月") == {row.pk}


def test_capped_count():
    for _ in range(3):
        ticket("噪音扰民")
    matches = search.search_tickets(Ticket.objects.all(), "噪音")
    assert search.capped_count(matches, cap=2) == (2, False)
    assert search.capped_count(matches, cap=5) == (3, True)
