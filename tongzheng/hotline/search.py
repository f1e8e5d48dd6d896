"""全文检索 of tickets over their jieba tokens (``Ticket.search_tokens``).

The tokens are stored beside the text at intake (``hotline.text.token_string``); this
module matches a query against them with the database's own full-text index
(ARCHITECTURE.md, "Chinese text"):

- SQLite: an FTS5 table ``hotline_ticket_fts`` with external content (the ticket table),
  kept current by three triggers (migration 0004). The tokens are separated by spaces, so
  FTS5's ``unicode61`` tokenizer sees exactly jieba's words.
- PostgreSQL: a stored generated column ``search_vector`` =
  ``to_tsvector('simple', search_tokens)`` with a GIN index (migration 0007); the 'simple'
  configuration neither stems nor drops words, so a jieba token is one lexeme. The column
  is stored rather than computed in the index expression because a scan that tests rows
  one by one (the newest-first plan below) would otherwise parse every row's tokens again
  (about 25 µs a row, measured at 5 million tickets).

The query is tokenised with the same ``hotline.text.tokens`` and every token must match
(AND). The user's text never reaches the query syntax: on SQLite each token is an FTS5
string literal (double quotes doubled), on PostgreSQL the tokens go through
``plainto_tsquery``, which reads operators as plain words. Search narrows the caller's
queryset and keeps its scope and ordering; it never widens it.
"""

import json
import math
import re
import time

from django.db import NotSupportedError, connection
from django.db.models import BooleanField, F, Func
from django.db.models.expressions import RawSQL

from tongzheng.hotline.text import STOP_WORDS, tokens

FTS_TABLE = "hotline_ticket_fts"
GIN_INDEX = "hotline_ticket_search_words"
MAX_TERMS = 8  # a longer query is cut: every term is one more index probe
_TERM = re.compile(r"[^\W_]+")


# Constant SQL (no user input): the names are spelled out.
_SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS hotline_ticket_fts USING fts5(
        search_tokens, content='hotline_ticket', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER IF NOT EXISTS hotline_ticket_fts_insert AFTER INSERT ON hotline_ticket BEGIN
        INSERT INTO hotline_ticket_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
    END""",
    """CREATE TRIGGER IF NOT EXISTS hotline_ticket_fts_delete AFTER DELETE ON hotline_ticket BEGIN
        INSERT INTO hotline_ticket_fts(hotline_ticket_fts, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
    END""",
    # Every save() writes every column; only a change of the tokens touches the index.
    """CREATE TRIGGER IF NOT EXISTS hotline_ticket_fts_update AFTER UPDATE OF search_tokens
        ON hotline_ticket WHEN old.search_tokens IS NOT new.search_tokens BEGIN
        INSERT INTO hotline_ticket_fts(hotline_ticket_fts, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
        INSERT INTO hotline_ticket_fts(rowid, search_tokens) VALUES (new.id, new.search_tokens);
    END""",
    "INSERT INTO hotline_ticket_fts(hotline_ticket_fts) VALUES ('rebuild')",
]
_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS hotline_ticket_fts_insert",
    "DROP TRIGGER IF EXISTS hotline_ticket_fts_delete",
    "DROP TRIGGER IF EXISTS hotline_ticket_fts_update",
    "DROP TABLE IF EXISTS hotline_ticket_fts",
]
# PostgreSQL: the tokens as a stored tsvector on the ticket (migration 0007), and a narrow
# copy of what search reads — (ticket id, created_at, stripped vector), about 330 bytes a
# row against 1.3 kB — in ``hotline_ticket_search``, kept by triggers in the writer's
# transaction (migration 0009). Both plans of ``_postgresql_search`` read the narrow table
# and visit a ticket only once it is known to match, in the page's order.
SEARCH_TABLE = "hotline_ticket_search"
_POSTGRESQL_INSTALL = [
    # The expression index of 0004 and the ticket column's GIN index of 0007: search reads
    # the narrow table's index instead.
    "DROP INDEX IF EXISTS hotline_ticket_search_gin",
    "DROP INDEX IF EXISTS hotline_ticket_search_vector",
    """ALTER TABLE hotline_ticket ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_tokens)) STORED""",
    """CREATE TABLE IF NOT EXISTS hotline_ticket_search (
        ticket_id bigint PRIMARY KEY,
        created_at timestamp with time zone NOT NULL,
        search_vector tsvector NOT NULL)""",
    # strip(): no positions (no phrase search, no ranking), a third smaller. An AFTER
    # trigger sees the stored column already computed.
    """CREATE OR REPLACE FUNCTION hotline_ticket_search_write() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM hotline_ticket_search WHERE ticket_id = OLD.id;
        ELSE
            INSERT INTO hotline_ticket_search (ticket_id, created_at, search_vector)
            VALUES (NEW.id, NEW.created_at, strip(COALESCE(NEW.search_vector, ''::tsvector)))
            ON CONFLICT (ticket_id) DO UPDATE
            SET created_at = EXCLUDED.created_at, search_vector = EXCLUDED.search_vector;
        END IF;
        RETURN NULL;
    END $$""",
    # Django's test flush empties the ticket table with TRUNCATE, which fires no row trigger.
    """CREATE OR REPLACE FUNCTION hotline_ticket_search_truncate() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE hotline_ticket_search;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE TRIGGER hotline_ticket_search_insert AFTER INSERT ON hotline_ticket
        FOR EACH ROW EXECUTE FUNCTION hotline_ticket_search_write()""",
    # Every save() writes every column; only a change of the tokens or the time counts.
    """CREATE OR REPLACE TRIGGER hotline_ticket_search_update
        AFTER UPDATE OF search_tokens, created_at ON hotline_ticket FOR EACH ROW
        WHEN (old.search_tokens IS DISTINCT FROM new.search_tokens
              OR old.created_at IS DISTINCT FROM new.created_at)
        EXECUTE FUNCTION hotline_ticket_search_write()""",
    """CREATE OR REPLACE TRIGGER hotline_ticket_search_delete AFTER DELETE ON hotline_ticket
        FOR EACH ROW EXECUTE FUNCTION hotline_ticket_search_write()""",
    """CREATE OR REPLACE TRIGGER hotline_ticket_search_truncate AFTER TRUNCATE ON hotline_ticket
        FOR EACH STATEMENT EXECUTE FUNCTION hotline_ticket_search_truncate()""",
]
# Run when a part was missing (the table was just created): the rows the triggers did not
# see, in created_at order (the newest-first scan then reads neighbouring rows), and the
# indexes built once over them.
_POSTGRESQL_BACKFILL = [
    "SET maintenance_work_mem = '512MB'",  # the GIN build: 5 million rows of ~27 words
    # A repair (a trigger was lost) rewrites every row; after a creation the table is empty.
    """DELETE FROM hotline_ticket_search s
        WHERE NOT EXISTS (SELECT 1 FROM hotline_ticket t WHERE t.id = s.ticket_id)""",
    """INSERT INTO hotline_ticket_search (ticket_id, created_at, search_vector)
        SELECT id, created_at, strip(COALESCE(search_vector, ''::tsvector))
        FROM hotline_ticket ORDER BY created_at, id
        ON CONFLICT (ticket_id) DO UPDATE
        SET created_at = EXCLUDED.created_at, search_vector = EXCLUDED.search_vector""",
    # Rebuilt, not kept: a failed concurrent build leaves an invalid index behind.
    "DROP INDEX {concurrently} IF EXISTS hotline_ticket_search_words",
    "DROP INDEX {concurrently} IF EXISTS hotline_ticket_search_newest",
    """CREATE INDEX {concurrently} IF NOT EXISTS hotline_ticket_search_words
        ON hotline_ticket_search USING gin (search_vector)""",
    """CREATE INDEX {concurrently} IF NOT EXISTS hotline_ticket_search_newest
        ON hotline_ticket_search (created_at, ticket_id)""",
    "RESET maintenance_work_mem",
]
_POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS hotline_ticket_search_insert ON hotline_ticket",
    "DROP TRIGGER IF EXISTS hotline_ticket_search_update ON hotline_ticket",
    "DROP TRIGGER IF EXISTS hotline_ticket_search_delete ON hotline_ticket",
    "DROP TRIGGER IF EXISTS hotline_ticket_search_truncate ON hotline_ticket",
    "DROP FUNCTION IF EXISTS hotline_ticket_search_write()",
    "DROP FUNCTION IF EXISTS hotline_ticket_search_truncate()",
    "DROP TABLE IF EXISTS hotline_ticket_search",
    "ALTER TABLE hotline_ticket DROP COLUMN IF EXISTS search_vector",
]
_POSTGRESQL_PARTS = [
    # An index whose concurrent build failed stays, invalid: it does not count.
    (
        "pg_class c JOIN pg_index i ON i.indexrelid = c.oid AND i.indisvalid",
        "c.relname",
        "hotline_ticket_search_words",
    ),
    (
        "pg_class c JOIN pg_index i ON i.indexrelid = c.oid AND i.indisvalid",
        "c.relname",
        "hotline_ticket_search_newest",
    ),
    ("pg_trigger", "tgname", "hotline_ticket_search_insert"),
    ("pg_trigger", "tgname", "hotline_ticket_search_update"),
    ("pg_trigger", "tgname", "hotline_ticket_search_delete"),
    ("pg_trigger", "tgname", "hotline_ticket_search_truncate"),
]


def install_index(connection) -> None:
    """Create the full-text index; idempotent. When anything was missing it also rebuilds
    the index from the tickets (SQLite: the FTS table; PostgreSQL: the narrow table).

    Migrations 0004, 0007 and 0009 call it. On SQLite, a later migration that rebuilds
    ``hotline_ticket`` (Django's "remake table" for most ALTERs) drops the triggers with
    the old table: run it again after such a migration (``index_installed`` tells).
    """
    if index_installed(connection):
        return  # nothing lost: skip the rebuild (cheap enough for a post_migrate hook)
    statements = {
        "sqlite": _SQLITE_INSTALL,
        "postgresql": [*_POSTGRESQL_INSTALL, *_POSTGRESQL_BACKFILL],
    }
    # Outside a transaction (migration 0009 runs statement by statement) the indexes are
    # built CONCURRENTLY: ticket writes, whose trigger writes the narrow table, go on.
    concurrently = "" if connection.in_atomic_block else "CONCURRENTLY"
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql.replace("{concurrently}", concurrently))
        if connection.vendor == "postgresql":
            # Outside a transaction (migration 0009 runs statement by statement, so that
            # readers are not locked out for minutes), VACUUM also sets the new rows'
            # hint bits and visibility map: the first searches need not write them.
            in_transaction = connection.in_atomic_block
            cursor.execute(("ANALYZE " if in_transaction else "VACUUM (ANALYZE) ") + SEARCH_TABLE)


def uninstall_index(connection) -> None:
    statements = {"sqlite": _SQLITE_UNINSTALL, "postgresql": _POSTGRESQL_UNINSTALL}
    with connection.cursor() as cursor:
        for sql in statements.get(connection.vendor, []):
            cursor.execute(sql)


def index_installed(connection) -> bool:
    """Whether the full-text index and its triggers exist."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
                [FTS_TABLE, f"{FTS_TABLE}_insert", f"{FTS_TABLE}_delete", f"{FTS_TABLE}_update"],
            )
            return cursor.fetchone()[0] == 4
        if connection.vendor == "postgresql":
            present = 0
            for catalogue, column, name in _POSTGRESQL_PARTS:
                cursor.execute(
                    f"SELECT count(*) FROM {catalogue} WHERE {column} = %s",  # noqa: S608 - constant
                    [name],
                )
                present += cursor.fetchone()[0]
            return present == len(_POSTGRESQL_PARTS)
    return False


def query_tokens(q: str) -> list[str]:
    """The distinct searchable tokens of ``q``, in order.

    A token must hold a letter or digit: FTS5 and PostgreSQL split on everything else, and
    a token of separators only (``_``) would be an empty phrase.
    """
    seen = []
    for token in tokens(q or ""):
        if any(ch.isalnum() for ch in token) and token not in seen:
            seen.append(token)
    return seen


def query_terms(q: str) -> list[list[list[str]]]:
    """The query as terms, all required; a term is alternatives, any one enough; an
    alternative is words, all required.

    A term is a run of letters and digits of ``q`` (spaces and punctuation separate
    terms). Its first alternative is its tokens (``hotline.text.tokens``). When the run is
    one word that jieba splits when it stands alone, the run itself as one token is the
    second alternative: jieba segments in context, so the stored tokens of "金堂县新镇"
    hold 新镇 while the query 新镇 alone becomes 新 / 镇.
    """
    terms: list[list[list[str]]] = []
    for part in _TERM.findall((q or "").lower())[:MAX_TERMS]:
        words = _longest(query_tokens(part))
        if not words:
            continue
        alternatives = [words]
        if part.isalnum() and part not in words and part not in STOP_WORDS:
            alternatives.append([part])
        if alternatives not in terms:
            terms.append(alternatives)
    return terms


def _longest(words: list[str]) -> list[str]:
    """The words that are not part of another word of the list.

    jieba's search mode emits a long word together with its dictionary sub-words
    (一个多月 → 多月, 一个多, 一个多月), in the stored tokens and in the query alike: a
    ticket holding the long word holds its parts, so requiring the parts adds nothing.
    It misleads PostgreSQL's planner, though, which multiplies the selectivities of ANDed
    words as if they were independent (measured: 2,676 expected, 59,948 found).
    """
    return [w for w in words if not any(w != other and w in other for other in words)]


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts5_expression(terms: list[list[list[str]]]) -> str:
    """An FTS5 MATCH expression: every word a quoted string (no operator of the user's
    passes), words of an alternative ANDed, alternatives ORed, terms ANDed."""
    return " AND ".join(
        "(" + " OR ".join("(" + " AND ".join(map(_quoted, alt)) + ")" for alt in term) + ")"
        for term in terms
    )


def tsquery_sql(terms) -> tuple[str, list[str]]:
    """The tsquery of ``terms``: ``(plainto_tsquery(%s) || …) && …`` and its parameters.

    Every alternative is a parameter of ``plainto_tsquery``, which reads operators as
    words; ``||`` and ``&&`` combine the parsed queries.
    """
    plain = "plainto_tsquery('simple'::regconfig, %s)"
    sql = " && ".join("(" + " || ".join([plain] * len(term)) + ")" for term in terms)
    return f"({sql})", [" ".join(alt) for term in terms for alt in term]


def _newest_first_order(query) -> bool:
    """Whether ``query`` (being compiled) lists newest first, or in no order at all."""
    ordering = query.order_by or (query.get_meta().ordering if query.default_ordering else ())
    if not ordering:
        return True
    return query.standard_ordering and ordering[0] == "-created_at"


class _Matching(Func):
    """The tickets whose words match ``terms``, read from the narrow table, in one of two
    plans (``_postgresql_search`` chooses)::

        (ticket.id, ticket.created_at) IN (
            SELECT DISTINCT ticket_id, created_at FROM hotline_ticket_search
            WHERE <match> ORDER BY created_at DESC, ticket_id DESC <fence>)

    - GIN first: ``<match>`` is ``search_vector @@ q`` and the fence ``OFFSET 0``: the
      matches through the GIN index, sorted in the narrow table;
    - newest first: ``<match>`` is ``ts_match_vq(search_vector, q)`` — the function
      behind ``@@``, which the GIN index does not serve and the planner guesses at a
      third of the rows — and the fence ``LIMIT (SELECT NULL::bigint)``: no limit when run, an
      unknown one when planned, so the subquery is planned to start fast (the backward
      scan of the created_at index) rather than to finish fast (a full scan and a sort).

    Either way the subquery's rows come newest first and are unique (DISTINCT tells the
    planner), so PostgreSQL joins them to the ticket table one by one in that order (the
    join's two equalities put the two created_at and the two ids in one equivalence
    class each) and a page of 20, newest first, stops after about 20 ticket rows: the
    wide ticket table is read only for the page, never to sort or to test.

    Newest first tests the ticket's own stored vector row by row instead, in the query's
    order (COALESCE hides the column from any index), as before the narrow table:

    - when the query being compiled lists tickets in another order: the subquery's
      order is of no use, it would be read to the end;
    - when the caller's queryset is narrow (``scoped``: a township's tickets): the
      planner multiplies the join's two equalities (1/N each) and expects one row, so
      it hashes the whole subquery — every match of all tickets — to join it to the
      scope's few rows (1.1 s where the row-by-row test in the scope's created_at index
      took 26 ms, at 500,000 tickets).
    """

    output_field = BooleanField()

    def __init__(self, terms, gin_first: bool, scoped=False):
        super().__init__(F("pk"), F("created_at"))
        self.terms = terms
        self.gin_first = gin_first
        self.scoped = scoped

    def as_sql(self, compiler, connection, **extra_context):
        pk, created = self.source_expressions
        (pk_sql, pk_params), (created_sql, created_params) = map(compiler.compile, (pk, created))
        query_sql, query_params = tsquery_sql(self.terms)
        if not self.gin_first and (self.scoped or not _newest_first_order(compiler.query)):
            # The stored column is not a model field: qualified by the ticket's alias here.
            column_sql = f"{connection.ops.quote_name(pk.alias)}.search_vector"
            return f"COALESCE({column_sql}, ''::tsvector) @@ {query_sql}", query_params
        if self.gin_first:
            match, fence = f"search_vector @@ {query_sql}", "OFFSET 0"
        else:
            match, fence = f"ts_match_vq(search_vector, {query_sql})", "LIMIT (SELECT NULL::bigint)"
        # Constant SQL text: the words are parameters.
        sql = (
            f"({pk_sql}, {created_sql}) IN (SELECT DISTINCT ticket_id, created_at"  # noqa: S608
            f" FROM {SEARCH_TABLE} WHERE {match}"
            f" ORDER BY created_at DESC, ticket_id DESC {fence})"
        )
        return sql, (*pk_params, *created_params, *query_params)


# PostgreSQL: the GIN-first plan is chosen when some term is estimated to match fewer
# tickets than this (see ``few_matches_limit``).
FEW_MATCHES = 1000


def few_matches_limit(total: int) -> int:
    """The estimated match count below which the GIN-first plan is chosen.

    GIN first reads every match's row of the narrow table (a random page: about 5 µs a
    match, measured at 5 million tickets) and sorts them; newest first tests about
    20·N/E rows of the narrow table for a page of 20 when E of N tickets match evenly
    over time (neighbouring rows, in created_at order: about 0.5 µs a row). They cost
    the same near E = √(20·N·0.5/5) = √(2·N): about 3,200 matches of 5 million tickets,
    16 ms either way (the ticket table's own rows cost about 17 and 2.2 µs: 55 ms).
    """
    return max(FEW_MATCHES, int(math.sqrt(2 * max(total, 0))))


# The probe tests at most the newest PROBE_HITS·N/limit rows — what newest first reads
# for a page at the crossover density (limit matches of N) — and stops at the
# PROBE_HITS-th match: found, the page is there.
PROBE_HITS = 20

# A lexeme no ticket holds. Its estimate is the planner's guess for every word outside
# the column's most-common-elements statistics (half the rarest listed frequency).
_UNSEEN_WORD = "tz0unseen0word"


def _postgresql_estimates(terms) -> tuple[int, list[int], int, int]:
    """(the planner's estimated matches of all terms together, of each term alone, of a
    word outside its statistics, estimated tickets): catalogue-only queries."""

    def estimate(cursor, query_sql, params) -> int:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {SEARCH_TABLE} "  # noqa: S608 - constant
            "WHERE search_vector @@ " + query_sql,
            params,
        )
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    with connection.cursor() as cursor:
        together = estimate(cursor, *tsquery_sql(terms))
        alone = [estimate(cursor, *tsquery_sql((term,))) for term in terms]
        # The table's own figures change only with ANALYZE: kept a minute per database.
        key = connection.settings_dict["NAME"]
        table, expires = _TABLE_ESTIMATES.get(key, (None, 0.0))
        if table is None or expires < time.monotonic():
            unseen = estimate(cursor, *tsquery_sql((((_UNSEEN_WORD,),),)))
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [SEARCH_TABLE]
            )
            table = (unseen, int(cursor.fetchone()[0]))
            _TABLE_ESTIMATES[key] = (table, time.monotonic() + TABLE_ESTIMATES_SECONDS)
    unseen, total = table
    return together, alone, unseen, total


TABLE_ESTIMATES_SECONDS = 60
_TABLE_ESTIMATES: dict[str, tuple[tuple[int, int], float]] = {}


def _scoped(queryset, total: int) -> bool:
    """Whether the planner expects ``queryset`` to hold less than a third of ``total``
    tickets (one catalogue-only EXPLAIN)."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"]) * 3 < total


def _postgresql_search(queryset, terms):
    """The PostgreSQL filter: the matches through the GIN index, or the newest tickets
    tested one by one (``_Matching``) — chosen here from the planner's estimates, not by
    the planner.

    The two plans for a page of 20, newest first, over N tickets of which E match:

    - GIN first: reads every match, cost ∝ E; catastrophic for common words (河道 垃圾:
      5 to 37 s over 5 million tickets, before the narrow table).
    - Newest first: tests about 20·N/E of the newest rows when the matches are spread
      over time; catastrophic when E is small or the matches are old (a housing
      estate's name from two years ago: most of the table).

    The planner multiplies the selectivities of ANDed words as if they were independent,
    which is wrong both ways for words that come together (拒载 租车: 95,180 tickets each
    and the same 95,180 together). So:

    1. some term is rare by the planner's statistics (its own estimate, an upper bound of
       E, at most ``few_matches_limit``): GIN first, its cost bounded by that term;
    2. all terms common and common together by the planner's product: newest first;
    3. otherwise — words common alone but rare together by the product (independent
       words, 康城 北川: 813 together, as estimated; or words that come together, 拒载
       租车), or a word outside the statistics (one flat guess, ``_UNSEEN_WORD``, for
       words that match anything from none to twice the guess) — newest first is tried
       on at most the newest ``PROBE_HITS``·N/limit rows of the narrow table (what it
       reads for a page at the crossover density), stopping at the ``PROBE_HITS``-th
       match. Found: newest first (it finds those rows cached). Not found: the recent
       matches are sparser than the crossover, GIN first. Asking the GIN index for limit
       + 1 matches instead (before) intersects the common words' whole posting lists, ∝
       N: 50-70 ms at 5 million tickets (自治县 羌族, 朝阳 南充), 17-26 ms at 500,000.
       Testing only 5·N/limit rows for 5 matches was cheap but misled by the newest
       tickets (a load test's 1,600 from a few townships: 自治县 羌族, 30,752 matches,
       went to GIN first, 155-240 ms).
    """
    frozen = tuple(tuple(tuple(alt) for alt in term) for term in terms)
    together, alone, unseen, total = _postgresql_estimates(frozen)
    limit = few_matches_limit(total)
    if min(alone) <= limit:
        return queryset.filter(_Matching(frozen, gin_first=True))
    if together <= limit or min(alone) <= unseen:
        query_sql, params = tsquery_sql(frozen)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT 1 FROM (SELECT search_vector "  # noqa: S608 - constant
                f"FROM {SEARCH_TABLE} ORDER BY created_at DESC, ticket_id DESC LIMIT %s) "
                f"AS newest WHERE ts_match_vq(search_vector, {query_sql}) LIMIT %s) AS hits",
                [PROBE_HITS * max(total, 0) // max(limit, 1), *params, PROBE_HITS],
            )
            if cursor.fetchone()[0] < PROBE_HITS:
                return queryset.filter(_Matching(frozen, gin_first=True))
    return queryset.filter(_Matching(frozen, gin_first=False, scoped=_scoped(queryset, total)))


def capped_count(queryset, cap: int = 1000) -> tuple[int, bool]:
    """(count, exact): the number of rows, counting no further than ``cap``.

    A common word matches a large share of millions of tickets; a paginator's COUNT over
    all of them costs as much as reading them. Show "1000+" instead.
    """
    n = queryset[: cap + 1].count()
    return min(n, cap), n <= cap


def search_tickets(queryset, q: str):
    """The tickets of ``queryset`` whose tokens match every term of ``q`` (see
    ``query_terms``).

    A blank ``q`` returns the queryset unchanged; a ``q`` with no searchable token (only
    stop words or punctuation) matches nothing.
    """
    if not (q or "").strip():
        return queryset
    terms = query_terms(q)
    if not terms:
        return queryset.none()
    vendor = connection.vendor
    if vendor == "sqlite":
        # The MATCH argument is a parameter; the SQL text is constant.
        matching = RawSQL(  # noqa: S611
            "SELECT rowid FROM hotline_ticket_fts WHERE hotline_ticket_fts MATCH %s",
            (fts5_expression(terms),),
        )
        return queryset.filter(pk__in=matching)
    if vendor == "postgresql":
        return _postgresql_search(queryset, terms)
    raise NotSupportedError(f"hotline search supports SQLite and PostgreSQL, not {vendor}")
