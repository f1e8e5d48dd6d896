"""全文检索 of the published catalogue (办事指南 and 行政权力清单) with jieba tokens.

The hotline keeps jieba tokens in a column and lets the database's full-text index match
them (SQLite FTS5 / PostgreSQL tsvector). The catalogue has no tokens column and this
module may not add a services migration, so the tokens are computed in Python over the
published items and kept in a process-local index:

- ``CatalogueIndex`` maps each published item to the set of its jieba tokens (name, basic
  and implementation codes, type, department, legal basis, acceptance conditions, result
  name) plus its plain text. A query term matches an item when it is one of its tokens
  or occurs in its text (jieba may segment a word differently in context: a term that is
  one token in the query may be two in the guide); every term must match (AND).
- The index is rebuilt when the catalogue changes. The fingerprint is one aggregate query
  (count, highest current version id and latest publication time of the published
  items): publishing a version, withdrawing or adding an item changes it. Renaming a
  department does not (its items show the new name, but match the old one until the
  next publication).

This is right only while the catalogue is small: a city publishes a few thousand items.
docs/services-public.md has the measured build and query times
(``bench_catalogue_search`` below; tests/test_transparency.py runs it at 3,000 items):
the first build tokenises every item (about 2 s at 3,000 items), a rebuild after a
publication reuses the tokens of every unchanged version (versions are immutable) and
tokenises only the new one; a query is about 10 ms. Each process keeps its own index.
"""

import re
import threading
import time
from dataclasses import dataclass

import jieba
from django.db.models import Count, Max

from tongzheng.services.models import ItemType

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise

MAX_TERMS = 8  # a longer query is cut
_TERM = re.compile(r"[^\W_]+")
_STOP = frozenset(
    ["的", "了", "和", "与", "及", "或", "在", "是", "办理", "怎么", "如何", "申请", "我", "要"]
)


def _tokens(text: str) -> set[str]:
    return {t.strip().lower() for t in jieba.cut_for_search(text) if t.strip()}


def query_terms(query: str) -> list[str]:
    """The query's terms: jieba words of each run of letters/digits/hanzi, stop words dropped.

    The whole run is also kept when it is short (a department or item name typed whole)."""
    terms: list[str] = []
    for run in _TERM.findall((query or "").lower())[:MAX_TERMS]:
        words = [w for w in jieba.lcut(run) if w.strip() and w not in _STOP]
        for word in words or [run]:
            if word not in terms:
                terms.append(word)
    return terms[:MAX_TERMS]


def item_text(item) -> str:
    version = item.current_version
    return " ".join(
        [
            version.name,
            version.basic_code,
            item.implementation_code,
            str(ItemType(version.item_type).label),
            item.organisation.name,
            version.legal_basis,
            version.acceptance_conditions,
            version.result_name,
        ]
    ).lower()


@dataclass
class CatalogueIndex:
    fingerprint: tuple
    entries: list[tuple[int, frozenset, str]]  # (item id, tokens, text)
    by_version: dict  # (version id, published at) -> (tokens, text), for the next build

    def match(self, terms: list[str]) -> list[int]:
        if not terms:
            return [pk for pk, _tokens, _text in self.entries]
        return [
            pk
            for pk, tokens, text in self.entries
            if all(term in tokens or term in text for term in terms)
        ]


_lock = threading.Lock()
_index: CatalogueIndex | None = None


def _fingerprint(items) -> tuple:
    summary = items.order_by().aggregate(
        n=Count("pk"), v=Max("current_version_id"), at=Max("current_version__published_at")
    )
    return (summary["n"], summary["v"], summary["at"])


def build_index(items, previous: "CatalogueIndex | None" = None) -> CatalogueIndex:
    """Tokenise the published items; versions are immutable, so the tokens of a version
    already in ``previous`` are reused and only newly published versions go through jieba."""
    known = previous.by_version if previous is not None else {}
    entries, by_version = [], {}
    for item in items.select_related("current_version", "organisation").iterator(chunk_size=500):
        # The publication time guards against a reused id (a rolled-back test database).
        key = (item.current_version_id, item.current_version.published_at)
        cached = known.get(key)
        if cached is None:
            text = item_text(item)
            cached = (frozenset(_tokens(text)), text)
        by_version[key] = cached
        entries.append((item.pk, *cached))
    return CatalogueIndex(_fingerprint(items), entries, by_version)


def catalogue_index() -> CatalogueIndex:
    """The index of every published item, rebuilt when the catalogue changed."""
    global _index
    from tongzheng.services.public import published_items

    items = published_items()
    fingerprint = _fingerprint(items)
    with _lock:
        if _index is None or _index.fingerprint != fingerprint:
            _index = build_index(items, _index)
        return _index


def search(items, query: str):
    """Narrow the queryset ``items`` (published items, maybe filtered) to those matching
    every term of ``query``; an empty query returns ``items`` unchanged."""
    terms = query_terms(query)
    if not terms:
        return items
    return items.filter(pk__in=catalogue_index().match(terms))


def bench_catalogue_search(queries=("建设工程", "许可", "营业执照 变更", "社会保障卡")):
    """Measured over the current catalogue: (first build seconds, items, rebuild seconds
    with every version's tokens reused, {query: (matches, milliseconds)})."""
    from tongzheng.services.public import published_items

    items = published_items()
    started = time.perf_counter()
    index = build_index(items)
    built = time.perf_counter() - started
    started = time.perf_counter()
    build_index(items, index)
    rebuilt = time.perf_counter() - started
    timings = {}
    for query in queries:
        started = time.perf_counter()
        matched = index.match(query_terms(query))
        timings[query] = (len(matched), (time.perf_counter() - started) * 1000)
    return built, len(index.entries), rebuilt, timings
