"""Full-text search over ticket tokens (SQLite FTS5 / PostgreSQL tsvector): both databases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

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
        # Over 50 rows a full scan of an index is as cheap as the GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
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


def _narrow_rows():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ticket_id, created_at, search_vector::text FROM hotline_ticket_search"
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _expected_rows():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, created_at, strip(to_tsvector('simple', search_tokens))::text"
            " FROM hotline_ticket"
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL narrow table")
def test_postgresql_narrow_table_follows_every_write():
    row = ticket("噪音扰民")
    other = ticket("路灯损坏")
    assert _narrow_rows() == _expected_rows()
    row.search_tokens = token_string("井盖缺失")
    row.save()
    Ticket.objects.filter(pk=other.pk).update(created_at=other.created_at - timedelta(days=3))
    assert _narrow_rows() == _expected_rows()
    assert found("井盖") == {row.pk} and found("噪音") == set()
    row.delete()
    assert _narrow_rows() == _expected_rows() and len(_expected_rows()) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks
        cursor.execute("TRUNCATE hotline_ticket CASCADE")  # Django's test flush does this
    assert _narrow_rows() == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL narrow table")
def test_postgresql_reinstall_rebuilds_the_narrow_table():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER hotline_ticket_search_insert ON hotline_ticket")
    assert not search.index_installed(connection)
    row = ticket("噪音扰民")  # written while the trigger was missing
    assert found("噪音") == set()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for none
    search.install_index(connection)
    assert search.index_installed(connection)
    assert found("噪音") == {row.pk}
    assert _narrow_rows() == _expected_rows()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(
    ("limit", "probe_hits", "scoped", "plan"),
    [
        (10**9, None, False, "OFFSET 0"),
        (0, None, False, "ts_match_vq"),
        (0, None, True, "COALESCE"),
        (100, 50, False, "OFFSET 0"),
        (100, 1, False, "ts_match_vq"),
    ],
    ids=[
        "gin-first",
        "newest-first",
        "newest-first-row-by-row",
        "probe-gin-first",
        "probe-newest-first",
    ],
)
def test_postgresql_plans_keep_the_callers_order_and_scope(
    monkeypatch, limit, probe_hits, scoped, plan
):
    monkeypatch.setattr(search, "few_matches_limit", lambda total: limit)
    monkeypatch.setattr(search, "_scoped", lambda queryset, total: scoped)
    # Every word common; together common too, or (probe_hits) rare: the newest rows probed.
    together = 1 if probe_hits else 10**6
    monkeypatch.setattr(
        search, "_postgresql_estimates", lambda terms: (together, [10**6] * len(terms), 1, 10**6)
    )
    monkeypatch.setattr(search, "PROBE_HITS", probe_hits)
    start = timezone.now() - timedelta(days=30)
    rows = [ticket(f"路灯损坏 第{i}号", address="春熙路" if i % 3 else "武侯区") for i in range(12)]
    ticket("噪音扰民")
    for i, row in enumerate(rows):
        # Pairs share a created_at: the id decides between them (-created_at, -id).
        Ticket.objects.filter(pk=row.pk).update(created_at=start + timedelta(hours=i // 2))
    newest = Ticket.objects.order_by("-created_at", "-id")
    expected = list(newest.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
    page = search.search_tickets(Ticket.objects.all(), "路灯").order_by("-created_at", "-id")
    assert plan in str(page.query)
    assert list(page.values_list("pk", flat=True)[:5]) == expected[:5]
    assert list(search.search_tickets(Ticket.objects.all(), "路灯")) == list(
        newest.filter(pk__in=expected)
    )  # the model's default order
    scoped = Ticket.objects.filter(address="春熙路")
    assert list(search.search_tickets(scoped, "路灯").values_list("pk", flat=True)) == [
        pk for pk in expected if Ticket.objects.get(pk=pk).address == "春熙路"
    ]
    # Another order: the same tickets, in that order.
    by_number = search.search_tickets(Ticket.objects.all(), "路灯 春熙路").order_by("number")
    assert list(by_number.values_list("pk", flat=True)) == list(
        Ticket.objects.filter(pk__in=expected, address="春熙路")
        .order_by("number")
        .values_list("pk", flat=True)
    )
    assert search.search_tickets(Ticket.objects.all(), "路灯").count() == 12
    assert search.capped_count(search.search_tickets(Ticket.objects.all(), "路灯"), cap=5) == (
        5,
        False,
    )
