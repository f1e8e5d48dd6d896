"""Reads of the supervision dashboard (电子监察看板), always scoped to the caller.

Every module's timed tasks come through ``tongzheng.core.timed``: no module is named
here. The red / yellow status is derived from the stored deadline at read time.

One aggregate query gives the dashboard's module counts, its drill-down by division and
its drill-down by department together: the open tasks grouped by (module, division
path, organisation) with the four clock counts, rolled up in Python (a city has a few
hundred such groups, however many tasks). It reads the trigger-kept ``OpenTaskCount``
(``open_counts.py``: open tasks per clock, not per task) and applies "now" when read;
a model or scope the counter cannot answer for is counted from its tasks.
"""

import datetime
from dataclasses import dataclass, field
from heapq import merge

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connections
from django.db.models import BigIntegerField, Count, Q, Sum
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.core.access import DataScope, has_permission, scope_for
from tongzheng.core.models import Division, Organisation
from tongzheng.core.timed import (
    TimedStatus,
    division_path_lookup,
    organisation_lookup,
    timed_querysets_for,
    timed_task_models,
)
from tongzheng.supervision import open_counts
from tongzheng.supervision.kinds import warning_kind_label
from tongzheng.supervision.models import DailySnapshot, OpenTaskCount, SystemWarning, Urge
from tongzheng.supervision.snapshots import TREND_VERSION_KEY

VIEW_DASHBOARD = "supervision.view_dashboard"
LIST_PAGE_SIZE = 20
#: Rows of each list on the dashboard itself: a preview; the list pages hold the rest.
DASHBOARD_LIST_SIZE = 10
DEPARTMENT_LIMIT = 50
TREND_DAYS = 30
TREND_CACHE_SECONDS = 24 * 3600
STATUSES = ("red", "yellow", "normal", "paused")


@dataclass
class Counts:
    red: int = 0
    yellow: int = 0
    normal: int = 0
    paused: int = 0

    def add(self, other: "Counts | dict") -> None:
        for name in STATUSES:
            value = other[name] if isinstance(other, dict) else getattr(other, name)
            setattr(self, name, getattr(self, name) + (value or 0))

    @property
    def open(self) -> int:
        return self.red + self.yellow + self.normal + self.paused


@dataclass
class ModuleRow:
    label: str  # "hotline.ticket"
    name: str  # 工单 (热线与信箱)
    counts: Counts


@dataclass
class PlaceRow:
    key: str  # division code or organisation pk
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass(frozen=True)
class TaskRow:
    title: str
    url: str
    due_at: datetime.datetime | None
    status: str
    module: str
    model: str
    pk: object
    organisation: str


@dataclass
class Dashboard:
    root: Division | None  # the widest division the user sees (None: the whole country)
    division: Division | None  # the division drilled into
    trail: list  # the divisions from the root down to ``division``
    department: Organisation | None  # the department drilled into
    totals: Counts
    modules: list[ModuleRow]
    divisions: list[PlaceRow]  # one row per child division of ``division``
    departments: list[PlaceRow]  # departments in ``division`` with open tasks, worst first


def require_dashboard(user) -> None:
    if not has_permission(user, VIEW_DASHBOARD):
        raise PermissionDenied(_("您没有查看电子监察的权限。"))


def root_path(user, permission: str = VIEW_DASHBOARD) -> str:
    """The division path every row the user sees starts with ("" for the whole country)."""
    if scope_for(user, permission) == DataScope.ALL:
        return ""
    organisation = user.organisation
    return organisation.division_path if organisation else "\0"


def resolve_place(
    user, *, division_code: str = "", department_id: str = "", permission=VIEW_DASHBOARD
):
    """(root division, drilled division, department) after checking both are in scope (404).

    Remembered on the user object for the request: one page asks several times.
    """
    memo = user.__dict__.setdefault("_supervision_places", {})
    key = (division_code, str(department_id), permission)
    if key not in memo:
        memo[key] = _resolve_place(user, division_code, department_id, permission)
        root, division, _department = memo[key]
        if division is not None:
            # The page then asks for the division it landed on by code (the trend): the
            # same answer, already checked to be in scope.
            memo.setdefault((division.code, "", permission), (root, division, None))
    return memo[key]


def _resolve_place(user, division_code, department_id, permission):
    path = root_path(user, permission)
    root = Division.objects.filter(path=path).first() if path else None
    division = root
    if division_code:
        division = Division.objects.filter(code=division_code).first()
        if division is None or not division.path.startswith(path):
            raise Http404
    department = None
    if department_id:
        if not str(department_id).isdigit():
            raise Http404
        department = (
            Organisation.objects.for_user(user, permission).filter(pk=department_id).first()
        )
        if department is None:
            raise Http404
        if division is not None and not department.division_path.startswith(division.path):
            division = department.division
    return root, division, department


def _narrow(model, queryset, division, department, root=None):
    """Filter to the drilled place (the root needs no filter: the scope already is one)."""
    if department is not None:
        return queryset.filter(**{organisation_lookup(model): department.pk})
    if division is not None and division != root:
        return queryset.filter(**{f"{division_path_lookup(model)}__startswith": division.path})
    return queryset


def _compile_union(parts):
    """(SQL, params, database alias) of ``_union_all(parts)``; SQL is "" when nothing is asked."""
    selects, params, alias = [], [], None
    for n, (tag, queryset) in enumerate(parts):
        try:
            sql, part_params = queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            continue
        alias = alias or queryset.db
        # Only Django's compiled SQL and integers go into the text; values stay parameters.
        selects.append(f"SELECT {int(tag)} AS tag, u{n}.* FROM ({sql}) u{n}")  # noqa: S608
        params.extend(part_params)
    return " UNION ALL ".join(selects), params, alias


def _run(sql, params, alias):
    if not sql:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _union_all(parts):
    """Rows of several querysets in one round trip: ``(tag, *columns)`` per row.

    ``parts`` is ``[(tag, queryset), ...]``; every queryset must select the same number of
    compatible columns. Each one is compiled by Django (parameters stay parameters) and
    wrapped as a derived table, so a sliced and ordered queryset keeps its own ORDER BY and
    LIMIT on both engines. A queryset that can match nothing (``.none()``) is left out.
    On a machine shared by many processes every round trip costs milliseconds, which is
    why the dashboard asks once for all modules rather than once per module.
    """
    return _run(*_compile_union(parts))


#: Compiled statements of the dashboard, per user and place (see ``_cached``).
_COMPILED: dict = {}
_COMPILED_MAX = 1024
#: Stands for "now" while a statement is compiled; replaced by the real instant per request.
_STAND_IN = datetime.datetime(1900, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC)


def _cached(key, build, now):
    """Run ``build(at)`` — ``(tag, queryset)`` parts, as for ``_union_all`` — compiled once.

    Building and compiling the dashboard's dozen querysets took about a tenth of the
    page's CPU time, for SQL that is the same on every request of one user at one place:
    only "now" changes. So the statement is compiled once with a stand-in instant and
    kept per process under ``key`` (which names everything the SQL depends on: the
    user, the scope, the organisation and the place); each request swaps the stand-in
    parameter for the real ``now``. Values stay parameters.
    """
    entry = _COMPILED.get(key)
    if entry is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        entry = _COMPILED[key] = _compile_union(build(_STAND_IN))
    sql, params, alias = entry
    if not sql:
        return []
    adapt = connections[alias].ops.adapt_datetimefield_value
    stand_in, real = adapt(_STAND_IN), adapt(now)
    return _run(sql, [real if param == stand_in else param for param in params], alias)


def _compile_key(user, *parts) -> tuple:
    """What a dashboard statement depends on besides "now" (for ``_cached``)."""
    organisation = user.organisation
    return (
        *parts,
        user.pk,
        scope_for(user, VIEW_DASHBOARD),
        organisation and (organisation.pk, organisation.path, organisation.division_path),
        tuple(timed_task_models()),
    )


def _grouped_counts(model, queryset, now):
    """The open tasks grouped by (division path, organisation id), not run yet.

    Columns: division path, organisation id, open, paused, red, yellow. 正常 is the rest
    (open − paused − red − yellow): two filtered counts per row instead of four, which is
    most of the work of this query. Every count reads ``due_at`` (never the primary key),
    so an index on the open tasks holding the clock columns answers it without touching
    the table (an index-only scan on PostgreSQL). A task whose clock has not started (a
    draft) has no ``due_at`` and is not counted, as before.
    """
    running = Q(paused_since__isnull=True)
    division_key, organisation_key = division_path_lookup(model), organisation_lookup(model)
    return (
        queryset.open()
        .order_by()
        .values_list(division_key, organisation_key)
        .annotate(
            open_count=Count("due_at"),
            paused_count=Count("paused_since"),
            red_count=Count("due_at", filter=running & Q(due_at__lt=now)),
            yellow_count=Count("due_at", filter=running & Q(warning_at__lte=now, due_at__gte=now)),
        )
    )


def _total(condition=None):
    """SUM of the counter's tasks (where ``condition``), 0 over no row, as an integer.

    PostgreSQL's SUM of a bigint is a numeric, read as a ``Decimal``: slow to convert
    for thousands of rows, hence the cast.
    """
    return Coalesce(
        Cast(Sum("tasks", filter=condition), BigIntegerField()), 0, output_field=BigIntegerField()
    )


def _counted_rows(scoped, user, division, department, root, now):
    """The grouped counts of the counted models, read from ``OpenTaskCount`` in one query.

    Returns (rows, the indexes into ``scoped`` it answered for); rows are
    ``(n, division path, organisation id, open, paused, red, yellow)`` as from
    ``_grouped_counts``. A scope the counter has no column for (own records) answers for
    no model: those are counted live. The scope filter mirrors
    ``ScopedQuerySet.for_user`` on the counter's columns. The models with a division path
    of their own are read without a join; a model scoped through its organisation takes
    the organisation's division path, joined when read (its own part of the UNION ALL).
    """
    labels = open_counts.counted_labels()
    index = {
        model._meta.label_lower: n
        for n, (model, _queryset) in enumerate(scoped)
        if model._meta.label_lower in labels
    }
    scope = scope_for(user, VIEW_DASHBOARD)
    if not index or scope == DataScope.OWN_RECORDS:
        return [], set()
    organisation = user.organisation
    if scope is None or scope != DataScope.ALL and organisation is None:
        return [], set(index.values())
    own = [label for label, n in index.items() if scoped[n][0].scope_fields.division_path]
    kinds = (
        ("division_path", own),
        ("organisation__division_path", [label for label in index if label not in own]),
    )

    def part(path, models, at):
        queryset = OpenTaskCount.objects.filter(model__in=models)
        if scope == DataScope.OWN_ORGANISATION:
            queryset = queryset.filter(organisation_id=organisation.pk)
        elif scope == DataScope.ORGANISATION_AND_BELOW:
            queryset = queryset.filter(organisation__path__startswith=organisation.path)
        elif scope != DataScope.ALL:
            queryset = queryset.filter(**{f"{path}__startswith": organisation.division_path})
        if department is not None:
            queryset = queryset.filter(organisation_id=department.pk)
        elif division is not None and division != root:
            queryset = queryset.filter(**{f"{path}__startswith": division.path})
        running = Q(paused=False)
        return (
            queryset.order_by()
            .values_list("model", path, "organisation_id")
            .annotate(
                open_count=_total(),
                paused_count=_total(Q(paused=True)),
                red_count=_total(running & Q(due_at__lt=at)),
                yellow_count=_total(running & Q(warning_at__lte=at, due_at__gte=at)),
            )
        )

    def parts(at):
        return [(k, part(path, models, at)) for k, (path, models) in enumerate(kinds) if models]

    place = (division and division.path, department and department.pk, root and root.path)
    rows = [
        (index[label], *rest)
        for _tag, label, *rest in _cached(
            _compile_key(user, "counts", *place, frozenset(index)), parts, now
        )
    ]
    return rows, set(index.values())


def _counts_of(open_count, paused, red, yellow) -> Counts:
    return Counts(red=red, yellow=yellow, normal=open_count - paused - red - yellow, paused=paused)


def _child_path(path: str, parent_path: str) -> str | None:
    """The path of the child of ``parent_path`` that ``path`` lies in (None: at the parent)."""
    if not path.startswith(parent_path) or path == parent_path:
        return None
    rest = path[len(parent_path) :]
    return parent_path + rest.split("/", 1)[0] + "/"


def dashboard(user, *, division_code="", department_id="", now=None) -> Dashboard:
    require_dashboard(user)
    now = now or timezone.now()
    root, division, department = resolve_place(
        user, division_code=division_code, department_id=department_id
    )
    parent_path = division.path if division else ""
    scoped = timed_querysets_for(user, VIEW_DASHBOARD)
    # The trigger-kept counters (open_counts.py) answer for the models counted there, in
    # one query; any other model is counted live: a UNION ALL of one grouped count each.
    rows, counted = _counted_rows(scoped, user, division, department, root, now)
    rows += _union_all(
        (n, _grouped_counts(model, _narrow(model, queryset, division, department, root), now))
        for n, (model, queryset) in enumerate(scoped)
        if n not in counted
    )
    # Plain [open, paused, red, yellow] sums while rolling up (a city has a few thousand
    # rows), turned into ``Counts`` once at the end; each path's child is worked out once.
    per_model = [[0, 0, 0, 0] for _model in scoped]
    by_child: dict[str, list] = {}
    by_department: dict[int, list] = {}
    children: dict[str, str | None] = {}
    for n, path, organisation_id, *figures in rows:
        figures = [value or 0 for value in figures]
        path = path or ""
        if path not in children:
            children[path] = _child_path(path, parent_path)
        targets = [per_model[n]]
        if children[path] is not None:
            targets.append(by_child.setdefault(children[path], [0, 0, 0, 0]))
        if organisation_id is not None:
            targets.append(by_department.setdefault(organisation_id, [0, 0, 0, 0]))
        for sums in targets:
            for i, value in enumerate(figures):
                sums[i] += value
    per_model = [_counts_of(*sums) for sums in per_model]
    by_child = {path: _counts_of(*sums) for path, sums in by_child.items()}
    totals, modules = Counts(), []
    for (model, _queryset), counts in zip(scoped, per_model, strict=True):
        totals.add(counts)
        modules.append(
            ModuleRow(
                model._meta.label_lower,
                f"{model._meta.verbose_name}（{model.timed_module_label()}）",
                counts,
            )
        )
    # The trail (root → drilled division) and the child divisions: one query. At the root
    # the trail is the root alone, already loaded.
    trail_paths = []
    if division is not None and division != root:
        trail_paths = [
            p for p in _prefixes(division.path) if p.startswith(root.path if root else "")
        ]
    known = (
        {d.path: d for d in Division.objects.filter(path__in=list(by_child) + trail_paths)}
        if by_child or trail_paths
        else {}
    )
    divisions = sorted(
        (
            PlaceRow(known[path].code, known[path].name, counts)
            for path, counts in by_child.items()
            if path in known
        ),
        key=lambda row: (-row.counts.red, -row.counts.yellow, row.key),
    )
    # Sorted on the plain sums (red, yellow, open); only the worst become ``Counts``.
    worst = [
        (pk, _counts_of(*sums))
        for pk, sums in sorted(
            by_department.items(), key=lambda item: (-item[1][2], -item[1][3], -item[1][0])
        )[:DEPARTMENT_LIMIT]
    ]
    names = (
        dict(
            Organisation.objects.filter(pk__in=[pk for pk, _counts in worst]).values_list(
                "pk", "name"
            )
        )
        if worst
        else {}
    )
    departments = [PlaceRow(str(pk), names[pk], counts) for pk, counts in worst if pk in names]
    if division is None:
        trail = []
    elif division == root:
        trail = [root]
    else:
        trail = [known[p] for p in sorted(trail_paths) if p in known]
    return Dashboard(
        root=root,
        division=division,
        trail=trail,
        department=department,
        totals=totals,
        modules=modules,
        divisions=divisions,
        departments=departments,
    )


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def _related(model) -> list[str]:
    """The required forward foreign keys of ``model`` (one level) and its organisation path.

    A module's ``timed_title()`` usually names a required related row (the unit, the item,
    the rating): joining them keeps a page of titles to one query per module without
    naming the module. Optional links (an operator, a mailbox) are left out: each join
    costs planning time on every request.
    """
    names = [
        field.name
        for field in model._meta.concrete_fields
        if (field.many_to_one or field.one_to_one)
        and not field.null
        and field.remote_field.model is not model
    ]
    lookup = organisation_lookup(model)
    if lookup and lookup not in names:
        names.append(lookup)
    return names


def task_page(
    user, status: str, *, division_code="", department_id="", page=1, now=None, totals=None
):
    """One page of red (or yellow) tasks over every module, earliest deadline first.

    ``totals`` ({model label: count}, from ``dashboard()``) saves the count queries.
    """
    return task_pages(
        user,
        (status,),
        division_code=division_code,
        department_id=department_id,
        page=page,
        now=now,
        totals={status: totals} if totals is not None else None,
    )[status]


def task_pages(
    user,
    statuses,
    *,
    division_code="",
    department_id="",
    page=1,
    now=None,
    totals=None,
    size=None,
) -> dict:
    """{status: page} for the red and / or yellow lists, all modules merged by deadline.

    Keys first: each (module, status) contributes at most ``page × LIST_PAGE_SIZE`` pairs
    ``(due_at, pk)``, all read in ONE query (a UNION ALL of ordered, limited parts); they
    are merged by ``due_at``. Then the full rows of the chosen page(s) only: one query per
    module that has rows on them, for both lists together, with the required foreign keys
    joined (no N+1 for the titles). ``totals`` is {status: {model label: count}} from
    ``dashboard()``; without it each list is counted (one query per module). ``size``
    is the page size (default ``LIST_PAGE_SIZE``; the dashboard shows a shorter preview).
    """
    require_dashboard(user)
    for status in statuses:
        if status not in (TimedStatus.RED, TimedStatus.YELLOW):
            raise Http404
    now = now or timezone.now()
    root, division, department = resolve_place(
        user, division_code=division_code, department_id=department_id
    )
    page = max(1, int(page))
    size = size or LIST_PAGE_SIZE
    wanted = page * size
    scoped = [
        (model, _narrow(model, queryset, division, department, root))
        for model, queryset in timed_querysets_for(user, VIEW_DASHBOARD)
    ]

    def chosen(queryset, status, at):
        return queryset.red(at) if status == TimedStatus.RED else queryset.yellow(at)

    count = {status: 0 for status in statuses}
    for status in statuses:
        for model, queryset in scoped:
            if totals is not None:
                count[status] += totals[status][model._meta.label_lower]
            else:
                count[status] += chosen(queryset, status, now).count()

    def keys(at):
        # Ordered by due_at alone: every task due the same day shares one due_at (the
        # end of that day), and a tie-breaker would make PostgreSQL read the whole
        # day's group, finished tasks included (500 ms instead of 0.1 ms for a city).
        return [
            (
                s * len(scoped) + m,
                chosen(queryset, status, at)
                .order_by("due_at")
                .values_list("due_at", "pk")[:wanted],
            )
            for s, status in enumerate(statuses)
            for m, (_model, queryset) in enumerate(scoped)
        ]

    place = (division and division.path, department and department.pk, root and root.path)
    streams = {(s, m): [] for s in range(len(statuses)) for m in range(len(scoped))}
    for tag, due_at, pk in _cached(
        _compile_key(user, "keys", tuple(statuses), wanted, *place), keys, now
    ):
        s, m = divmod(tag, len(scoped))
        streams[(s, m)].append((_aware(due_at), m, pk))
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    start = (page - 1) * size
    chosen_keys = {}
    wanted_pks: dict[int, set] = {}
    for s, status in enumerate(statuses):
        module_streams = [
            sorted(streams[(s, m)], key=lambda k: k[0] or far) for m in range(len(scoped))
        ]
        merged = list(merge(*module_streams, key=lambda key: key[0] or far))
        chosen_keys[status] = merged[start : start + size]
        for _due_at, m, pk in chosen_keys[status]:
            wanted_pks.setdefault(m, set()).add(pk)
    loaded = {}
    for m, pks in wanted_pks.items():
        model, queryset = scoped[m]
        for task in queryset.open().select_related(*_related(model)).filter(pk__in=pks):
            loaded[(m, task.pk)] = task
    result = {}
    for status in statuses:
        rows = []
        for _due_at, m, pk in chosen_keys[status]:
            task = loaded.get((m, pk))
            if task is None:  # finished between the two reads
                continue
            model = scoped[m][0]
            rows.append(
                TaskRow(
                    title=str(task.timed_title()),
                    url=task.get_absolute_url(),
                    due_at=task.due_at,
                    status=status,
                    module=model.timed_module_label(),
                    model=model._meta.label_lower,
                    pk=task.pk,
                    organisation=str(_organisation_name(task, organisation_lookup(model))),
                )
            )
        pages = max(1, -(-count[status] // size))
        result[status] = {
            "rows": rows,
            "page": page,
            "pages": pages,
            "total": count[status],
            "has_next": page < pages,
            "has_previous": page > 1,
        }
    return result


def _aware(value):
    """A raw cursor returns SQLite datetimes as text and may return naive values."""
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def _organisation_name(task, lookup: str) -> str:
    obj = task
    for part in lookup.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    return obj.name


def warnings(user, *, division_code="", department_id="", kind="", limit=20):
    """(counts by kind, the newest ``limit`` warnings) in the user's scope and place."""
    require_dashboard(user)
    _root, division, department = resolve_place(
        user, division_code=division_code, department_id=department_id
    )
    queryset = SystemWarning.objects.for_user(user, VIEW_DASHBOARD)
    if department is not None:
        queryset = queryset.filter(organisation=department)
    elif division is not None:
        queryset = queryset.filter(division_path__startswith=division.path)
    by_kind = [
        {"kind": row["kind"], "label": warning_kind_label(row["kind"]), "count": row["count"]}
        for row in queryset.order_by().values("kind").annotate(count=Count("pk"))
    ]
    by_kind.sort(key=lambda row: -row["count"])
    if kind:
        queryset = queryset.filter(kind=kind)
    recent = list(queryset.select_related("organisation")[:limit])
    for warning in recent:
        warning.kind_label = warning_kind_label(warning.kind)
    return by_kind, recent


def trend(user, *, division_code="", days=TREND_DAYS, today=None) -> dict:
    """Daily red / yellow / open / finished counts from ``DailySnapshot`` for the chart.

    Snapshots are kept per division, so only a user whose scope is a whole division
    (or everything) sees a trend; a narrower scope gets an empty chart.
    """
    require_dashboard(user)
    scope = scope_for(user, VIEW_DASHBOARD)
    if scope not in (DataScope.DIVISION_AND_BELOW, DataScope.ALL):
        return {"days": [], "red": [], "yellow": [], "open": [], "finished": []}
    _root, division, _department = resolve_place(user, division_code=division_code)
    today = today or timezone.localdate()
    # Past days do not change: the chart is kept per (division, day) until a snapshot is
    # written (``snapshots.TREND_VERSION_KEY``) or the day ends. The live counts on the
    # cards never come from here.
    key = ":".join(
        (
            "supervision:trend",
            str(cache.get(TREND_VERSION_KEY, 0)),
            division.path if division is not None else "",
            today.isoformat(),
            str(days),
        )
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    since = today - datetime.timedelta(days=days - 1)
    queryset = DailySnapshot.objects.filter(day__gte=since, day__lte=today)
    if division is not None:
        queryset = queryset.filter(division_path__startswith=division.path)
    sums = {
        row["day"]: row
        for row in queryset.order_by()
        .values("day")
        .annotate(
            red=Sum("red_count"),
            yellow=Sum("yellow_count"),
            open=Sum("open_count"),
            finished=Sum("finished_count"),
        )
    }
    result = {"days": [], "red": [], "yellow": [], "open": [], "finished": []}
    for offset in range(days):
        day = since + datetime.timedelta(days=offset)
        row = sums.get(day, {})
        result["days"].append(day.isoformat())
        for name in ("red", "yellow", "open", "finished"):
            result[name].append(row.get(name) or 0)
    cache.set(key, result, TREND_CACHE_SECONDS)
    return result


def recent_urges(user, *, division_code="", department_id="", limit=10):
    """The newest 催办 / 督办 in the user's scope and place."""
    require_dashboard(user)
    _root, division, department = resolve_place(
        user, division_code=division_code, department_id=department_id
    )
    queryset = Urge.objects.for_user(user, VIEW_DASHBOARD)
    if department is not None:
        queryset = queryset.filter(organisation=department)
    elif division is not None:
        queryset = queryset.filter(division_path__startswith=division.path)
    return list(queryset.select_related("organisation", "urged_by")[:limit])
