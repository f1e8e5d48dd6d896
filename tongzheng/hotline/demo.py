"""演示工单: historical hotline tickets for ``tongzheng demo`` (registered in apps.py).

Tickets of every channel (电话, 网上, 领导信箱, 12310) over the demo's townships, handled
by the demo's organisations: each ticket follows a timeline — received, dispatched to a
lead department (``Assignment``, sometimes with an assisting one), accepted, answered,
revisited with a satisfaction, closed; some are merged into an earlier ticket or not
accepted — and its status is the last step reached by the time of generation, so old
tickets are closed and recent ones open, a few of them overdue. The clock fields come
from ``core.timed.deadline`` (computed once per day and limit), the history rows
(``TicketUpdate``: 派单, 答复, 回访, 追加, 合并) carry the steps' times.

Content is composed from templates per 诉求分类 with the township's name, a road or a
community; ``search_tokens`` is composed the same way from tokens of the template pieces
and of the place names, each tokenised with jieba once (``hotline.text.tokens``), since
jieba on five million texts would take an hour. Reporters' phones come from a pool sealed
once. Demo tickets' 提取码 are derived from the seed and the number
(``demo_extraction_code``) so that benchmarks can follow them; demo data never goes
into production (the demo command refuses there).

Sizes by scale: test 300, county 3,000, city 100,000, province 5,000,000 (``--tickets``
overrides). PostgreSQL: worker processes generate COPY text in batches, the parent
streams them, secondary indexes and foreign keys are rebuilt after the load; SQLite:
``bulk_create``.
"""

import datetime
import hashlib
import hmac
import multiprocessing
import random
import time
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

SCALE_TICKETS = {"test": 300, "county": 3000, "city": 100_000, "province": 5_000_000}
HISTORY_DAYS = {"test": 120, "county": 365, "city": 730, "province": 730}
BATCH_TICKETS = 10_000  # tickets per worker task
PHONE_POOL = {"test": 200, "county": 2000, "city": 40_000, "province": 200_000}
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

TICKET_COLUMNS = (
    "id",
    "number",
    "code_hash",
    "channel",
    "type",
    "category",
    "urgency",
    "subject_id",
    "mailbox_id",
    "title",
    "content",
    "address",
    "latitude",
    "longitude",
    "reporter_name",
    "reporter_phone_sealed",
    "reporter_phone_index",
    "anonymous",
    "confidential",
    "division_id",
    "division_path",
    "organisation_id",
    "status",
    "created_at",
    "updated_at",
    "operator_id",
    "recording_ref",
    "account_id",
    "duplicate_of_id",
    "not_accepted_reason",
    "dispatched_at",
    "dispatch_due_at",
    "answered_at",
    "closed_at",
    "satisfaction",
    "reopen_count",
    "published_at",
    "published_title",
    "published_content",
    "published_reply",
    "search_tokens",
    "started_at",
    "limit_working_days",
    "due_at",
    "warning_at",
    "paused_since",
    "paused_working_days",
    "finished_at",
)
ASSIGNMENT_COLUMNS = (
    "ticket_id",
    "organisation_id",
    "role",
    "status",
    "instructions",
    "dispatched_by_id",
    "created_at",
    "accepted_at",
    "reply",
    "replied_at",
    "replied_by_id",
)
UPDATE_COLUMNS = (
    "ticket_id",
    "kind",
    "content",
    "public",
    "created_at",
    "actor_id",
    "organisation_id",
    "satisfaction",
)

# 诉求分类 code -> (lead template key in the county, share handled by the township
# government instead, title and content templates, reply templates).
# Slots: {town} township, {road} road, {community} residential community, {n} a number.
SUBJECTS = {
    "01": (
        "housing",
        0.5,
        (
            ("{road}路面破损", "{road}{n}号附近路面坑洼破损严重，雨天积水，车辆和行人通行困难。"),
            ("{community}违章搭建", "{community}小区有住户在楼顶违章搭建彩钢房，存在安全隐患。"),
            ("{road}占道经营", "{road}沿街商户长期占道经营，人行道被堵，晚上还有烧烤油烟。"),
            ("{town}垃圾清运不及时", "{town}{road}垃圾桶满了好几天没人清运，气味很大，蚊蝇很多。"),
            (
                "{road}路灯不亮",
                "{road}一段路灯已经坏了半个多月，晚上一片漆黑，老人孩子出行不安全。",
            ),
        ),
        (
            "经核查，已安排施工队对{road}破损路段进行修补，预计一周内完成。",
            "已联系街道城管中队现场处置，责令当事人限期整改，后续将加强巡查。",
        ),
    ),
    "02": (
        "transport",
        0.1,
        (
            (
                "{town}公交班次太少",
                "{town}到县城的公交车班次太少，早高峰要等四十分钟，建议增加班次。",
            ),
            ("{road}红绿灯时间不合理", "{road}与{road2}交叉口红绿灯时间设置不合理，经常堵车。"),
            ("出租车拒载", "在{town}{road}打车，出租车司机拒载并绕路多收费，车牌号已记下。"),
            ("{road}缺少停车位", "{road}附近停车位严重不足，车辆乱停乱放，影响通行。"),
        ),
        (
            "已将您的建议转交公交公司，经客流调查后将在高峰时段加密班次。",
            "已通知交通执法大队调查处理，对违规车辆依法处罚，感谢您的监督。",
        ),
    ),
    "03": (
        "natural_resources",
        0.4,
        (
            (
                "{town}企业夜间排放异味",
                "{town}{road}附近一家工厂夜间排放刺鼻气体，周边居民无法开窗。",
            ),
            (
                "{community}周边施工噪音扰民",
                "{community}小区旁边工地晚上十点以后还在施工，噪音很大。",
            ),
            ("河道有人倾倒垃圾", "{town}河道边有人倾倒建筑垃圾和生活垃圾，污染水体。"),
        ),
        (
            "执法人员已到现场检查，责令企业停产整改并依法立案调查。",
            "已要求施工单位严格遵守夜间施工规定，确需夜间施工须办理审批并公示。",
        ),
    ),
    "04": (
        "market",
        0.0,
        (
            (
                "预付卡商家跑路",
                "{road}一家健身房突然关门，办理的预付卡还有{n}次课没有上，要求退款。",
            ),
            ("超市销售过期食品", "在{town}{road}的超市买到过期食品，要求商家赔偿并查处。"),
            ("网购商品质量问题", "网购的电器使用{n}天就坏了，商家拒绝退换，请求协调处理。"),
            ("{road}餐馆卫生差", "{road}一家餐馆后厨卫生条件很差，吃完后出现腹泻。"),
        ),
        (
            "已约谈商家，经调解商家同意退还剩余费用，请您留意到账情况。",
            "执法人员已对该超市进行检查，对过期食品予以没收并立案调查。",
        ),
    ),
    "05": (
        "human_resources",
        0.1,
        (
            ("拖欠农民工工资", "我在{town}一个工地干活，老板拖欠工资{n}千元至今未付，请帮忙追讨。"),
            ("咨询社保缴费", "想咨询灵活就业人员养老保险怎么缴费，每年的缴费基数是多少。"),
            (
                "单位不签劳动合同",
                "在{town}一家公司上班已经{n}个月，单位一直不签劳动合同也不交社保。",
            ),
            ("失业金申领", "咨询失业保险金的申领条件和办理流程，需要准备哪些材料。"),
        ),
        (
            "劳动保障监察大队已介入，责令用工单位限期支付所欠工资。",
            "灵活就业人员可通过线上平台自主选择缴费档次，具体标准已电话告知。",
        ),
    ),
    "06": (
        "education",
        0.0,
        (
            ("学校乱收费", "{town}小学要求家长统一购买教辅资料，每人{n}十元，是否合规。"),
            ("咨询入学划片", "孩子明年上小学，住在{community}小区，想咨询属于哪个学校的划片范围。"),
            ("校外培训机构", "{road}有培训机构在周末给中小学生上学科类课程。"),
            ("校车安全", "{town}学校接送学生的车辆超载，存在很大安全隐患。"),
        ),
        (
            "经核查，学校已停止统一征订并退还已收费用，对相关责任人进行了批评教育。",
            "已电话告知您所在小区对应的划片学校及报名时间。",
        ),
    ),
    "07": (
        "health",
        0.0,
        (
            ("医院服务态度差", "在{town}卫生院就诊时医生态度恶劣，检查项目过多，费用不合理。"),
            ("咨询疫苗接种", "想咨询孩子接种疫苗的时间安排，{town}哪里可以接种。"),
            ("诊所非法行医", "{road}有一家无证诊所给人输液，存在安全风险。"),
        ),
        (
            "医院已对当事医生进行批评教育，并向您当面致歉，同时复核了检查费用。",
            "已告知您就近接种点的地址、开放时间和预约方式。",
        ),
    ),
    "08": (
        "housing",
        0.3,
        (
            ("物业不作为", "{community}小区物业长期不打扫卫生，电梯经常坏，业主多次反映无果。"),
            ("{community}电梯故障", "{community}小区{n}栋电梯经常停运，老人上下楼很困难。"),
            ("房屋漏水", "{community}小区住房顶楼漏水，开发商和物业相互推诿。"),
            ("咨询公租房申请", "咨询{town}公租房的申请条件和办理流程。"),
        ),
        (
            "已约谈物业公司，责令其限期整改，并将其纳入物业服务信用考核。",
            "已联系维保单位对电梯进行全面检修，更换了故障部件。",
        ),
    ),
    "09": (
        "public_security",
        0.1,
        (
            ("{community}夜间噪音", "{community}小区有商铺每晚播放高音喇叭到深夜，影响休息。"),
            ("电动车飞线充电", "{community}小区有住户从楼上拉电线给电动车充电，存在火灾隐患。"),
            ("{road}有人聚众赌博", "{road}一家茶馆有人长期聚众赌博。"),
        ),
        (
            "辖区派出所已出警处置，对当事人进行了警告教育，并将加强夜间巡逻。",
            "已会同社区和物业清理飞线充电，并在小区增设集中充电设施。",
        ),
    ),
    "10": (
        "agriculture",
        0.5,
        (
            ("农田灌溉用水", "{town}{village}村灌溉渠道堵塞，农田无法灌溉，影响春耕。"),
            ("惠农补贴未发放", "{town}{village}村耕地地力保护补贴今年还没有发放，想了解原因。"),
            ("农村道路损坏", "{town}{village}村通村公路损坏严重，农产品运不出去。"),
        ),
        (
            "已组织人员对灌溉渠道进行清淤疏通，现已恢复正常供水。",
            "经核实补贴已于本月发放到户，请通过一卡通账户查询。",
        ),
    ),
    "11": (
        "civil_affairs",
        0.6,
        (
            ("低保申请", "家里老人生病，生活困难，想咨询{town}低保的申请条件。"),
            ("养老服务", "{community}社区缺少老年食堂，希望增设养老服务设施。"),
            ("残疾人补贴", "咨询残疾人两项补贴的申请流程，需要去{town}哪个部门办理。"),
        ),
        (
            "社区工作人员已上门了解情况，并指导您提交低保申请材料。",
            "您的建议已纳入社区养老服务设施建设计划。",
        ),
    ),
    "12": (
        "government_services",
        0.2,
        (
            ("办事多次跑腿", "在政务服务中心办理营业执照变更，来回跑了{n}次还没办好。"),
            ("企业开办咨询", "咨询在{town}开办个体工商户需要哪些材料，能否网上办理。"),
            ("窗口人员态度差", "政务服务中心窗口工作人员态度生硬，不一次性告知所需材料。"),
        ),
        (
            "已核实情况，窗口已为您办结变更手续，并对相关工作人员进行了批评教育。",
            "已电话告知所需材料清单，可通过一体化政务服务平台网上办理。",
        ),
    ),
    "13": (
        "water",
        0.2,
        (
            ("{community}停水", "{community}小区突然停水，没有任何通知，已经{n}个小时了。"),
            ("自来水发黄", "{town}{road}一带自来水发黄有异味，不敢饮用。"),
            ("燃气安装收费", "{community}小区燃气开户安装收费过高，收费标准不透明。"),
        ),
        (
            "供水公司已抢修完毕，恢复供水，今后计划停水将提前公告。",
            "已对管网进行冲洗并抽检水质，检测结果符合国家标准。",
        ),
    ),
    "14": (
        "culture",
        0.2,
        (
            ("景区收费不合理", "{town}景区停车收费过高且不明码标价。"),
            ("广场舞噪音", "{community}附近广场舞音响声音太大，晚上影响居民休息。"),
            ("图书馆开放时间", "建议图书馆延长周末开放时间，方便上班族借阅。"),
        ),
        ("已责令景区规范收费并公示收费标准。", "已与舞队负责人沟通，调低音量并控制活动时间。"),
    ),
    "15": (
        "staffing_office",
        0.0,
        (
            ("单位超编进人", "{town}某事业单位在编制已满的情况下继续招聘在编人员。"),
            ("擅自设立机构", "反映某局擅自设立内设机构并提高机构规格。"),
            ("虚报实名制数据", "反映某单位在实名制系统中虚报在编人数，存在吃空饷问题。"),
        ),
        (
            "经核查，已责令该单位纠正违规行为，并按规定追究相关人员责任。",
            "经调查，反映的问题部分属实，已督促整改。",
        ),
    ),
    "99": (
        "government_office",
        0.3,
        (
            ("建议增设便民设施", "建议在{town}{road}增设公共厕所和休息座椅。"),
            ("咨询政策", "想咨询{town}关于返乡创业的扶持政策。"),
        ),
        ("您的建议已转相关部门研究，将结合年度计划统筹考虑。", "已电话向您解释相关政策。"),
    ),
}
# Subjects by weight (城市管理、住房、市场监管 and 劳动保障 are the most frequent).
SUBJECT_WEIGHTS = {
    "01": 18, "02": 8, "03": 6, "04": 12, "05": 10, "06": 6, "07": 6, "08": 12,
    "09": 5, "10": 4, "11": 4, "12": 4, "13": 4, "14": 2, "99": 3,
}  # fmt: skip
OPENINGS = (
    "",
    "您好，",
    "本人住在{town}，",
    "我是{town}居民，",
    "市民来电反映：",
    "来电人称，",
)
DETAILS = (
    "",
    "此情况已经持续一个多月，",
    "之前已经反映过一次，",
    "多位邻居都有同感，",
    "周边群众意见很大，",
)
REQUESTS = {
    "complaint": ("请尽快处理。", "请有关单位依法查处。", "要求给予答复。"),
    "enquiry": ("请告知具体规定。", "请工作人员回电解答。"),
    "suggestion": ("建议予以考虑。", "希望采纳。"),
    "help": ("请帮忙协调解决。", "恳请给予帮助。"),
    "report": ("请依法调查处理。", "请核实查处。"),
}
ROADS = (
    "人民路", "建设路", "解放路", "中山路", "滨河路", "文化路", "新华路", "迎宾大道",
    "金河路", "学府路", "工业大道", "光明路", "朝阳路", "幸福路", "长安路", "商业街",
)  # fmt: skip
COMMUNITY_WORDS = (
    "阳光", "锦绣", "金色", "翠苑", "书香", "和谐", "滨江", "蓝湾", "嘉园", "馨居",
    "御景", "春天", "华府", "名都", "康城", "丽景",
)  # fmt: skip
COMMUNITY_SUFFIXES = ("花园", "小区", "家园", "苑", "新城")
VILLAGE_WORDS = ("新民", "红光", "和平", "永兴", "石桥", "龙井", "高峰", "太平", "双河", "长林")
NOT_ACCEPTED_REASONS = (
    "属于诉讼、仲裁、行政复议程序处理的事项",
    "反映的事项没有新的事实和理由，属于重复反映",
    "内容不清，无法核实",
)
INSTRUCTIONS = "请按时限办理，及时与反映人联系并答复。"
DISPATCH_TEXT = "已派单至承办单位办理。"
MERGED_TEXT = "已与在办工单合并办理，办理结果将一并告知。"
UNSATISFIED_TEXT = "回访：反映人对办理结果不满意。"
REOPEN_TEXT = "回访不满意，退回承办单位重新办理。"
SECOND_REPLY = "再次核查后已整改到位，并与反映人当面沟通。"
ADDITION_TEXT = "补充：问题仍然存在，请尽快处理。"
REVISIT_TEXT = {
    "satisfied": "回访：满意。",
    "basically": "回访：基本满意。",
    "": "回访：无法联系反映人（匿名），按规定办结。",
}
MAILBOX_TITLES = {1: "省长信箱", 2: "市长信箱", 3: "县长信箱"}


@dataclass(frozen=True)
class Place:
    division_id: int
    division_path: str
    county_code: str
    town: str  # the township's own name
    full: str  # county + township, for the address
    lat: float
    lon: float


@dataclass
class Plan:
    """Everything a worker needs, built once in the parent (no database in the workers)."""

    seed: int
    count: int
    first_id: int
    start: float  # POSIX seconds of the oldest ticket
    span: float  # seconds between the oldest and the newest
    now: float
    places: tuple
    handlers: dict  # (county code, subject code) -> organisation id
    townships: dict  # township division id -> township government organisation id
    centre: dict  # county code -> hotline centre organisation id (None: the top's)
    top_centre: int
    assist_pool: dict  # county code -> organisation ids that assist
    subjects: dict  # subject code -> Subject id
    mailboxes: dict  # county code -> MailBox id (or the nearest one above)
    phones: tuple  # ((sealed, index), ...)
    deadlines: dict  # (ordinal of local day, limit) -> (due_at, warning_at) as datetimes
    limits: dict  # (type, urgency) -> working days
    operator_id: int | None
    copy: bool
    tz_offset: float  # seconds east of UTC of the platform's zone (fixed: Asia/Shanghai)


# -- tokens ---------------------------------------------------------------------------

_TOKEN_CACHE: dict[str, list[str]] = {}


def _tokens(text: str) -> list[str]:
    """jieba tokens of a template piece or a place name, each computed once per process."""
    cached = _TOKEN_CACHE.get(text)
    if cached is None:
        from tongzheng.hotline.text import tokens

        cached = _TOKEN_CACHE[text] = tokens(text)
    return cached


def _fill(template: str, values: dict, out_tokens: list) -> str:
    """``template`` with its {slots} filled; appends the tokens of pieces and values."""
    parts = []
    rest = template
    while True:
        start = rest.find("{")
        if start < 0:
            break
        end = rest.index("}", start)
        literal, slot = rest[:start], rest[start + 1 : end]
        if literal:
            parts.append(literal)
            out_tokens.extend(_tokens(literal))
        value = values[slot]
        parts.append(value)
        out_tokens.extend(_tokens(value))
        rest = rest[end + 1 :]
    if rest:
        parts.append(rest)
        out_tokens.extend(_tokens(rest))
    return "".join(parts)


def demo_extraction_code(seed: int, number: str) -> str:
    """The 提取码 of a demo ticket (derived, so that benchmarks can track demo tickets)."""
    digest = hmac.new(f"tongzheng-demo-{seed}".encode(), number.encode(), "sha256").digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:10])


def _code_hash(number: str, code: str) -> str:
    # models.hash_code, without importing Django models into the worker's hot loop.
    return hashlib.new("sm3", f"{number}:{code}".encode()).hexdigest()


# -- one batch ----------------------------------------------------------------------

NULL = "\\N"


def _copy_value(value) -> str:
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _copy_text(rows) -> str:
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)


def _weighted(rng, choices, cumulative, total):
    import bisect

    return choices[bisect.bisect(cumulative, rng.random() * total)]


SUBJECT_CODES = tuple(SUBJECT_WEIGHTS)
_SUBJECT_CUMULATIVE = []
_acc = 0
for _code in SUBJECT_CODES:
    _acc += SUBJECT_WEIGHTS[_code]
    _SUBJECT_CUMULATIVE.append(_acc)
_SUBJECT_TOTAL = _acc
TYPE_BY_ROLL = (
    (0.36, "complaint"),
    (0.66, "enquiry"),
    (0.80, "help"),
    (0.94, "suggestion"),
    (1.01, "report"),
)


def make_batch(plan: Plan, batch: int, first: int, count: int):
    """Tickets ``first`` .. ``first + count - 1`` (ordinal positions): three row lists.

    Returns (tickets, assignments, updates) as tuples in the column orders above, or as
    COPY text when ``plan.copy``.
    """
    from tongzheng.core.demo.people import random_name
    from tongzheng.hotline.models import dispatch_deadline

    rng = random.Random(plan.seed * 7_919 + batch)
    utc = datetime.UTC
    fromts = datetime.datetime.fromtimestamp
    hour = 3600.0
    day = 86_400.0
    now = plan.now
    tickets, assignments, updates = [], [], []
    recent = deque(maxlen=300)  # (id, place, subject, title, content, address, tokens)
    # Creation times rise with the id: sorted uniform times within this batch's slice.
    slice_start = plan.start + plan.span * first / plan.count
    slice_span = plan.span * count / plan.count
    times = sorted(slice_start + rng.random() * slice_span for _ in range(count))
    places, phones = plan.places, plan.phones
    for offset in range(count):
        position = first + offset
        ticket_id = plan.first_id + position
        created = times[offset]
        created_dt = fromts(created, utc)
        local_day = int((created + plan.tz_offset) // day)
        place = places[int(rng.random() * len(places))]
        roll = rng.random()
        subject_code = _weighted(rng, SUBJECT_CODES, _SUBJECT_CUMULATIVE, _SUBJECT_TOTAL)
        if roll < 0.012:
            channel, subject_code, ticket_type = "12310", "15", "report"
        else:
            channel = "phone" if roll < 0.62 else "web" if roll < 0.9 else "mailbox"
            type_roll = rng.random()
            ticket_type = next(t for limit, t in TYPE_BY_ROLL if type_roll < limit)
            if channel == "mailbox" and ticket_type == "report":
                ticket_type = "complaint"  # a leader's mailbox takes no 举报 (DOMAIN.md §6)
            if subject_code == "15":
                subject_code = "99"
        urgency_roll = rng.random()
        urgency = (
            "emergency" if urgency_roll < 0.01 else "urgent" if urgency_roll < 0.04 else "normal"
        )
        lead_key, township_share, texts, replies = SUBJECTS[subject_code]
        title_t, body_t = texts[int(rng.random() * len(texts))]
        community = (
            COMMUNITY_WORDS[int(rng.random() * len(COMMUNITY_WORDS))]
            + COMMUNITY_SUFFIXES[int(rng.random() * len(COMMUNITY_SUFFIXES))]
        )
        road = ROADS[int(rng.random() * len(ROADS))]
        values = {
            "town": place.town,
            "road": road,
            "road2": ROADS[int(rng.random() * len(ROADS))],
            "community": community,
            "village": VILLAGE_WORDS[int(rng.random() * len(VILLAGE_WORDS))],
            "n": str(2 + int(rng.random() * 9)),
        }
        duplicate_of = None
        if recent and rng.random() < 0.015:
            # 重复诉求: the same matter at the same place as a recent ticket, merged into it.
            original = recent[int(rng.random() * len(recent))]
            duplicate_of, place, subject_code = original[0], original[1], original[2]
            title, content, address, token_list = original[3], original[4], original[5], original[6]
            lead_key, township_share, texts, replies = SUBJECTS[subject_code]
        else:
            token_list = []
            title = _fill(title_t, values, token_list)
            opening = OPENINGS[int(rng.random() * len(OPENINGS))]
            detail = DETAILS[int(rng.random() * len(DETAILS))]
            requests = REQUESTS[ticket_type]
            content = (
                _fill(opening, values, token_list)
                + _fill(body_t, values, token_list)
                + _fill(detail, values, token_list)
                + _fill(requests[int(rng.random() * len(requests))], values, token_list)
            )
            if subject_code in ("08", "09", "13") or rng.random() < 0.3:
                address = _fill("{full}{community}", {**values, "full": place.full}, token_list)
            else:
                address = _fill(
                    "{full}{road}{n}号",
                    {**values, "full": place.full, "n": values["n"]},
                    token_list,
                )
        category = ""
        if channel == "12310":
            category = ("sanding", "units", "total", "approval", "data", "interference", "other")[
                int(rng.random() * 7)
            ]
        anonymous = (
            channel != "phone" and rng.random() < 0.15 or channel == "12310" and rng.random() < 0.5
        )
        confidential = channel == "12310" or rng.random() < 0.03
        if anonymous:
            name, sealed, index = "", "", ""
        else:
            name = random_name(rng, rng.random() < 0.5)
            sealed, index = phones[int(rng.random() * len(phones))]
        line = "12310" if channel == "12310" else "12345"
        local_date = datetime.date.fromordinal(local_day + 719_163)  # days since 1970-01-01
        number = f"{line}-{local_date:%Y%m%d}-{ticket_id:06d}"
        code_hash = _code_hash(number, demo_extraction_code(plan.seed, number))
        limit = plan.limits[(ticket_type, urgency)]
        due_at, warning_at = plan.deadlines[(local_day, limit)]
        lat = lon = None
        if rng.random() < 0.3:
            lat = f"{place.lat + (rng.random() - 0.5) * 0.1:.6f}"
            lon = f"{place.lon + (rng.random() - 0.5) * 0.1:.6f}"

        # -- the timeline: each step after the previous; the status is the last one reached.
        outcome = rng.random()
        lead_org = plan.handlers.get((place.county_code, subject_code))
        if lead_org is None or rng.random() < township_share:
            lead_org = plan.townships.get(place.division_id, lead_org)
        centre = plan.centre.get(place.county_code) or plan.top_centre
        status = "received"
        dispatched = accepted = finished = None
        satisfaction = ""
        reopen_count = 0
        not_accepted_reason = ""
        steps = []  # (time, kind, content, public, organisation, satisfaction)
        if duplicate_of is not None:
            merged_at = created + rng.uniform(0.2, 6) * hour
            if merged_at <= now:
                status, finished = "merged", merged_at
                steps.append((merged_at, "merge", MERGED_TEXT, True, centre, ""))
        elif (channel == "12310" and outcome < 0.08) or outcome < 0.006:
            refused_at = created + rng.uniform(0.5, 20) * hour
            if refused_at <= now:
                status, finished = "not_accepted", refused_at
                not_accepted_reason = NOT_ACCEPTED_REASONS[int(rng.random() * 3)]
        else:
            fast = urgency != "normal"
            dispatched = created + (rng.uniform(0.1, 0.9) if fast else rng.uniform(0.3, 20)) * hour
            accepted = dispatched + (rng.uniform(0.1, 1) if fast else rng.uniform(0.5, 30)) * hour
            due = due_at.timestamp()
            stuck_roll = rng.random()
            if stuck_roll < 0.002:
                answers = []  # stuck: still handling long after its deadline (红牌)
            elif stuck_roll < 0.062:
                answers = [due + rng.uniform(0.2, 8) * day]  # answered late (超期)
            else:
                answers = [
                    max(accepted + (due - accepted) * rng.uniform(0.15, 0.95), accepted + 1800)
                ]
            reopened = bool(answers) and rng.random() < 0.03
            if reopened:
                first_revisit = answers[0] + rng.uniform(0.5, 2.5) * day
                answers.append(first_revisit + rng.uniform(1, 6) * day)
            closing = answers[-1] + rng.uniform(0.5, 2.5) * day if answers else None
            if dispatched <= now:
                status = "dispatched"
                steps.append((dispatched, "dispatch", DISPATCH_TEXT, False, centre, ""))
            if accepted <= now:
                status = "handling"
            for number_of_answer, answered in enumerate(answers):
                if answered > now:
                    break
                status = "answered"
                if number_of_answer == 0:
                    reply = _fill(replies[int(rng.random() * len(replies))], values, [])
                else:
                    reply = SECOND_REPLY
                steps.append((answered, "reply", reply, True, lead_org, ""))
                if reopened and number_of_answer == 0 and first_revisit <= now:
                    steps.append(
                        (first_revisit, "revisit", UNSATISFIED_TEXT, False, centre, "unsatisfied")
                    )
                    steps.append((first_revisit + 60, "reopen", REOPEN_TEXT, False, centre, ""))
                    reopen_count = 1
                    status = "handling"
            if status == "answered" and closing is not None and closing <= now:
                status, finished = "closed", closing
                if not anonymous:
                    satisfaction = "satisfied" if rng.random() < 0.82 else "basically"
                steps.append(
                    (
                        closing - 60,
                        "revisit",
                        REVISIT_TEXT[satisfaction],
                        False,
                        centre,
                        satisfaction,
                    )
                )
        if rng.random() < 0.04 and created + day <= now:
            steps.append(
                (created + rng.uniform(1, 48) * hour, "addition", ADDITION_TEXT, True, None, "")
            )
        steps = sorted(s for s in steps if s[0] <= now)
        replies_made = [s for s in steps if s[1] == "reply"]
        answered_at = replies_made[-1][0] if replies_made else None
        lead_org_out = None if status in ("received", "merged", "not_accepted") else lead_org
        updated = max([created, *(s[0] for s in steps)])
        published = None
        published_title = published_content = published_reply = ""
        mailbox_id = plan.mailboxes.get(place.county_code) if channel == "mailbox" else None
        if channel == "mailbox" and status == "closed" and rng.random() < 0.25:
            published = finished + rng.uniform(0.5, 3) * day
            if published <= now:
                published_title = title
                published_content = content
                published_reply = replies_made[-1][2]
            else:
                published = None
        subject_id = plan.subjects[subject_code]
        t = lambda v: None if v is None else fromts(v, utc)  # noqa: E731
        tickets.append(
            (
                ticket_id,
                number,
                code_hash,
                channel,
                ticket_type,
                category,
                urgency,
                subject_id,
                mailbox_id,
                title,
                content,
                address,
                lat,
                lon,
                name,
                sealed,
                index,
                anonymous,
                confidential,
                place.division_id,
                place.division_path,
                lead_org_out,
                status,
                created_dt,
                t(updated),
                plan.operator_id if channel == "phone" else None,
                f"REC{local_date:%Y%m%d}{ticket_id % 1_000_000:06d}" if channel == "phone" else "",
                None,
                duplicate_of,
                not_accepted_reason,
                t(dispatched) if lead_org_out else None,
                dispatch_deadline(created_dt, urgency),
                t(answered_at),
                t(finished) if status == "closed" else None,
                satisfaction,
                reopen_count,
                t(published),
                published_title,
                published_content,
                published_reply,
                " ".join(token_list),
                created_dt,
                limit,
                due_at,
                warning_at,
                None,
                0,
                t(finished),
            )
        )
        if lead_org_out is not None:
            replied = status in ("answered", "closed")
            lead_status = (
                "replied" if replied else "accepted" if status == "handling" else "pending"
            )
            last_reply = replies_made[-1] if replies_made else None
            assignments.append(
                (
                    ticket_id,
                    lead_org,
                    "lead",
                    lead_status,
                    INSTRUCTIONS,
                    plan.operator_id,
                    t(dispatched),
                    t(accepted) if accepted <= now else None,
                    last_reply[2] if replied else "",
                    t(last_reply[0]) if replied else None,
                    None,
                )
            )
            helpers = plan.assist_pool.get(place.county_code) or ()
            if helpers and rng.random() < 0.08:
                helper = helpers[int(rng.random() * len(helpers))]
                if helper != lead_org:
                    assignments.append(
                        (
                            ticket_id,
                            helper,
                            "assist",
                            "replied" if replied else "accepted" if accepted <= now else "pending",
                            "请配合主办单位办理。",
                            plan.operator_id,
                            t(dispatched),
                            t(accepted) if accepted <= now else None,
                            "已配合主办单位现场核查。" if replied else "",
                            t(last_reply[0]) if replied else None,
                            None,
                        )
                    )
        for when, kind, text, public, organisation, step_satisfaction in steps:
            updates.append(
                (
                    ticket_id,
                    kind,
                    text,
                    public,
                    fromts(when, utc),
                    plan.operator_id if kind in ("dispatch", "merge") else None,
                    organisation,
                    step_satisfaction,
                )
            )
        if duplicate_of is None:
            recent.append((ticket_id, place, subject_code, title, content, address, token_list))
    if plan.copy:
        return _copy_text(tickets), _copy_text(assignments), _copy_text(updates), count
    return tickets, assignments, updates, count


def _make_batch_star(args):
    return make_batch(*args)


# -- the parent: plan, write, report ------------------------------------------------


def _ticket_count(scale: str, options: dict) -> int:
    wanted = options.get("tickets")
    return SCALE_TICKETS.get(scale, SCALE_TICKETS["county"]) if wanted is None else wanted


def _reserve_range(model, count: int) -> int:
    """The first of ``count`` consecutive primary keys nobody else will get."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One setval instead of ``count`` nextval calls (millions of ids).
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s),"
                " nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                [table, pk, table, pk, count],
            )
            return cursor.fetchone()[0] - count + 1
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 - names from _meta
        return cursor.fetchone()[0] + 1


def _phone_pool(rng: random.Random, size: int) -> tuple:
    from tongzheng.core.demo.people import Sealer

    sealer = Sealer(settings.DATA_KEY, settings.INDEX_KEY)
    prefixes = ("138", "139", "150", "158", "180", "186", "189", "135", "136", "137", "199")
    numbers = {f"{rng.choice(prefixes)}{rng.randrange(10**8):08d}" for _ in range(size)}
    return tuple((sealer.seal(n), sealer.blind_index(n)) for n in sorted(numbers))


def _deadline_table(first_day: int, last_day: int, limits) -> dict:
    """(day ordinal since 1970-01-01, limit) -> (due_at, warning_at), from core.timed."""
    from tongzheng.core.timed import deadline

    table = {}
    for number in range(first_day, last_day + 1):
        noon = timezone.make_aware(
            datetime.datetime.combine(
                datetime.date.fromordinal(number + 719_163), datetime.time(12)
            )
        )
        for limit in limits:
            table[(number, limit)] = deadline(noon, limit)
    return table


def _build_plan(builder, count: int, now: float) -> tuple[Plan, dict]:
    """The worker plan, plus mailboxes and dispatch rules created on the way."""
    from tongzheng.accounts.models import User
    from tongzheng.core.demo.people import random_name
    from tongzheng.hotline.models import (
        LIMIT_WORKING_DAYS,
        DispatchRule,
        MailBox,
        Subject,
        Ticket,
        Urgency,
        limit_for,
    )

    rng = random.Random(builder.seed + 5)
    keyed = builder.keyed
    by_id = builder.by_id
    counties = [d for d in builder.divisions if d.level == 3 and (d.code, "government") in keyed]
    townships = [
        d for d in builder.divisions if d.level == 4 and (d.code, "township_government") in keyed
    ]

    def county_code(division):
        while division.level > 3:
            division = by_id[division.parent_id]
        return division.code

    def full_name(division):
        county = by_id[division.parent_id]
        return (
            by_id[county.parent_id].name + county.name + division.name
            if county.name.endswith("区")
            else county.name + division.name
        )

    places = []
    centres = {}
    for division in townships or counties:
        code = county_code(division)
        # A stable pseudo-location inside Sichuan for the optional coordinates.
        digest = hashlib.sha256(division.code.encode()).digest()
        places.append(
            Place(
                division.pk,
                division.path,
                code,
                division.name,
                full_name(division) if division.level == 4 else division.name,
                28.5 + digest[0] / 255 * 4,
                102.0 + digest[1] / 255 * 6,
            )
        )
    subjects = dict(Subject.objects.values_list("code", "id"))
    missing = [code for code in SUBJECTS if code not in subjects]
    for code in missing:  # the data migration 0003 seeds them; an edited list may lack some
        subjects[code] = subjects.get("99")
    handlers, assist_pool, rules = {}, {}, []
    for county in counties:
        default = keyed[(county.code, "government_office")].id
        hotline = keyed.get((county.code, "hotline"))
        if hotline is not None:
            centres[county.code] = hotline.id
        for code, (key, *_rest) in SUBJECTS.items():
            organisation = keyed.get((county.code, key))
            handlers[(county.code, code)] = organisation.id if organisation else default
            if code in subjects and subjects[code] is not None:
                rules.append(
                    DispatchRule(
                        subject_id=subjects[code],
                        division=county,
                        division_path=county.path,
                        organisation_id=handlers[(county.code, code)],
                    )
                )
        assist_pool[county.code] = tuple(
            keyed[(county.code, key)].id
            for key in ("housing", "market", "public_security", "natural_resources", "transport")
            if (county.code, key) in keyed
        )
    DispatchRule.objects.bulk_create(rules, batch_size=1000)
    township_orgs = {d.pk: keyed[(d.code, "township_government")].id for d in townships}

    # 领导信箱: one per division down to the counties, held by its 人民政府.
    boxes = []
    for division in sorted(builder.divisions, key=lambda d: d.path):
        if division.level > 3 or (division.code, "government") not in keyed:
            continue
        boxes.append(
            MailBox(
                slug=f"{division.code}-leader",
                title=f"{division.name}{MAILBOX_TITLES[division.level]}",
                leader_name=random_name(rng, rng.random() < 0.7),
                organisation_id=keyed[(division.code, "government")].id,
                division=division,
                order=division.level * 10,
            )
        )
    MailBox.objects.bulk_create(boxes)
    box_ids = dict(
        MailBox.objects.filter(slug__in=[b.slug for b in boxes]).values_list("division_id", "id")
    )
    mailboxes = {}
    for county in counties:
        division = county
        while division is not None and division.pk not in box_ids:
            division = by_id.get(division.parent_id)
        if division is not None:
            mailboxes[county.code] = box_ids[division.pk]

    limits = {
        (ticket_type, urgency): limit_for(ticket_type, urgency)
        for ticket_type in LIMIT_WORKING_DAYS
        for urgency in Urgency.values
    }
    days = HISTORY_DAYS.get(builder.scale, 365)
    start = now - days * 86_400
    offset = timezone.localtime().utcoffset().total_seconds()
    operator = (
        User.objects.filter(username="hotline").first() or User.objects.order_by("pk").first()
    )
    top_centre = keyed.get((builder.top.code, "hotline"))
    first_id = _reserve_range(Ticket, max(count, 1))
    plan = Plan(
        seed=builder.seed,
        count=count,
        first_id=first_id,
        start=start,
        span=days * 86_400 - 600,
        now=now,
        places=tuple(places),
        handlers=handlers,
        townships=township_orgs,
        centre=centres,
        top_centre=top_centre.id if top_centre else keyed[(builder.top.code, "government")].id,
        assist_pool=assist_pool,
        subjects=subjects,
        mailboxes=mailboxes,
        phones=_phone_pool(rng, PHONE_POOL.get(builder.scale, 2000)),
        deadlines=_deadline_table(
            int((start + offset) // 86_400) - 1,
            int((now + offset) // 86_400) + 1,
            sorted(set(limits.values())),
        ),
        limits=limits,
        operator_id=operator.pk if operator else None,
        copy=connection.vendor == "postgresql",
        tz_offset=offset,
    )
    return plan, {"hotline_mailboxes": len(boxes), "hotline_dispatch_rules": len(rules)}


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
    """Let bulk_create keep the historical created_at / updated_at (auto_now would overwrite)."""
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


def _bulk_write(models, batch) -> None:
    from decimal import Decimal

    Ticket, Assignment, TicketUpdate = models
    tickets, assignments, updates, _count = batch
    objects = []
    lat_at, lon_at = TICKET_COLUMNS.index("latitude"), TICKET_COLUMNS.index("longitude")
    for row in tickets:
        values = dict(zip(TICKET_COLUMNS, row, strict=True))
        if row[lat_at] is not None:
            values["latitude"], values["longitude"] = Decimal(row[lat_at]), Decimal(row[lon_at])
        objects.append(Ticket(**values))
    Ticket.objects.bulk_create(objects, batch_size=2000)
    Assignment.objects.bulk_create(
        [Assignment(**dict(zip(ASSIGNMENT_COLUMNS, row, strict=True))) for row in assignments],
        batch_size=2000,
    )
    TicketUpdate.objects.bulk_create(
        [TicketUpdate(**dict(zip(UPDATE_COLUMNS, row, strict=True))) for row in updates],
        batch_size=2000,
    )


def generate_tickets(builder, options: dict) -> None:
    """The demo generator hook (``platform.add_demo_generator``): tickets for the demo."""
    from tongzheng.core.demo.writer import indexes_built_afterwards
    from tongzheng.hotline.models import Assignment, Ticket, TicketUpdate

    count = _ticket_count(builder.scale, options)
    started = time.perf_counter()
    plan, counts = _build_plan(builder, count, time.time())
    _tokens("热线")  # load jieba's dictionary once, before the workers fork
    tasks = [
        (plan, n, first, min(BATCH_TICKETS, count - first))
        for n, first in enumerate(range(0, count, BATCH_TICKETS))
    ]
    models = (Ticket, Assignment, TicketUpdate)
    written = {"tickets": 0, "assignments": 0, "updates": 0}

    def write(batch):
        if plan.copy:
            tickets, assignments, updates, ticket_count = batch
            _copy_chunk(Ticket, TICKET_COLUMNS, tickets)
            _copy_chunk(Assignment, ASSIGNMENT_COLUMNS, assignments)
            _copy_chunk(TicketUpdate, UPDATE_COLUMNS, updates)
            written["tickets"] += ticket_count
            written["assignments"] += assignments.count("\n")
            written["updates"] += updates.count("\n")
        else:
            _bulk_write(models, batch)
            written["tickets"] += len(batch[0])
            written["assignments"] += len(batch[1])
            written["updates"] += len(batch[2])

    with ExitStack() as stack:
        timings = [stack.enter_context(indexes_built_afterwards(m)) for m in models]
        stack.enter_context(_explicit_timestamps(*models))
        fork = "fork" in multiprocessing.get_all_start_methods()
        if builder.workers > 1 and len(tasks) > 1 and fork:
            # At most two batches per worker in flight: the parent's COPY sets the pace and
            # finished batches must not pile up in memory (5 M tickets are ~10 GB of text).
            context = multiprocessing.get_context("fork")
            with context.Pool(builder.workers) as pool:
                pending = deque()
                queue = iter(tasks)
                for task in queue:
                    pending.append(pool.apply_async(_make_batch_star, (task,)))
                    if len(pending) >= 2 * builder.workers:
                        write(pending.popleft().get())
                while pending:
                    write(pending.popleft().get())
        else:
            for task in tasks:
                write(make_batch(*task))
    rebuild_seconds = sum(t["rebuild_seconds"] for t in timings)
    report = builder.report
    report.counts.update(counts)
    report.counts["hotline_tickets"] = written["tickets"]
    report.counts["hotline_assignments"] = written["assignments"]
    report.counts["hotline_ticket_updates"] = written["updates"]
    rows = sum(written.values())
    report.phases.append(("hotline tickets", time.perf_counter() - started, rows))
    if rebuild_seconds:
        report.phases.append(("  of which: indexes and foreign keys rebuilt", rebuild_seconds, 0))
