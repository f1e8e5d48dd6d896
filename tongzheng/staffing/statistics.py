"""编制统计 — approved / occupied / vacant / over for a division or unit subtree.

核定数 (approved) is the quota ledger's ``sum(increase - decrease)``; 实有数 (occupied) the
count of serving personnel holding a slot of the type. 空编 (vacant) and 超编 (over) are
computed **per unit and type first** and then summed: one unit's vacancy never offsets
another unit's excess.

Every figure comes from one SQL statement per view (plus one per distinct child-code
length in a division view): a prefix filter on ``division_path`` (or the organisation
``path`` for a unit subtree), a per-unit subquery, and a ``GROUP BY`` on the prefix of the
child division's length. Nothing loops over fact rows in Python.

Scope (数据范围) of ``staffing.view_statistics``: ALL sees every division;
DIVISION_AND_BELOW its organisation's division subtree; the organisation scopes see their
own unit's subtree only. Anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils.translation import gettext as _

from tongzheng.core.access import DataScope, scope_for
from tongzheng.core.models import Division, Organisation
from tongzheng.staffing.models import (
    DivisionFigures,
    EstablishmentType,
    LeadershipPost,
    Person,
    QuotaLedgerEntry,
    UnitFigures,
)
from tongzheng.staffing.registrations import VIEW_STATISTICS

LEADERSHIP_KINDS = [p for p in LeadershipPost if p != LeadershipPost.NONE]


@dataclass
class Figures:
    approved: int = 0
    occupied: int = 0
    vacant: int = 0
    over: int = 0

    def add(self, other: Figures) -> None:
        self.approved += other.approved
        self.occupied += other.occupied
        self.vacant += other.vacant
        self.over += other.over

    def as_dict(self) -> dict:
        return {
            "approved": self.approved,
            "occupied": self.occupied,
            "vacant": self.vacant,
            "over": self.over,
        }


@dataclass
class Row:
    """One drill-down row: a child division, or one unit."""

    kind: str  # "division" | "unit"
    key: str  # division code or organisation id
    label: str
    by_type: dict[int, Figures] = field(default_factory=dict)
    posts: dict[str, Figures] = field(default_factory=dict)  # by leadership post kind
    linkable: bool = True
    depth: int = 0

    @property
    def total(self) -> Figures:
        total = Figures()
        for figures in self.by_type.values():
            total.add(figures)
        return total

    def figures(self, type_id: int) -> Figures:
        return self.by_type.get(type_id, Figures())


@dataclass
class Report:
    kind: str  # "division" | "unit"
    title: str
    division: Division | None
    unit: Organisation | None
    types: list[EstablishmentType]
    rows: list[Row]
    ancestors: list = field(default_factory=list)

    @property
    def by_type(self) -> dict[int, Figures]:
        totals: dict[int, Figures] = {}
        for row in self.rows:
            for type_id, figures in row.by_type.items():
                totals.setdefault(type_id, Figures()).add(figures)
        return totals

    @property
    def total(self) -> Figures:
        total = Figures()
        for figures in self.by_type.values():
            total.add(figures)
        return total

    @property
    def posts(self) -> dict[str, Figures]:
        totals: dict[str, Figures] = {str(p): Figures() for p in LEADERSHIP_KINDS}
        for row in self.rows:
            for kind, figures in row.posts.items():
                totals.setdefault(kind, Figures()).add(figures)
        return totals

    def type_rows(self) -> list[tuple[EstablishmentType, Figures]]:
        totals = self.by_type
        return [(t, totals.get(t.pk, Figures())) for t in self.types]

    def post_rows(self) -> list[tuple[str, Figures]]:
        posts = self.posts
        return [(str(p.label), posts.get(str(p), Figures())) for p in LEADERSHIP_KINDS]

    def table(self) -> list[tuple[Row, list[Figures], list[Figures]]]:
        """(row, figures per type in ``types`` order, figures per leadership post kind)."""
        return [
            (
                row,
                [row.figures(t.pk) for t in self.types],
                [row.posts.get(str(p), Figures()) for p in LEADERSHIP_KINDS],
            )
            for row in self.rows
        ]

    def post_labels(self) -> list[str]:
        return [str(p.label) for p in LEADERSHIP_KINDS]

    def as_dict(self) -> dict:
        def types_of(by_type):
            return [
                {"code": t.code, "name": t.name, **by_type.get(t.pk, Figures()).as_dict()}
                for t in self.types
            ]

        def posts_of(posts):
            return [
                {"kind": str(p), "name": str(p.label), **posts.get(str(p), Figures()).as_dict()}
                for p in LEADERSHIP_KINDS
            ]

        return {
            "kind": self.kind,
            "title": self.title,
            "division_code": self.division.code if self.division else None,
            "unit_id": self.unit.pk if self.unit else None,
            "total": self.total.as_dict(),
            "by_type": types_of(self.by_type),
            "posts": posts_of(self.posts),
            "rows": [
                {
                    "kind": row.kind,
                    "key": row.key,
                    "label": row.label,
                    "total": row.total.as_dict(),
                    "by_type": types_of(row.by_type),
                    "posts": posts_of(row.posts),
                }
                for row in self.rows
            ],
        }


# --- SQL ---------------------------------------------------------------------------------


def _tables() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return (
        quote(QuotaLedgerEntry._meta.db_table),
        quote(Person._meta.db_table),
        quote(Organisation._meta.db_table),
    )


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _post_ledger():
    """Engineer A's 职数台账 model, when it exists."""
    from tongzheng.staffing import models as staffing_models

    return getattr(staffing_models, "PostLedgerEntry", None)


def rollup(key_sql: str, where_sql: str, params: list, *, posts: bool = False) -> dict:
    """group key → dimension → figures, vacancy and excess computed per unit then summed.

    The dimension is the establishment type id, or with ``posts`` the leadership post kind
    (approved from the 职数台账, occupied from serving personnel's ``post``). ``key_sql`` is
    an SQL expression over the fact row's columns (``division_path``, ``organisation_id``)
    naming the group; ``where_sql`` a condition on the same columns with ``params`` for its
    placeholders (used twice: ledger and personnel).
    """
    ledger, person, _org = _tables()
    extra_params: list = ["serving"]
    post_ledger = _post_ledger()
    if posts:
        dimension = "post"
        person_filter = "post <> %s"
        extra_params.append(LeadershipPost.NONE.value)
        if post_ledger is not None:
            ledger = connection.ops.quote_name(post_ledger._meta.db_table)
    else:
        dimension = "establishment_type_id"
        person_filter = "establishment_type_id IS NOT NULL"
    ledger_part = f"""
                SELECT {key_sql} AS g, organisation_id, {dimension} AS d,
                       SUM(increase - decrease) AS approved, 0 AS occupied
                FROM {ledger} WHERE {where_sql}
                GROUP BY {key_sql}, organisation_id, {dimension}
                UNION ALL"""  # noqa: S608 - table names from _meta, values as parameters
    ledger_params = list(params)
    if posts and post_ledger is None:
        ledger_part, ledger_params = "", []
    sql = f"""
        SELECT g, d,
               SUM(approved), SUM(occupied),
               SUM(CASE WHEN approved > occupied THEN approved - occupied ELSE 0 END),
               SUM(CASE WHEN occupied > approved THEN occupied - approved ELSE 0 END)
        FROM (
            SELECT g, organisation_id, d,
                   SUM(approved) AS approved, SUM(occupied) AS occupied
            FROM ({ledger_part}
                SELECT {key_sql} AS g, organisation_id, {dimension} AS d,
                       0 AS approved, COUNT(*) AS occupied
                FROM {person}
                WHERE {where_sql} AND status = %s AND {person_filter}
                GROUP BY {key_sql}, organisation_id, {dimension}
            ) facts
            GROUP BY g, organisation_id, d
        ) per_unit
        GROUP BY g, d
    """  # noqa: S608 - table names from _meta, values as parameters
    result: dict[str, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ledger_params, *params, *extra_params])
        for key, dim, approved, occupied, vacant, over in cursor.fetchall():
            result.setdefault(str(key), {})[dim] = Figures(
                int(approved), int(occupied), int(vacant), int(over)
            )
    return result


def _child_lengths(division: Division) -> list[int]:
    codes = Division.objects.filter(parent=division).values_list("code", flat=True)
    return sorted({len(code) + 1 for code in codes})


def recount_division(division: Division) -> tuple[dict, dict, dict, dict]:
    """The plain SQL aggregate over the ledgers and personnel (no aggregate tables).

    Returns (by child path, posts by child path, by unit id at this level, posts by unit).
    Used to check the aggregate tables and as the benchmark's baseline.
    """
    prefix = _like_prefix(division.path)
    by_child: dict[str, dict[int, Figures]] = {}
    posts_child: dict[str, dict] = {}
    base = len(division.path)
    for length in _child_lengths(division):
        where = "division_path LIKE %s AND LENGTH(division_path) > %s"
        params = [prefix, base]
        key = f"SUBSTR(division_path, 1, {base + length})"
        by_child.update(rollup(key, where, params))
        posts_child.update(rollup(key, where, params, posts=True))
    here_where = "division_path = %s"
    by_unit = rollup("organisation_id", here_where, [division.path])
    posts_unit = rollup("organisation_id", here_where, [division.path], posts=True)
    return by_child, posts_child, by_unit, posts_unit


def _split(sql: str, params: list) -> tuple[dict, dict]:
    """Run ``sql`` (key, dimension, approved, occupied, vacant, excess) into
    (key → type id → figures, key → post kind → figures)."""
    types: dict[str, dict] = {}
    posts: dict[str, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, dimension, approved, occupied, vacant, excess in cursor.fetchall():
            figures = Figures(int(approved), int(occupied), int(vacant), int(excess))
            if dimension.startswith("t"):
                types.setdefault(str(key), {})[int(dimension[1:])] = figures
            else:
                posts.setdefault(str(key), {})[dimension[1:]] = figures
    return types, posts


UNIT_COLUMNS = """dimension, approved, occupied,
    CASE WHEN approved > occupied THEN approved - occupied ELSE 0 END,
    CASE WHEN occupied > approved THEN occupied - approved ELSE 0 END"""


COUNTY_PATH_LENGTH = 21  # "510000/510100/510121/": DivisionFigures' finest key


def division_rollup(division: Division) -> tuple[dict, dict, dict, dict]:
    """The same figures as ``recount_division``, from the trigger-maintained aggregates.

    Above county level the child rows come from DivisionFigures (county granularity, a
    few hundred rows per province); at county level and below from UnitFigures (per unit,
    vacancy and excess computed per row). Plus one exact lookup for the division's own
    units. One query per child-code length, and one more.
    """
    division_table = connection.ops.quote_name(DivisionFigures._meta.db_table)
    unit_table = connection.ops.quote_name(UnitFigures._meta.db_table)
    by_child: dict[str, dict] = {}
    posts_child: dict[str, dict] = {}
    base = len(division.path)
    for length in _child_lengths(division):
        key = f"SUBSTR(division_path, 1, {base + length})"
        if base + length <= COUNTY_PATH_LENGTH:
            sql = f"""SELECT {key}, dimension, SUM(approved), SUM(occupied), SUM(vacant),
                             SUM(excess)
                      FROM {division_table}
                      WHERE division_path LIKE %s AND LENGTH(division_path) > %s
                      GROUP BY {key}, dimension"""  # noqa: S608
        else:
            sql = f"""SELECT {key}, dimension, SUM(approved), SUM(occupied),
                        SUM(CASE WHEN approved > occupied THEN approved - occupied ELSE 0 END),
                        SUM(CASE WHEN occupied > approved THEN occupied - approved ELSE 0 END)
                      FROM {unit_table}
                      WHERE division_path LIKE %s AND LENGTH(division_path) > %s
                      GROUP BY {key}, dimension"""  # noqa: S608
        types, posts = _split(sql, [_like_prefix(division.path), base])
        by_child.update(types)
        posts_child.update(posts)
    by_unit, posts_unit = _split(
        f"SELECT organisation_id, {UNIT_COLUMNS} FROM {unit_table} WHERE division_path = %s",  # noqa: S608
        [division.path],
    )
    return by_child, posts_child, by_unit, posts_unit


def unit_rollup(unit: Organisation) -> tuple[dict, dict]:
    """Per organisation of ``unit``'s subtree: (id → type id → figures, id → post → figures)."""
    unit_table = connection.ops.quote_name(UnitFigures._meta.db_table)
    _ledger, _person, org = _tables()
    return _split(
        f"""SELECT organisation_id, {UNIT_COLUMNS} FROM {unit_table}
            WHERE organisation_id IN (SELECT id FROM {org} WHERE path LIKE %s)""",  # noqa: S608
        [_like_prefix(unit.path)],
    )


def recount_unit(unit: Organisation) -> tuple[dict, dict]:
    """``unit_rollup`` recomputed from the ledgers and personnel."""
    _ledger, _person, org = _tables()
    where = f"organisation_id IN (SELECT id FROM {org} WHERE path LIKE %s)"  # noqa: S608
    params = [_like_prefix(unit.path)]
    return rollup("organisation_id", where, params), rollup(
        "organisation_id", where, params, posts=True
    )


# --- Scope ---------------------------------------------------------------------------------


def _scope(user) -> int:
    scope = scope_for(user, VIEW_STATISTICS)
    if scope is None or scope == DataScope.OWN_RECORDS:
        raise PermissionDenied(_("您没有查看编制统计的权限。"))
    return scope


def division_in_scope(user, code: str) -> Division:
    """The division ``code`` if ``user`` may see its statistics, else 404."""
    scope = _scope(user)
    division = Division.objects.filter(code=code).select_related("parent").first()
    if division is None:
        raise Http404
    if scope == DataScope.ALL:
        return division
    organisation = user.organisation
    if (
        scope == DataScope.DIVISION_AND_BELOW
        and organisation is not None
        and division.path.startswith(organisation.division_path)
    ):
        return division
    raise Http404


def unit_in_scope(user, pk: int) -> Organisation:
    """The organisation ``pk`` if ``user`` may see its statistics, else 404."""
    _scope(user)
    unit = (
        Organisation.objects.for_user(user, VIEW_STATISTICS)
        .select_related("division")
        .filter(pk=pk)
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def home_target(user) -> tuple[str, object]:
    """Where a user's statistics start: ("division", code) or ("unit", pk)."""
    scope = _scope(user)
    if scope == DataScope.ALL:
        roots = list(Division.objects.filter(parent__isnull=True).values_list("code", flat=True))
        if len(roots) == 1:
            return "division", roots[0]
        return "divisions", roots
    if user.organisation is None:
        raise Http404
    if scope == DataScope.DIVISION_AND_BELOW:
        return "division", user.organisation.division.code
    return "unit", user.organisation.pk


def _ancestors(division: Division | None) -> list[Division]:
    chain = []
    while division is not None:
        chain.insert(0, division)
        division = division.parent
    return chain


def _types() -> list[EstablishmentType]:
    return list(EstablishmentType.objects.filter(is_active=True))


def division_report(user, code: str) -> Report:
    """Statistics of a division subtree with one row per child division and per 本级 unit."""
    division = division_in_scope(user, code)
    by_child, posts_child, by_unit, posts_unit = division_rollup(division)
    rows = []
    for child in Division.objects.filter(parent=division).order_by("code"):
        rows.append(
            Row(
                "division",
                child.code,
                child.name,
                by_child.get(child.path, {}),
                posts_child.get(child.path, {}),
            )
        )
    unit_ids = set(by_unit) | set(posts_unit)
    units = Organisation.objects.filter(pk__in=[int(i) for i in unit_ids]).order_by("path")
    for unit in units.only("pk", "name", "path"):
        key = str(unit.pk)
        rows.append(Row("unit", key, unit.name, by_unit.get(key, {}), posts_unit.get(key, {})))
    ancestors = visible_ancestors(user, division)
    return Report("division", division.name, division, None, _types(), rows, ancestors)


def visible_ancestors(user, division: Division | None) -> list[Division]:
    """The breadcrumb of divisions above (and including) ``division`` the user may open."""
    scope = _scope(user)
    if scope == DataScope.ALL:
        return _ancestors(division)
    if scope == DataScope.DIVISION_AND_BELOW and user.organisation is not None:
        floor = user.organisation.division_path
        return [d for d in _ancestors(division) if d.path.startswith(floor)]
    return []


def unit_report(user, pk: int) -> Report:
    """Statistics of one unit's subtree (the unit, its internal departments and subordinate
    units), one row per organisation in tree order."""
    unit = unit_in_scope(user, pk)
    by_unit, posts = unit_rollup(unit)
    visible = set(
        Organisation.objects.for_user(user, VIEW_STATISTICS)
        .filter(path__startswith=unit.path)
        .values_list("pk", flat=True)
    )
    rows = []
    depth0 = unit.path.count("/")
    for member in unit.subtree().order_by("path").only("pk", "name", "path"):
        key = str(member.pk)
        rows.append(
            Row(
                "unit",
                key,
                member.name,
                by_unit.get(key, {}),
                posts.get(key, {}),
                linkable=member.pk in visible and member.pk != unit.pk,
                depth=member.path.count("/") - depth0,
            )
        )
    ancestors = visible_ancestors(user, unit.division)
    return Report("unit", unit.name, unit.division, unit, _types(), rows, ancestors)
