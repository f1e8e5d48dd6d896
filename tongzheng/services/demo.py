"""演示办件: a service catalogue and a year of applications for ``tongzheng demo``.

Registered in apps.py with ``platform.add_demo_generator``; runs after the demo
government exists, inside the demo's transaction.

**Catalogue** (事项): for the top division and every county of the demo, the items of
``ITEMS`` whose implementing department exists there — each with its materials
(必要 / 非必要 / 容缺后补) and an ordered process whose stages hold one or several
departments' tasks in parallel (并联审批). Every third item has two versions: the first
published before the history starts, the second (a shorter promised limit, 压缩承诺时限)
half-way through; an application keeps the version current when it was filed.

**Applications** (办件): spread over the last year, each following the lifecycle of
``services.actions`` — submitted (受理 task, 5 working days), refused at acceptance (不予受理)
or accepted (the application's clock starts with the version's promised limit), every
stage's department tasks started at once and decided one by one (a refusal ends the
stage when the stage says so), the decision task with the working days left, the result
task (制证, 10 working days) and the ``Result`` row, close-out (办结). Each step that
happened before the moment of generation is written with its ``ApplicationEvent``
(sequence, from / to status); the first step still ahead leaves its task open, so old
applications are closed and recent ones are in every state, some of them over their
limit (red cards derived at read time). Clock fields follow ``core.timed.deadline`` on
the official calendar exactly (the test recomputes them).

Left out: 补正 notices, special procedures (听证、检测 …), extensions, uploaded files, and
好差评 ratings — ``supervision.public`` offers no bulk way to write ratings, and one
``record_rating`` per application would take hours at a million. Supervision warnings
are not raised for historical lateness either (only live actions raise them).

Demo query codes (查询码) are derived from the seed and the number (``demo_query_code``)
so that benchmarks can look demo applications up; demo data never goes to production.

Sizes by scale: test 200, county 5,000, city 1,000,000, province 1,000,000
(``options["applications"]`` overrides). PostgreSQL: worker processes format COPY text
in batches, the parent streams it, secondary indexes and foreign keys are rebuilt after
the load; SQLite: ``bulk_create``.
"""

import bisect
import datetime
import hashlib
import hmac
import json
import multiprocessing
import random
import time
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

SCALE_APPLICATIONS = {"test": 200, "county": 5000, "city": 1_000_000, "province": 1_000_000}
HISTORY_DAYS = {"test": 120}
DEFAULT_HISTORY_DAYS = 365
BATCH_APPLICATIONS = 10_000
APPLICANT_POOL = {"test": 30, "county": 500, "city": 20_000, "province": 20_000}
ACCEPTANCE_LIMIT = 5  # services.actions.ACCEPTANCE_LIMIT_DAYS
RESULT_LIMIT = 10  # services.actions.RESULT_LIMIT_DAYS
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # services.models.CODE_ALPHABET
DAY = 86_400.0

# key, name, type, template key of the implementing department, legal / promised limit,
# handling kind, result (type, name), fee, visits, online required, weight, materials,
# stages (name, working days, department template keys, refusal ends the stage).
R, OPT, D = "required", "optional", "deferrable"
ITEMS = (
    (
        "000105001000",
        "个体工商户设立登记",
        "07",
        "market",
        15,
        3,
        ("licence", "营业执照"),
        False,
        0,
        True,
        12,
        (("个体工商户登记申请书", R), ("经营者身份证明", R), ("经营场所使用证明", D)),
        (("登记审查", 2, ("market",), True),),
    ),
    (
        "000101002000",
        "食品经营许可",
        "01",
        "market",
        20,
        10,
        ("licence", "食品经营许可证"),
        False,
        1,
        False,
        8,
        (
            ("食品经营许可申请书", R),
            ("营业执照复印件", R),
            ("食品安全管理制度文本", R),
            ("经营设施设备布局图", OPT),
        ),
        (("材料审查", 3, ("market",), True), ("现场核查", 5, ("market", "health"), True)),
    ),
    (
        "000101003000",
        "建筑工程施工许可证核发",
        "01",
        "housing",
        15,
        7,
        ("licence", "建筑工程施工许可证"),
        False,
        0,
        True,
        4,
        (
            ("建筑工程施工许可申请表", R),
            ("建设工程规划许可证", R),
            ("施工合同", R),
            ("安全施工措施资料", D),
        ),
        (
            ("并联审查", 4, ("housing", "natural_resources", "emergency"), True),
            ("审核发证", 2, ("housing",), True),
        ),
    ),
    (
        "000101004000",
        "建设工程规划许可证核发",
        "01",
        "natural_resources",
        20,
        12,
        ("licence", "建设工程规划许可证"),
        False,
        1,
        True,
        3,
        (("建设工程规划许可申请表", R), ("建设用地权属证明", R), ("设计方案总平面图", R)),
        (("联合审查", 7, ("natural_resources", "housing", "transport", "water"), False),),
    ),
    (
        "000101005000",
        "取水许可",
        "01",
        "water",
        45,
        20,
        ("licence", "取水许可证"),
        False,
        1,
        False,
        1,
        (("取水许可申请书", R), ("建设项目水资源论证报告", R), ("取水单位身份证明", R)),
        (("材料审查", 10, ("water",), True), ("论证审查", 7, ("water", "natural_resources"), True)),
    ),
    (
        "000101006000",
        "医疗机构执业登记",
        "01",
        "health",
        45,
        20,
        ("licence", "医疗机构执业许可证"),
        False,
        1,
        False,
        1,
        (("医疗机构执业登记申请书", R), ("房屋产权或使用证明", R), ("医务人员资格证明", R)),
        (("材料审查", 10, ("health",), True), ("现场审核", 7, ("health", "market"), True)),
    ),
    (
        "000101007000",
        "公共场所卫生许可",
        "01",
        "health",
        20,
        10,
        ("licence", "公共场所卫生许可证"),
        False,
        1,
        True,
        5,
        (("卫生许可申请书", R), ("营业执照复印件", R), ("卫生检测报告", D)),
        (("审查", 5, ("health",), True),),
    ),
    (
        "000101008000",
        "社会团体成立登记",
        "01",
        "civil_affairs",
        60,
        30,
        ("licence", "社会团体法人登记证书"),
        False,
        1,
        False,
        1,
        (("成立登记申请书", R), ("章程草案", R), ("业务主管单位批准文件", R), ("验资报告", R)),
        (
            ("材料审查", 10, ("civil_affairs",), True),
            ("征求意见", 10, ("civil_affairs", "public_security"), True),
        ),
    ),
    (
        "000107009000",
        "最低生活保障对象认定",
        "07",
        "civil_affairs",
        30,
        20,
        ("certificate", "最低生活保障证"),
        False,
        0,
        False,
        6,
        (("最低生活保障申请书", R), ("家庭收入和财产状况声明", R), ("户口簿", R)),
        (("入户调查与审核", 10, ("civil_affairs", "human_resources"), False),),
    ),
    (
        "000121010000",
        "就业创业证申领",
        "21",
        "human_resources",
        5,
        0,
        ("certificate", "就业创业证"),
        False,
        0,
        True,
        10,
        (("居民身份证", R), ("就业创业证申领表", R)),
        (),
    ),
    (
        "000121011000",
        "城乡居民养老保险参保登记",
        "21",
        "social_insurance",
        5,
        1,
        ("other", "参保登记回执"),
        False,
        0,
        True,
        14,
        (("参保登记表", R), ("居民身份证", R)),
        (("审核", 1, ("social_insurance",), True),),
    ),
    (
        "000101012000",
        "道路旅客运输经营许可",
        "01",
        "transport",
        20,
        10,
        ("licence", "道路运输经营许可证"),
        False,
        1,
        False,
        2,
        (("道路旅客运输经营申请表", R), ("车辆技术等级评定证明", R), ("安全生产管理制度", R)),
        (("审查", 5, ("transport", "public_security"), True),),
    ),
    (
        "000101013000",
        "烟花爆竹经营（零售）许可",
        "01",
        "emergency",
        20,
        10,
        ("licence", "烟花爆竹经营（零售）许可证"),
        True,
        1,
        False,
        2,
        (("零售经营许可申请书", R), ("经营场所产权证明", R), ("安全管理制度", OPT)),
        (
            ("审查", 5, ("emergency", "public_security"), True),
            ("现场核查", 3, ("emergency",), True),
        ),
    ),
    (
        "000101014000",
        "农药经营许可",
        "01",
        "agriculture",
        20,
        15,
        ("licence", "农药经营许可证"),
        False,
        1,
        False,
        2,
        (("农药经营许可申请表", R), ("营业场所和仓储场所证明", R)),
        (("审查", 10, ("agriculture",), True),),
    ),
    (
        "000101015000",
        "林木采伐许可证核发",
        "01",
        "forestry",
        10,
        5,
        ("licence", "林木采伐许可证"),
        False,
        0,
        True,
        2,
        (("林木采伐申请书", R), ("林权证明", R), ("伐区调查设计", OPT)),
        (("审查", 3, ("forestry", "natural_resources"), True),),
    ),
    (
        "000101016000",
        "出版物零售单位设立审批",
        "01",
        "culture",
        20,
        10,
        ("approval", "出版物经营许可证"),
        False,
        0,
        True,
        1,
        (("设立申请书", R), ("营业执照复印件", R), ("经营场所证明", R)),
        (("审查", 7, ("culture",), True),),
    ),
)
LEGAL_BASIS = "《中华人民共和国行政许可法》及{name}相关法律、行政法规规定。"
REFUSAL_REASONS = (
    "申请事项依法不需要取得行政许可。",
    "申请事项不属于本行政机关职权范围。",
    "申请材料存在虚假内容。",
)
TASK_REFUSALS = ("现场核查不符合要求。", "材料与实际情况不符。", "不符合相关规划要求。")
DECISION_REFUSAL = "经审查，申请不符合法定条件，不予许可。"

APPLICATION_COLUMNS = (
    "id",
    "number",
    "code_hash",
    "applicant_id",
    "applicant_name",
    "item_id",
    "version_id",
    "organisation_id",
    "division_path",
    "channel",
    "form_data",
    "status",
    "current_stage_id",
    "created_at",
    "submitted_at",
    "accepted_at",
    "decided_at",
    "decision_reason",
    "closed_at",
    "started_at",
    "limit_working_days",
    "due_at",
    "warning_at",
    "paused_since",
    "paused_working_days",
    "finished_at",
)
TASK_COLUMNS = (
    "application_id",
    "kind",
    "stage_id",
    "stage_task_id",
    "organisation_id",
    "division_path",
    "outcome",
    "opinion",
    "decided_by_id",
    "created_at",
    "started_at",
    "limit_working_days",
    "due_at",
    "warning_at",
    "paused_since",
    "paused_working_days",
    "finished_at",
)
EVENT_COLUMNS = (
    "application_id",
    "sequence",
    "action",
    "actor_id",
    "actor_role",
    "organisation_id",
    "at",
    "from_status",
    "to_status",
    "note",
    "detail",
)
RESULT_COLUMNS = (
    "application_id",
    "licence_number",
    "document",
    "fee_amount",
    "issued_at",
    "issued_by_id",
)


def demo_query_code(seed: int, number: str) -> str:
    """The 查询码 of a demo application (derived, so that benchmarks can look it up)."""
    digest = hmac.new(f"tongzheng-services-demo-{seed}".encode(), number.encode(), "sha256")
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest.digest()[:8])


# -- the working-day calendar as tables (workers never touch the database) -----------


@dataclass(frozen=True)
class Calendar:
    """Working days of the official calendar as local day numbers (days since 1970-01-01).

    Mirrors ``core.timed.deadline`` and ``core.calendar.working_days_between`` without a
    call per row; built once from ``core.calendar`` in the parent.
    """

    offset: float  # seconds east of UTC of the platform's zone
    working: tuple  # sorted local day numbers that are working days

    def day(self, ts: float) -> int:
        return int((ts + self.offset) // DAY)

    def add(self, day: int, n: int) -> int:
        if n == 0:
            return day
        if n > 0:
            return self.working[bisect.bisect_right(self.working, day) + n - 1]
        return self.working[bisect.bisect_left(self.working, day) + n]

    def deadline(self, ts: float, limit: int) -> tuple[float, float]:
        due = self.add(self.day(ts), limit)
        warning = self.add(due, -1)
        # The last microsecond of the due day, the first of the warning day (timed.py).
        return (due + 1) * DAY - self.offset - 1e-6, warning * DAY - self.offset

    def between(self, ts: float, until: float) -> int:
        """Working days in (day of ts, day of until]."""
        right = bisect.bisect_right
        return right(self.working, self.day(until)) - right(self.working, self.day(ts))


def _calendar(first: float, last: float) -> Calendar:
    from tongzheng.core import calendar

    offset = timezone.localtime().utcoffset().total_seconds()
    start = int((first + offset) // DAY) - 40
    stop = int((last + offset) // DAY) + 200  # deadlines of steps begun before now
    epoch = datetime.date(1970, 1, 1)
    working = tuple(
        n for n in range(start, stop) if calendar.is_working_day(epoch + datetime.timedelta(days=n))
    )
    return Calendar(offset, working)


# -- the plan -------------------------------------------------------------------------


@dataclass
class Plan:
    """Everything a worker needs, built once in the parent (no database in the workers)."""

    seed: int
    first_id: int
    start: float
    span: float
    now: float
    # (item id, organisation id, division path, fee, licence prefix,
    #  ((version id, published ts, promised limit, stages), ...)) where a stage is
    #  (stage id, name, limit, refusal ends, ((stage task id, org id, path, org name), ...))
    items: tuple
    cumulative: tuple  # cumulative item weights
    applicants: tuple  # ((user id, name), ...)
    staff_id: int | None
    staff_role: str
    calendar: Calendar
    copy: bool


NULL = "\\N"


def _copy_value(value) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):  # a POSIX time
        return datetime.datetime.fromtimestamp(value, datetime.UTC).isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    return str(value)


def _copy_text(rows) -> str:
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)


def make_batch(plan: Plan, batch: int, first: int, count: int):
    """Applications ``first`` .. ``first + count - 1``: four row lists (or COPY texts)."""
    rng = random.Random(plan.seed * 7_919 + batch)
    rand, uniform = rng.random, rng.uniform
    cal = plan.calendar
    now = plan.now
    items, cumulative = plan.items, plan.cumulative
    total_weight = cumulative[-1]
    applicants = plan.applicants
    staff, role = plan.staff_id, plan.staff_role
    applications, tasks, events, results = [], [], [], []
    fromts = datetime.datetime.fromtimestamp
    offset_zone = datetime.timezone(datetime.timedelta(seconds=cal.offset))
    empty = {}

    for position in range(first, first + count):
        app_id = plan.first_id + position
        # Submissions cluster in office hours of working days, spread over the period.
        t0 = plan.start + rand() * plan.span
        local = fromts(t0, offset_zone)
        t0 += (9 + rand() * 8 - local.hour - local.minute / 60) * 3600
        if t0 > now:
            t0 = now - rand() * 3600
        item_id, org_id, path, fee, prefix, versions = items[
            bisect.bisect(cumulative, rand() * total_weight)
        ]
        version_id, _published, promised, stages = versions[0]
        for candidate in versions[1:]:
            if candidate[1] <= t0:
                version_id, _published, promised, stages = candidate
        number = f"SQ{fromts(t0, offset_zone):%Y%m%d}{app_id:010d}"
        code = demo_query_code(plan.seed, number)
        code_hash = hashlib.new("sm3", f"{number}:{code}".encode()).hexdigest()
        applicant_id, applicant_name = applicants[int(rand() * len(applicants))]
        roll = rand()
        channel = "online" if roll < 0.7 else ("window" if roll < 0.95 else "post")
        seq = 0
        status = "draft"

        # ``event`` and ``task`` are called only within this iteration, so reading the
        # loop's ``app_id`` is safe (B023 guards against closures called later).
        def event(action, to_status, at, actor, actor_role, organisation, note="", detail=empty):
            nonlocal seq, status
            seq += 1
            events.append(
                (
                    app_id,  # noqa: B023
                    seq,
                    action,
                    actor,
                    actor_role,
                    organisation,
                    at,
                    status,
                    to_status,
                    note,
                    detail,
                )
            )
            status = to_status

        def task(kind, stage_id, stage_task_id, organisation, task_path, start, limit, end, out):
            """One task started at ``start``; finished at ``end`` with ``out`` if that is
            before now, else left open (pending)."""
            due, warning = cal.deadline(start, limit)
            done = end is not None and end <= now
            tasks.append(
                (
                    app_id,  # noqa: B023
                    kind,
                    stage_id,
                    stage_task_id,
                    organisation,
                    task_path,
                    out[0] if done else "pending",
                    out[1] if done else "",
                    staff if done else None,
                    start,
                    start,
                    limit,
                    due,
                    warning,
                    None,
                    0,
                    end if done else None,
                )
            )
            return done

        event("submit", "submitted", t0, applicant_id, "申请人", None)
        accepted_at = decided_at = closed_at = started = due = warning = finished = None
        limit = 0
        reason = ""
        current_stage = None
        t = t0 + uniform(0.05, 3.0) * DAY
        refused_acceptance = rand() < 0.04
        outcome = ("refused", REFUSAL_REASONS[0]) if refused_acceptance else ("done", "")
        if task("acceptance", None, None, org_id, path, t0, ACCEPTANCE_LIMIT, t, outcome):
            if refused_acceptance:
                reason = REFUSAL_REASONS[int(rand() * len(REFUSAL_REASONS))]
                closed_at = t
                event("refuse_acceptance", "not_accepted", t, staff, role, org_id, reason)
            else:
                accepted_at = started = t
                limit = promised
                due, warning = cal.deadline(t, limit)
                event("accept", "reviewing" if stages else "deciding", t, staff, role, org_id)
                refused = False
                for stage_id, stage_name, stage_limit, refusal_ends, departments in stages:
                    current_stage = stage_id
                    stage_start = t
                    finishes = []
                    for department in departments:
                        spent = uniform(0.1, 1.25) * max(stage_limit, 0.3) * 1.4 * DAY
                        finishes.append((stage_start + spent, rand() < 0.03, department))
                    finishes.sort()
                    open_left = len(finishes)
                    ended = False
                    for end, says_no, department in finishes:
                        st_id, dept_org, dept_path, dept_name = department
                        if ended:  # cancelled by a sibling's refusal at ``t``
                            task(
                                "review",
                                stage_id,
                                st_id,
                                dept_org,
                                dept_path,
                                stage_start,
                                stage_limit,
                                t,
                                ("cancelled", "本环节已有部门不同意，环节结束。"),
                            )
                            continue
                        opinion = (
                            TASK_REFUSALS[int(rand() * len(TASK_REFUSALS))] if says_no else "同意。"
                        )
                        outcome = ("refused", opinion) if says_no else ("approved", opinion)
                        if not task(
                            "review",
                            stage_id,
                            st_id,
                            dept_org,
                            dept_path,
                            stage_start,
                            stage_limit,
                            end,
                            outcome,
                        ):
                            continue  # still with the department
                        open_left -= 1
                        t = end
                        refused = refused or says_no
                        ends = says_no and refusal_ends
                        last = open_left == 0 or ends
                        is_last_stage = stage_id == stages[-1][0]
                        to_status = "deciding" if last and (ends or is_last_stage) else "reviewing"
                        event(
                            "refuse_task" if says_no else "approve_task",
                            to_status,
                            end,
                            staff,
                            role,
                            dept_org,
                            opinion,
                            {"stage": stage_name, "department": dept_name},
                        )
                        if ends:
                            ended = True
                            open_left = 0
                    if open_left or ended:
                        break  # a department is still at work, or a refusal ended it
                if status == "deciding":
                    current_stage = None
                    remaining = max(0, cal.between(t, due))
                    end = t + uniform(0.05, 2.0) * DAY
                    approve = not refused and rand() > 0.02
                    outcome = ("approved", "") if approve else ("refused", DECISION_REFUSAL)
                    if task("decision", None, None, org_id, path, t, remaining, end, outcome):
                        t = decided_at = end
                        reason = "" if approve else DECISION_REFUSAL
                        event(
                            "approve" if approve else "refuse",
                            "approved" if approve else "refused",
                            t,
                            staff,
                            role,
                            org_id,
                            reason,
                        )
                        if approve:
                            end = t + uniform(0.05, 2.5) * DAY
                            licence = f"{prefix}{fromts(end, offset_zone):%Y}{app_id:08d}"
                            if task(
                                "result",
                                None,
                                None,
                                org_id,
                                path,
                                t,
                                RESULT_LIMIT,
                                end,
                                ("done", licence),
                            ):
                                t = end
                                results.append((app_id, licence, "", fee, t, staff))
                                event("issue_result", "issued", t, staff, role, org_id, licence)
                        if status in ("issued", "refused"):
                            end = t + uniform(0.0, 1.0) * DAY
                            if end <= now:
                                closed_at = finished = end
                                event("close", "closed", end, staff, role, org_id)
        applications.append(
            (
                app_id,
                number,
                code_hash,
                applicant_id,
                applicant_name,
                item_id,
                version_id,
                org_id,
                path,
                channel,
                empty,
                status,
                current_stage if status == "reviewing" else None,
                t0,
                t0,
                accepted_at,
                decided_at,
                reason if status in ("not_accepted", "refused", "closed") else "",
                closed_at,
                started,
                limit,
                due,
                warning,
                None,
                0,
                finished,
            )
        )
    if plan.copy:
        return (
            _copy_text(applications),
            _copy_text(tasks),
            _copy_text(events),
            _copy_text(results),
            count,
        )
    return applications, tasks, events, results, count


def _make_batch_star(args):
    return make_batch(*args)


# -- the parent: catalogue, plan, write, report ---------------------------------------


def _application_count(scale: str, options: dict) -> int:
    wanted = options.get("applications")
    return SCALE_APPLICATIONS.get(scale, SCALE_APPLICATIONS["county"]) if wanted is None else wanted


def _reserve_range(model, count: int) -> int:
    """The first of ``count`` consecutive primary keys nobody else will get."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s),"
                " nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                [table, pk, table, pk, count],
            )
            return cursor.fetchone()[0] - count + 1
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 - names from _meta
        return cursor.fetchone()[0] + 1


def build_catalogue(builder, start: float, middle: float) -> tuple[list, dict]:
    """Items, versions, materials, stages and stage tasks; returns the plan's item tuples."""
    from tongzheng.services.models import (
        ItemVersion,
        Material,
        ServiceItem,
        Stage,
        StageTask,
    )

    keyed = builder.keyed
    zone = timezone.get_current_timezone()
    first_published = datetime.datetime.fromtimestamp(start - 30 * DAY, zone)
    second_published = datetime.datetime.fromtimestamp(middle, zone)
    places = [
        d
        for d in sorted(builder.divisions, key=lambda d: d.path)
        if d.level <= 3 and (d.code, "government") in keyed
    ]
    wanted = []  # (division, template, lead)
    for division in places:
        for template in ITEMS:
            lead = keyed.get((division.code, template[3]))
            if lead is not None:
                wanted.append((division, template, lead))
    items = ServiceItem.objects.bulk_create(
        [
            ServiceItem(
                implementation_code=f"11{division.code}{template[0]}{n:04d}",
                organisation_id=lead.id,
                division_path=lead.division.path,
            )
            for n, (division, template, lead) in enumerate(wanted)
        ]
    )
    if connection.vendor != "postgresql":  # bulk_create sets pks on PostgreSQL and SQLite 3.35+
        codes = {i.implementation_code: i for i in ServiceItem.objects.all()}
        items = [codes[i.implementation_code] for i in items]
    version_rows = []  # (item, template, lead, division, number, published, promised)
    for n, (item, (division, template, lead)) in enumerate(zip(items, wanted, strict=True)):
        legal, promised = template[4], template[5]
        if n % 3 == 0 and promised > 0:
            earlier = min(legal, promised + max(1, promised // 2))
            version_rows.append((item, template, lead, division, 1, first_published, earlier))
            version_rows.append((item, template, lead, division, 2, second_published, promised))
        else:
            version_rows.append((item, template, lead, division, 1, first_published, promised))
    versions = []
    for item, template, lead, division, number, published, promised in version_rows:
        result_type, result_name = template[6]
        versions.append(
            ItemVersion(
                item=item,
                number=number,
                basic_code=template[0],
                name=template[1],
                item_type=template[2],
                level="3" if division.level <= 2 else "4",
                legal_basis=LEGAL_BASIS.format(name=template[1]),
                legal_limit=template[4],
                promised_limit=promised,
                limit_unit="working_days",
                handling_kind="immediate" if promised == 0 else "promised",
                acceptance_conditions="申请人具有完全民事行为能力，申请材料齐全、符合法定形式。",
                fee_charged=template[7],
                fee_description="按规定标准收取" if template[7] else "",
                fee_basis="《四川省行政事业性收费目录清单》" if template[7] else "",
                visits_required=template[8],
                result_type=result_type,
                result_name=result_name,
                enquiry_channel=f"{lead.name}窗口（{division.name}政务服务中心）",
                complaint_channel="12345政务服务便民热线",
                online_required=template[9],
                published_at=published,
                change_note="" if number == 1 else "压缩承诺时限",
            )
        )
    versions = ItemVersion.objects.bulk_create(versions)
    if connection.vendor != "postgresql":
        stored = {(v.item_id, v.number): v for v in ItemVersion.objects.all()}
        versions = [stored[(v.item_id, v.number)] for v in versions]
    materials, stages, stage_keys = [], [], []
    for version, (_item, template, _lead, division, *_rest) in zip(
        versions, version_rows, strict=True
    ):
        for order, (name, requirement) in enumerate(template[11], start=1):
            materials.append(
                Material(
                    version=version,
                    order=order,
                    name=name,
                    requirement=requirement,
                    form="electronic" if order % 2 else "both",
                    source="government" if "证" in name and order > 1 else "applicant",
                )
            )
        for order, (name, limit, keys, refusal_ends) in enumerate(template[12], start=1):
            stages.append(
                Stage(
                    version=version,
                    order=order,
                    name=name,
                    limit_working_days=limit,
                    refusal_ends_stage=refusal_ends,
                )
            )
            stage_keys.append((division, keys))
    Material.objects.bulk_create(materials, batch_size=2000)
    stages = Stage.objects.bulk_create(stages, batch_size=2000)
    if connection.vendor != "postgresql":
        stored = {(s.version_id, s.order): s for s in Stage.objects.all()}
        stages = [stored[(s.version_id, s.order)] for s in stages]
    stage_tasks = []
    for stage, (division, keys) in zip(stages, stage_keys, strict=True):
        for key in keys:
            department = keyed.get((division.code, key))
            if department is not None:
                stage_tasks.append(
                    StageTask(stage=stage, organisation_id=department.id, duty=department.name)
                )
    StageTask.objects.bulk_create(stage_tasks, batch_size=2000)
    current = {}
    for version in versions:
        current[version.item_id] = version  # the highest number comes last
    for item in items:
        item.current_version = current[item.pk]
    ServiceItem.objects.bulk_update(items, ["current_version"], batch_size=2000)

    departments = {}
    for st in StageTask.objects.filter(stage__in=stages).order_by("pk"):
        departments.setdefault(st.stage_id, []).append(st)
    org_rows = {row.id: row for row in keyed.values()}
    by_version = {}
    for stage in stages:
        tasks = tuple(
            (st.pk, st.organisation_id, org_rows[st.organisation_id].division.path, st.duty)
            for st in departments.get(stage.pk, ())
        )
        if tasks:
            by_version.setdefault(stage.version_id, []).append(
                (stage.pk, stage.name, stage.limit_working_days, stage.refusal_ends_stage, tasks)
            )
    plan_items, weights = [], []
    versions_of = {}
    for version, (item, *_rest) in zip(versions, version_rows, strict=True):
        versions_of.setdefault(item.pk, []).append(
            (
                version.pk,
                version.published_at.timestamp(),
                version.promised_limit,
                tuple(by_version.get(version.pk, ())),
            )
        )
    for item, (division, template, lead) in zip(items, wanted, strict=True):
        fee = "50.00" if template[7] else "0"
        prefix = f"{division.code}{template[0][4:6]}"
        plan_items.append(
            (item.pk, lead.id, lead.division.path, fee, prefix, tuple(versions_of[item.pk]))
        )
        # The counties carry most of the work; the city's own items are fewer cases.
        weights.append(template[10] * (1.0 if division.level == 3 else 0.5))
    counts = {
        "services_items": len(items),
        "services_item_versions": len(versions),
        "services_materials": len(materials),
        "services_stages": len(stages),
        "services_stage_tasks": len(stage_tasks),
    }
    return (plan_items, weights), counts


def _applicants(builder, size: int) -> tuple:
    """A pool of citizen accounts (实名个人用户) filing the applications."""
    from tongzheng.accounts.models import User
    from tongzheng.core.demo.people import random_name

    rng = random.Random(builder.seed + 11)
    users = [
        User(
            username=f"demo_citizen_{n:06d}",
            kind="citizen",
            full_name=random_name(rng, rng.random() < 0.5),
            password="!",  # unusable: demo applicants do not sign in
        )
        for n in range(1, size + 1)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    return tuple(
        User.objects.filter(username__startswith="demo_citizen_")
        .order_by("pk")
        .values_list("pk", "full_name")
    )


def _copy_chunk(model, columns, text: str) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(n).column) for n in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy,
    ):
        copy.write(text)


@contextmanager
def _explicit_timestamps(*models):
    """Let bulk_create keep the historical created_at (auto_now_add would overwrite it)."""
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _aware(value):
    if isinstance(value, float):
        return datetime.datetime.fromtimestamp(value, datetime.UTC)
    return value


def _bulk_write(models, columns, batch) -> None:
    for model, names, rows in zip(models, columns, batch[:4], strict=True):
        attnames = [model._meta.get_field(n).attname for n in names]
        model.objects.bulk_create(
            [model(**dict(zip(attnames, map(_aware, row), strict=True))) for row in rows],
            batch_size=1000,
        )


def generate_applications(builder, options: dict) -> None:
    """The demo generator hook (``platform.add_demo_generator``): catalogue and 办件."""
    from tongzheng.accounts.models import User
    from tongzheng.core.demo.writer import indexes_built_afterwards
    from tongzheng.services.models import Application, ApplicationEvent, ApplicationTask, Result

    count = _application_count(builder.scale, options)
    started = time.perf_counter()
    now = time.time()
    days = HISTORY_DAYS.get(builder.scale, DEFAULT_HISTORY_DAYS)
    start = now - days * DAY
    (plan_items, weights), counts = build_catalogue(builder, start, start + days * DAY / 2)
    builder.report.counts.update(counts)
    builder.report.phase("service catalogue", started, sum(counts.values()))
    if not plan_items or count == 0:
        return
    started = time.perf_counter()
    applicants = _applicants(builder, APPLICANT_POOL.get(builder.scale, 500))
    staff = User.objects.filter(username="service").first()
    cumulative, acc = [], 0.0
    for weight in weights:
        acc += weight
        cumulative.append(acc)
    plan = Plan(
        seed=builder.seed,
        first_id=_reserve_range(Application, count),
        start=start,
        span=days * DAY - 3600,
        now=now,
        items=tuple(plan_items),
        cumulative=tuple(cumulative),
        applicants=applicants,
        staff_id=staff.pk if staff else None,
        staff_role=("、".join(str(r.name) for r in staff.roles.all()) if staff else "")[:100]
        or "工作人员",
        calendar=_calendar(start, now),
        copy=connection.vendor == "postgresql",
    )
    tasks = [
        (plan, n, first, min(BATCH_APPLICATIONS, count - first))
        for n, first in enumerate(range(0, count, BATCH_APPLICATIONS))
    ]
    models = (Application, ApplicationTask, ApplicationEvent, Result)
    columns = (APPLICATION_COLUMNS, TASK_COLUMNS, EVENT_COLUMNS, RESULT_COLUMNS)
    written = dict.fromkeys(("applications", "tasks", "events", "results"), 0)

    def write(batch):
        if plan.copy:
            for model, names, text, key in zip(models, columns, batch[:4], written, strict=True):
                _copy_chunk(model, names, text)
                written[key] += text.count("\n")
        else:
            _bulk_write(models, columns, batch)
            for key, rows in zip(written, batch[:4], strict=True):
                written[key] += len(rows)

    with ExitStack() as stack:
        timings = [stack.enter_context(indexes_built_afterwards(m)) for m in models]
        stack.enter_context(_explicit_timestamps(*models))
        fork = "fork" in multiprocessing.get_all_start_methods()
        if builder.workers > 1 and len(tasks) > 1 and fork:
            # At most two batches per worker in flight: COPY sets the pace.
            context = multiprocessing.get_context("fork")
            with context.Pool(builder.workers) as pool:
                pending = deque()
                for task in tasks:
                    pending.append(pool.apply_async(_make_batch_star, (task,)))
                    if len(pending) >= 2 * builder.workers:
                        write(pending.popleft().get())
                while pending:
                    write(pending.popleft().get())
        else:
            for task in tasks:
                write(make_batch(*task))
    report = builder.report
    report.counts["services_applicants"] = len(applicants)
    for key, value in written.items():
        report.counts[f"services_{key}"] = value
    report.phase("service applications", started, sum(written.values()))
    rebuild = sum(t["rebuild_seconds"] for t in timings)
    if rebuild:
        report.phases.append(("  of which: indexes and foreign keys rebuilt", rebuild, 0))
