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

**Pauses**: about 8 % of applications get a 补正 notice before 受理 and 3 % of the
accepted ones another in 审查 (``request_supplement``: once per phase, the version's
materials and free text, every open clock stopped; the applicant's ``resubmit`` within a
fortnight restarts them). Items that need one (``SPECIAL_KINDS``) send 12 % of their
accepted applications through a special procedure — 听证, 检验, 检测, 鉴定 or 专家评审,
with its reason, start, end and outcome — in one review stage or while deciding. A pause
starts before any department of its stage has answered, so all of them are stopped
together (并联). Finished pauses move the deadlines by their working days; recent ones are
still open: the application is 待补正 or 特别程序中 and its clocks are paused.

**好差评**: 45 % of the closed or not-accepted applications are rated by their applicant
(five levels; online ones also score supervision's indicators), most of them 非常满意,
refusals and late ones worse. A bad rating (不满意, 非常不满意) opens its rectification
(15 working days) as ``supervision.actions`` does; the department answers it, sometimes
late, and 70 % of the raters re-rate afterwards; a few are appealed (申诉: the clock stops
until a supervisor decides; upheld, the rating is excluded). These rows are
supervision's: ``supervision.public`` has no bulk writer and one ``record_rating`` per
application would take hours at a million, so ``_Case.rate`` mirrors its actions.

Left out: extensions (延长办理期限), uploaded files, notifications, audit records of the
historical steps, and supervision warnings for historical lateness (only live actions
raise them).

Demo query codes (查询码) are derived from the seed and the number (``demo_query_code``)
so that benchmarks can look demo applications up; demo data never goes to production.

Sizes by scale: test 200, county 5,000, city 1,000,000, province 1,000,000
(``options["applications"]`` overrides). PostgreSQL: worker processes format COPY text
in batches, the parent streams it, secondary indexes and foreign keys are rebuilt after
the load; SQLite: one prepared INSERT per table and batch.
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
from contextlib import ExitStack
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

# 补正 (一次性告知补正): the share of applications told to supplement before 受理 and
# during 审查 (once each at most, as request_supplement allows); the applicant answers
# within a fortnight, so only recent notices are still open.
SUPPLEMENT_BEFORE_ACCEPTANCE = 0.08
SUPPLEMENT_IN_REVIEW = 0.03
SUPPLEMENT_OTHER_ITEMS = ("申请表缺少法定代表人签字。", "身份证明复印件不清晰。", "")
SUPPLEMENT_NOTE = "请一次性补齐上述材料后重新提交，补正期间不计入办理时限。"
# 特别程序: the kinds an item's review may need (by basic code), the share of its
# accepted applications that go through one, and per kind (label, reason, outcome,
# calendar days it takes: lowest, highest).
SPECIAL_KINDS = {
    "000101002000": ("inspection",),
    "000101003000": ("expert_review",),
    "000101004000": ("hearing", "expert_review"),
    "000101005000": ("expert_review", "testing"),
    "000101006000": ("inspection", "expert_review"),
    "000101007000": ("testing",),
    "000101012000": ("inspection",),
    "000101013000": ("inspection",),
    "000101014000": ("testing",),
    "000101015000": ("appraisal",),
}
SPECIAL_SHARE = 0.12
SPECIAL = {
    "hearing": (
        "听证",
        "申请事项直接关系他人重大利益，利害关系人申请听证。",
        "听证会已举行，听证笔录作为决定依据。",
        15,
        35,
    ),
    "inspection": ("检验", "需对经营场所和设施进行现场检验。", "现场检验合格。", 2, 10),
    "testing": ("检测", "需委托有资质的机构进行检测。", "检测报告结论为合格。", 3, 15),
    "appraisal": ("鉴定", "需委托专业机构进行鉴定。", "鉴定意见已出具。", 5, 20),
    "expert_review": ("专家评审", "技术方案需组织专家评审。", "专家评审通过。", 5, 20),
}
# 好差评 (supervision's Rating, Rectification and Appeal): who rates, how, and what
# follows a bad rating. Levels are 5 非常满意 … 1 非常不满意, drawn from cumulative
# shares that depend on how the application went.
RATED_SHARE = 0.45
LEVELS = (5, 4, 3, 2, 1)
LEVEL_SHARES_DONE = (0.86, 0.97, 0.994, 0.998, 1.0)
LEVEL_SHARES_LATE = (0.6, 0.84, 0.95, 0.98, 1.0)
LEVEL_SHARES_REFUSED = (0.35, 0.58, 0.8, 0.92, 1.0)
LEVEL_SHARES_RERATED = (0.45, 0.8, 0.95, 0.98, 1.0)
RATING_COMMENTS = {
    5: ("办事效率高，工作人员很耐心。", "网上申请方便，一次都没跑。", "", ""),
    4: ("整体满意，材料要求可以再写清楚些。", ""),
    3: ("等待时间有点长。", ""),
    2: ("补正要求前后不一致，多跑了一趟。", "不予办理的理由没有讲清楚。"),
    1: ("办理超时，电话咨询无人接听。", "对办理结果不满意。"),
}
RERATING_COMMENT = "部门已回访说明，问题已解决。"
RECTIFICATION_ANSWERS = (
    "已回访申请人说明情况，并完善一次性告知清单。",
    "已约谈窗口工作人员，加强业务培训。",
    "已优化办理流程，压缩审查环节用时。",
)
APPEAL_SHARE_REFUSED = 0.15  # of bad ratings of a refused application: the department appeals
APPEAL_SHARE = 0.02  # of the other bad ratings
APPEAL_UPHELD_SHARE = 0.5
APPEAL_REASON = "差评针对依法作出的不予许可结果，与服务质量无关。"
APPEAL_UPHELD = "经核查，差评系对法定不予许可结果不满，申诉成立，不计入评价。"
APPEAL_REJECTED = "经核查，办理中存在告知不清的问题，申诉不成立，请整改。"
RERATED_SHARE = 0.7

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
SUPPLEMENT_COLUMNS = (
    "id",
    "application_id",
    "other_items",
    "note",
    "issued_at",
    "issued_by_id",
    "resume_status",
    "resubmitted_at",
)
SUPPLEMENT_MATERIAL_COLUMNS = ("supplementnotice_id", "material_id")
SPECIAL_COLUMNS = (
    "application_id",
    "kind",
    "reason",
    "started_at",
    "started_by_id",
    "ended_at",
    "ended_by_id",
    "outcome",
    "resume_status",
)
RATING_COLUMNS = (
    "id",
    "subject_type",
    "subject_id",
    "subject_repr",
    "organisation_id",
    "division_path",
    "level",
    "indicators",
    "comment",
    "rater_id",
    "rated_at",
    "rerating_of_id",
    "excluded",
)
RECTIFICATION_COLUMNS = (
    "id",
    "rating_id",
    "organisation_id",
    "division_path",
    "status",
    "answer",
    "answered_by_id",
    "created_at",
    "started_at",
    "limit_working_days",
    "due_at",
    "warning_at",
    "paused_since",
    "paused_working_days",
    "finished_at",
)
APPEAL_COLUMNS = (
    "rectification_id",
    "reason",
    "filed_by_id",
    "filed_at",
    "decision",
    "reviewed_by_id",
    "reviewed_at",
    "review_comment",
)
#: What one batch writes, in this order (parents before children for SQLite's checks).
TABLES = (
    "applications",
    "tasks",
    "events",
    "results",
    "supplements",
    "supplement_materials",
    "special_procedures",
    "ratings",
    "rectifications",
    "appeals",
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
    first_id: int  # application ids follow on from here, one per position
    supplement_first_id: int  # two notices per position: before 受理, in 审查
    rating_first_id: int  # two ratings per position: the first, the re-rating
    rectification_first_id: int  # one per position
    start: float
    span: float
    now: float
    # (item id, organisation id, division path, fee, licence prefix, name, special kinds,
    #  ((version id, published ts, promised limit, stages, materials), ...)) where a stage
    #  is (stage id, name, limit, refusal ends, ((stage task id, org id, path, org name), ...))
    #  and a material (material id, name)
    items: tuple
    cumulative: tuple  # cumulative item weights
    applicants: tuple  # ((user id, name), ...)
    staff_id: int | None
    staff_role: str
    supervisor_id: int | None  # reviews appeals (申诉审核)
    rectification_limit: int  # working days to answer a bad rating
    indicators: tuple  # keys of supervision's online rating indicators
    calendar: Calendar
    copy: bool


NULL = "\\N"
EMPTY = {}


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


def make_batch(plan: Plan, batch: int, first: int, count: int) -> list:
    """Applications ``first`` .. ``first + count - 1``: one row list (or COPY text) per
    entry of ``TABLES``."""
    rng = random.Random(plan.seed * 7_919 + batch)
    out = {name: [] for name in TABLES}
    # The batch's first bad rating is appealed, then one in 1/share of them: an exact
    # share at any scale, and "an appeal or two" even in the smallest demo (a random
    # draw gave none on some days, since which ratings exist depends on "now").
    appeal_credit = [1.0]
    for position in range(first, first + count):
        _Case(plan, rng, out, position, appeal_credit).run()
    if plan.copy:
        return [_copy_text(out[name]) for name in TABLES]
    return [out[name] for name in TABLES]


def _make_batch_star(args):
    return make_batch(*args)


class _Case:
    """One application's life, written row by row as ``services.actions`` would have.

    Each step that happened before ``plan.now`` is written with its event; the first step
    still ahead leaves its task open. A pause (补正 or 特别程序) stops the application's
    clock (once accepted) and the open tasks' clocks, as ``_pause_all`` does: a finished
    pause adds its working days to their deadlines, an open one leaves them paused.
    """

    __slots__ = (
        "plan",
        "rng",
        "out",
        "position",
        "appeal_credit",
        "app_id",
        "number",
        "name",
        "applicant_id",
        "channel",
        "org_id",
        "path",
        "seq",
        "status",
        "t",
        "accepted_at",
        "decided_at",
        "closed_at",
        "started",
        "limit",
        "due",
        "warning",
        "paused_days",
        "paused_since",
        "finished",
        "reason",
        "current_stage",
    )

    def __init__(
        self, plan: Plan, rng: random.Random, out: dict, position: int, appeal_credit: list
    ):
        self.plan, self.rng, self.out, self.position = plan, rng, out, position
        self.appeal_credit = appeal_credit
        self.app_id = plan.first_id + position
        self.seq = 0
        self.status = "draft"
        self.accepted_at = self.decided_at = self.closed_at = self.finished = None
        self.started = self.due = self.warning = self.paused_since = None
        self.limit = self.paused_days = 0
        self.reason = ""
        self.current_stage = None

    # -- writing ----------------------------------------------------------------------

    def event(self, action, to_status, at, actor, role, organisation, note="", detail=EMPTY):
        self.seq += 1
        self.out["events"].append(
            (
                self.app_id,
                self.seq,
                action,
                actor,
                role,
                organisation,
                at,
                self.status,
                to_status,
                note,
                detail,
            )
        )
        self.status = to_status

    def staff_event(self, action, to_status, at, note="", organisation=None, detail=EMPTY):
        plan = self.plan
        self.event(
            action,
            to_status,
            at,
            plan.staff_id,
            plan.staff_role,
            organisation or self.org_id,
            note,
            detail,
        )

    def task(self, kind, stage, organisation, path, start, limit, end, outcome, pause=None):
        """One task started at ``start``: finished at ``end`` with ``outcome`` if that is
        before now, else left open; ``pause`` (from, to) stops its clock."""
        now, cal = self.plan.now, self.plan.calendar
        paused_days, paused_since = 0, None
        if pause is not None and pause[0] <= now:
            if pause[1] <= now:
                paused_days = cal.between(pause[0], pause[1])
            else:
                paused_since = pause[0]
        due, warning = cal.deadline(start, limit + paused_days)
        done = end is not None and end <= now
        stage_id, stage_task_id = stage or (None, None)
        self.out["tasks"].append(
            (
                self.app_id,
                kind,
                stage_id,
                stage_task_id,
                organisation,
                path,
                outcome[0] if done else "pending",
                outcome[1] if done else "",
                self.plan.staff_id if done else None,
                start,
                start,
                limit,
                due,
                warning,
                paused_since,
                paused_days,
                end if done else None,
            )
        )
        return done

    def pause_clock(self, start, end) -> None:
        """The application's own clock stops from ``start`` to ``end`` (once accepted)."""
        if self.started is None:
            return
        if end <= self.plan.now:
            cal = self.plan.calendar
            self.paused_days += cal.between(start, end)
            self.due, self.warning = cal.deadline(self.started, self.limit + self.paused_days)
        else:
            self.paused_since = start

    def supplement(self, pause, materials, slot: int) -> bool:
        """一次性告知补正 from ``pause[0]``, answered at ``pause[1]``; True once answered."""
        plan, rng = self.plan, self.rng
        issued, answered = pause
        if issued > plan.now:
            return False
        notice = plan.supplement_first_id + 2 * self.position + slot
        asked = rng.sample(materials, 1 if rng.random() < 0.6 else min(2, len(materials)))
        other = SUPPLEMENT_OTHER_ITEMS[int(rng.random() * len(SUPPLEMENT_OTHER_ITEMS))]
        done = answered <= plan.now
        self.out["supplements"].append(
            (
                notice,
                self.app_id,
                other,
                SUPPLEMENT_NOTE,
                issued,
                plan.staff_id,
                self.status,
                answered if done else None,
            )
        )
        self.out["supplement_materials"].extend((notice, m[0]) for m in asked)
        names = "、".join([m[1] for m in asked] + ([other] if other else []))
        resume = self.status
        self.pause_clock(issued, answered)
        self.staff_event("request_supplement", "supplement", issued, f"需补正：{names}")
        if not done:
            return False
        self.event("resubmit", resume, answered, self.applicant_id, "申请人", None)
        return True

    def special(self, pause, kind: str) -> bool:
        """特别程序 of ``kind`` from ``pause[0]`` to ``pause[1]``; True once ended."""
        plan = self.plan
        started, ended = pause
        if started > plan.now:
            return False
        label, reason, outcome, _shortest, _longest = SPECIAL[kind]
        done = ended <= plan.now
        staff = plan.staff_id
        resume = self.status
        self.out["special_procedures"].append(
            (
                self.app_id,
                kind,
                reason,
                started,
                staff,
                ended if done else None,
                staff if done else None,
                outcome if done else "",
                resume,
            )
        )
        self.pause_clock(started, ended)
        self.staff_event("start_special_procedure", "suspended", started, f"{label}：{reason}")
        if not done:
            return False
        self.staff_event("end_special_procedure", resume, ended, outcome)
        return True

    # -- the life ---------------------------------------------------------------------

    def run(self) -> None:
        plan, rng = self.plan, self.rng
        rand = rng.random
        cal = plan.calendar
        # Submissions cluster in office hours of working days, spread over the period.
        t0 = plan.start + rand() * plan.span
        zone = datetime.timezone(datetime.timedelta(seconds=cal.offset))
        local = datetime.datetime.fromtimestamp(t0, zone)
        t0 += (9 + rand() * 8 - local.hour - local.minute / 60) * 3600
        if t0 > plan.now:
            t0 = plan.now - rand() * 3600
        item = plan.items[bisect.bisect(plan.cumulative, rand() * plan.cumulative[-1])]
        item_id, self.org_id, self.path, fee, prefix, self.name, specials, versions = item
        version = versions[0]
        for candidate in versions[1:]:
            if candidate[1] <= t0:
                version = candidate
        self.number = f"SQ{datetime.datetime.fromtimestamp(t0, zone):%Y%m%d}{self.app_id:010d}"
        code = demo_query_code(plan.seed, self.number)
        code_hash = hashlib.new("sm3", f"{self.number}:{code}".encode()).hexdigest()
        self.applicant_id, applicant_name = plan.applicants[int(rand() * len(plan.applicants))]
        roll = rand()
        self.channel = "online" if roll < 0.7 else ("window" if roll < 0.95 else "post")
        self.event("submit", "submitted", t0, self.applicant_id, "申请人", None)
        self.t = t0
        self.live(version, specials, fee, prefix, zone)
        if self.status in ("closed", "not_accepted") and rand() < RATED_SHARE:
            self.rate()
        paused = self.status in ("supplement", "suspended")
        self.out["applications"].append(
            (
                self.app_id,
                self.number,
                code_hash,
                self.applicant_id,
                applicant_name,
                item_id,
                version[0],
                self.org_id,
                self.path,
                self.channel,
                EMPTY,
                self.status,
                self.current_stage if paused or self.status == "reviewing" else None,
                t0,
                t0,
                self.accepted_at,
                self.decided_at,
                self.reason if self.status in ("not_accepted", "refused", "closed") else "",
                self.closed_at,
                self.started,
                self.limit,
                self.due,
                self.warning,
                self.paused_since,
                self.paused_days,
                self.finished,
            )
        )

    def live(self, version, specials, fee, prefix, zone) -> None:
        """From 受理 to 办结, as far as ``plan.now``."""
        plan, rng = self.plan, self.rng
        rand, uniform = rng.random, rng.uniform
        now, cal = plan.now, plan.calendar
        org, path, staff = self.org_id, self.path, plan.staff_id
        _version_id, _published, promised, stages, materials = version
        t0 = self.t
        t = t0 + uniform(0.05, 3.0) * DAY
        pause = None
        if staff is not None and rand() < SUPPLEMENT_BEFORE_ACCEPTANCE:
            issued = t0 + (t - t0) * uniform(0.2, 0.9)
            answered = issued + self.pause_length(None)
            pause = (issued, answered)
            t = answered + uniform(0.05, 2.0) * DAY  # 受理 after the resubmission
        if rand() < 0.04:  # 不予受理, the reason also being the acceptance task's opinion
            reason = REFUSAL_REASONS[int(rand() * len(REFUSAL_REASONS))]
            outcome = ("refused", reason)
        else:
            reason, outcome = "", ("done", "")
        acted = self.task("acceptance", None, org, path, t0, ACCEPTANCE_LIMIT, t, outcome, pause)
        if pause is not None and not self.supplement(pause, materials, 0):
            return
        if not acted:  # still waiting for 受理
            return
        if reason:
            self.reason = reason
            self.closed_at = t
            self.staff_event("refuse_acceptance", "not_accepted", t, self.reason)
            return
        self.accepted_at = self.started = t
        self.limit = promised
        self.due, self.warning = cal.deadline(t, promised)
        self.staff_event("accept", "reviewing" if stages else "deciding", t)
        # Where the review stops its clocks, if it does: a 补正 in the first stage (kind
        # None), or a special procedure in one stage or while deciding (stage -1).
        stop_stage, stop_kind = None, None
        if staff is not None:
            if stages and rand() < SUPPLEMENT_IN_REVIEW:
                stop_stage = 0
            elif specials and rand() < SPECIAL_SHARE:
                stop_kind = specials[int(rand() * len(specials))]
                stop_stage = int(rand() * (len(stages) + 1))
                if stop_stage == len(stages):
                    stop_stage = -1

        refused = False
        for index, (stage_id, stage_name, stage_limit, refusal_ends, departments) in enumerate(
            stages
        ):
            self.current_stage = stage_id
            stage_start = t
            spent = [uniform(0.1, 1.25) * max(stage_limit, 0.3) * 1.4 * DAY for _ in departments]
            pause = None
            if stop_stage == index:
                # Before any department has answered: every one of them is stopped.
                begins = stage_start + min(spent) * uniform(0.2, 0.8)
                pause = (begins, begins + self.pause_length(stop_kind))
                spent = [s + pause[1] - pause[0] for s in spent]
            finishes = sorted(
                (stage_start + s, rand() < 0.03, d) for s, d in zip(spent, departments, strict=True)
            )
            if pause is not None:
                if stop_kind is None:
                    self.supplement(pause, materials, 1)
                else:
                    self.special(pause, stop_kind)
            open_left = len(finishes)
            ended = False
            for end, says_no, department in finishes:
                st_id, dept_org, dept_path, dept_name = department
                if ended:  # cancelled by a sibling's refusal at ``t``
                    self.task(
                        "review",
                        (stage_id, st_id),
                        dept_org,
                        dept_path,
                        stage_start,
                        stage_limit,
                        t,
                        ("cancelled", "本环节已有部门不同意，环节结束。"),
                        pause,
                    )
                    continue
                opinion = TASK_REFUSALS[int(rand() * len(TASK_REFUSALS))] if says_no else "同意。"
                outcome = ("refused", opinion) if says_no else ("approved", opinion)
                if not self.task(
                    "review",
                    (stage_id, st_id),
                    dept_org,
                    dept_path,
                    stage_start,
                    stage_limit,
                    end,
                    outcome,
                    pause,
                ):
                    continue  # still with the department (or stopped)
                open_left -= 1
                t = end
                refused = refused or says_no
                ends = says_no and refusal_ends
                last = open_left == 0 or ends
                is_last_stage = stage_id == stages[-1][0]
                self.staff_event(
                    "refuse_task" if says_no else "approve_task",
                    "deciding" if last and (ends or is_last_stage) else "reviewing",
                    end,
                    opinion,
                    dept_org,
                    {"stage": stage_name, "department": dept_name},
                )
                if ends:
                    ended = True
                    open_left = 0
            if open_left or ended:
                break  # a department is still at work, or a refusal ended it
        if self.status != "deciding":
            return
        self.current_stage = None
        remaining = max(0, cal.between(t, self.due))
        end = t + uniform(0.05, 2.0) * DAY
        pause = None
        if stop_stage == -1:
            begins = t + (end - t) * uniform(0.2, 0.8)
            pause = (begins, begins + self.pause_length(stop_kind))
            end += pause[1] - pause[0]
        approve = not refused and rand() > 0.02
        outcome = ("approved", "") if approve else ("refused", DECISION_REFUSAL)
        decided = self.task("decision", None, org, path, t, remaining, end, outcome, pause)
        if pause is not None and not self.special(pause, stop_kind):
            return
        if not decided:
            return
        t = self.decided_at = end
        self.reason = "" if approve else DECISION_REFUSAL
        self.staff_event(
            "approve" if approve else "refuse", "approved" if approve else "refused", t, self.reason
        )
        if approve:
            end = t + uniform(0.05, 2.5) * DAY
            licence = f"{prefix}{datetime.datetime.fromtimestamp(end, zone):%Y}{self.app_id:08d}"
            if self.task("result", None, org, path, t, RESULT_LIMIT, end, ("done", licence)):
                t = end
                self.out["results"].append((self.app_id, licence, "", fee, t, staff))
                self.staff_event("issue_result", "issued", t, licence)
        if self.status in ("issued", "refused"):
            end = t + uniform(0.0, 1.0) * DAY
            if end <= now:
                self.closed_at = self.finished = end
                self.staff_event("close", "closed", end)

    def pause_length(self, kind) -> float:
        """Seconds a 补正 (kind None: the applicant's answer) or a special procedure takes."""
        if kind is None:
            return self.rng.uniform(0.5, 12.0) * DAY
        _label, _reason, _outcome, shortest, longest = SPECIAL[kind]
        return self.rng.uniform(shortest, longest) * DAY

    # -- 好差评 -------------------------------------------------------------------------

    def indicators(self, level: int) -> dict:
        """The online indicators, each near the overall level (a window rating has none)."""
        if self.channel != "online":
            return EMPTY
        rand = self.rng.random
        return {
            key: min(5, max(1, level + (-1, 0, 0, 1)[int(rand() * 4)]))
            for key in self.plan.indicators
        }

    def rate(self) -> None:
        """The applicant's first rating, and for a bad one its rectification (with an
        appeal now and then) and the re-rating after the department's answer."""
        plan, rng = self.plan, self.rng
        rand = rng.random
        at = self.closed_at + rng.uniform(0.01, 5.0) * DAY
        if at > plan.now:
            return
        refused = bool(self.reason)
        if refused:
            shares = LEVEL_SHARES_REFUSED
        elif self.finished is not None and self.finished > self.due:
            shares = LEVEL_SHARES_LATE
        else:
            shares = LEVEL_SHARES_DONE
        level = LEVELS[bisect.bisect(shares, rand())]
        comments = RATING_COMMENTS[level]
        rating_id = plan.rating_first_id + 2 * self.position
        excluded = level <= 2 and self.rectify(rating_id, at, refused)
        self.out["ratings"].append(
            self.rating_row(
                rating_id, level, comments[int(rand() * len(comments))], at, None, excluded
            )
        )

    def rating_row(self, rating_id, level, comment, at, rerating_of, excluded) -> tuple:
        return (
            rating_id,
            "services.application",
            str(self.app_id),
            f"{self.number} {self.name}"[:200],
            self.org_id,
            self.path,
            level,
            self.indicators(level),
            comment,
            self.applicant_id,
            at,
            rerating_of,
            excluded,
        )

    def rectify(self, rating_id: int, rated_at: float, refused: bool) -> bool:
        """差评整改 as supervision's actions run it; True when an upheld appeal excludes
        the rating."""
        plan, rng = self.plan, self.rng
        rand, uniform = rng.random, rng.uniform
        now, cal, staff = plan.now, plan.calendar, plan.staff_id
        rectification = plan.rectification_first_id + self.position
        status, answer, answered_by, excluded = "open", "", None, False
        paused_days, paused_since, finished = 0, None, None
        after = rated_at
        credit = self.appeal_credit
        credit[0] += APPEAL_SHARE_REFUSED if refused else APPEAL_SHARE
        if staff is not None and credit[0] >= 1:
            credit[0] -= 1
            filed = rated_at + uniform(0.5, 4.0) * DAY
            if filed <= now:
                reviewed = filed + uniform(1.0, 6.0) * DAY
                if reviewed > now or plan.supervisor_id is None:
                    status, paused_since = "appealed", filed  # the clock waits for the review
                    decision = ("pending", None, None, "")
                else:
                    paused_days = cal.between(filed, reviewed)
                    if rand() < APPEAL_UPHELD_SHARE:
                        status, finished, excluded = "withdrawn", reviewed, True
                        decision = ("upheld", plan.supervisor_id, reviewed, APPEAL_UPHELD)
                    else:
                        decision = ("rejected", plan.supervisor_id, reviewed, APPEAL_REJECTED)
                    after = reviewed
                self.out["appeals"].append((rectification, APPEAL_REASON, staff, filed, *decision))
        if status == "open":
            answered = after + uniform(1.0, 22.0) * DAY
            if answered <= now:
                status, finished, answered_by = "answered", answered, staff
                answer = RECTIFICATION_ANSWERS[int(rand() * len(RECTIFICATION_ANSWERS))]
                rerated = answered + uniform(0.5, 10.0) * DAY
                if rand() < RERATED_SHARE and rerated <= now:
                    status = "closed"
                    level = LEVELS[bisect.bisect(LEVEL_SHARES_RERATED, rand())]
                    self.out["ratings"].append(
                        self.rating_row(
                            rating_id + 1, level, RERATING_COMMENT, rerated, rating_id, False
                        )
                    )
        limit = plan.rectification_limit
        due, warning = cal.deadline(rated_at, limit + paused_days)
        self.out["rectifications"].append(
            (
                rectification,
                rating_id,
                self.org_id,
                self.path,
                status,
                answer,
                answered_by,
                rated_at,
                rated_at,
                limit,
                due,
                warning,
                paused_since,
                paused_days,
                finished,
            )
        )
        return excluded


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
    materials_of = {}  # version id -> ((material id, name), ...) for 补正 notices
    for version_id, pk, name in (
        Material.objects.filter(version__in=versions)
        .order_by("version_id", "order")
        .values_list("version_id", "pk", "name")
    ):
        materials_of.setdefault(version_id, []).append((pk, name))
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
                tuple(materials_of[version.pk]),
            )
        )
    for item, (division, template, lead) in zip(items, wanted, strict=True):
        fee = "50.00" if template[7] else "0"
        prefix = f"{division.code}{template[0][4:6]}"
        plan_items.append(
            (
                item.pk,
                lead.id,
                lead.division.path,
                fee,
                prefix,
                template[1],
                SPECIAL_KINDS.get(template[0], ()),
                tuple(versions_of[item.pk]),
            )
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


def _sqlite_value(value):
    """A row value as Django stores it in SQLite: naive UTC text for a time, JSON text."""
    if isinstance(value, float):  # a POSIX time
        return (
            datetime.datetime.fromtimestamp(value, datetime.UTC).replace(tzinfo=None).isoformat(" ")
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _insert_rows(model, columns, rows) -> None:
    """SQLite: one prepared INSERT for the batch, as COPY is on PostgreSQL (``bulk_create``,
    building a model instance per row, took five times the CPU at county scale)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(n).column) for n in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",  # noqa: S608 - names from _meta
            [tuple(map(_sqlite_value, row)) for row in rows],
        )


def _tables():
    """(report name, model, columns) for each entry of ``TABLES``.

    Ratings, rectifications and appeals are supervision's rows: written here because
    ``supervision.public`` has no bulk writer and one ``record_rating`` per application
    would take hours at a million; ``_Case.rate`` mirrors its actions instead.
    """
    from django.apps import apps

    from tongzheng.services.models import (
        Application,
        ApplicationEvent,
        ApplicationTask,
        Result,
        SpecialProcedure,
        SupplementNotice,
    )

    return (
        ("services_applications", Application, APPLICATION_COLUMNS),
        ("services_tasks", ApplicationTask, TASK_COLUMNS),
        ("services_events", ApplicationEvent, EVENT_COLUMNS),
        ("services_results", Result, RESULT_COLUMNS),
        ("services_supplements", SupplementNotice, SUPPLEMENT_COLUMNS),
        (
            "services_supplement_materials",
            SupplementNotice.materials.through,
            SUPPLEMENT_MATERIAL_COLUMNS,
        ),
        ("services_special_procedures", SpecialProcedure, SPECIAL_COLUMNS),
        ("supervision_ratings", apps.get_model("supervision", "Rating"), RATING_COLUMNS),
        (
            "supervision_rectifications",
            apps.get_model("supervision", "Rectification"),
            RECTIFICATION_COLUMNS,
        ),
        ("supervision_appeals", apps.get_model("supervision", "Appeal"), APPEAL_COLUMNS),
    )


def generate_applications(builder, options: dict) -> None:
    """The demo generator hook (``platform.add_demo_generator``): catalogue and 办件."""
    from django.conf import settings

    from tongzheng.accounts.models import User
    from tongzheng.core.demo.writer import indexes_built_afterwards
    from tongzheng.supervision.public import rating_indicators

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
    tables = _tables()
    names, models, columns = zip(*tables, strict=True)
    applicants = _applicants(builder, APPLICANT_POOL.get(builder.scale, 500))
    staff = User.objects.filter(username="service").first()
    supervisor = User.objects.filter(username="supervisor").first()
    rectification = models[names.index("supervision_rectifications")]
    cumulative, acc = [], 0.0
    for weight in weights:
        acc += weight
        cumulative.append(acc)
    plan = Plan(
        seed=builder.seed,
        first_id=_reserve_range(models[0], count),
        supplement_first_id=_reserve_range(models[names.index("services_supplements")], 2 * count),
        rating_first_id=_reserve_range(models[names.index("supervision_ratings")], 2 * count),
        rectification_first_id=_reserve_range(rectification, count),
        start=start,
        span=days * DAY - 3600,
        now=now,
        items=tuple(plan_items),
        cumulative=tuple(cumulative),
        applicants=applicants,
        staff_id=staff.pk if staff else None,
        staff_role=("、".join(str(r.name) for r in staff.roles.all()) if staff else "")[:100]
        or "工作人员",
        supervisor_id=supervisor.pk if supervisor else None,
        rectification_limit=int(
            getattr(
                settings,
                "SUPERVISION_RECTIFICATION_LIMIT_WORKING_DAYS",
                rectification.DEFAULT_LIMIT_WORKING_DAYS,
            )
        ),
        indicators=tuple(key for key, _label in rating_indicators()),
        calendar=_calendar(start, now),
        copy=connection.vendor == "postgresql",
    )
    tasks = [
        (plan, n, first, min(BATCH_APPLICATIONS, count - first))
        for n, first in enumerate(range(0, count, BATCH_APPLICATIONS))
    ]
    written = dict.fromkeys(names, 0)

    def write(batch):
        if plan.copy:
            for model, cols, text, name in zip(models, columns, batch, names, strict=True):
                if text:
                    _copy_chunk(model, cols, text)
                    written[name] += text.count("\n")
        else:
            for model, cols, rows in zip(models, columns, batch, strict=True):
                _insert_rows(model, cols, rows)
            for name, rows in zip(names, batch, strict=True):
                written[name] += len(rows)

    with ExitStack() as stack:
        timings = [stack.enter_context(indexes_built_afterwards(m)) for m in models]
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
    report.counts.update(written)
    report.phase("service applications", started, sum(written.values()))
    rebuild = sum(t["rebuild_seconds"] for t in timings)
    if rebuild:
        report.phases.append(("  of which: indexes and foreign keys rebuilt", rebuild, 0))
