"""What a synthetic local government is made of: units per division level.

A unit template names the unit from the division's prefix ({p}: 金堂县, 成都市锦江区,
四川省), says what kind of unit it is, which establishment types it holds and how many
slots (a range, scaled by level), its internal departments (内设机构) and the public
institutions it sponsors. The figures are plausible, not statistics.

Establishment type codes are those seeded by staffing's data migration.
"""

from dataclasses import dataclass, field

ADM = "administrative"
PL = "political_legal"
FULL = "institution_full"
PART = "institution_partial"
SELF = "institution_self"
WORK = "worker"


@dataclass(frozen=True)
class UnitTemplate:
    key: str
    name: str  # "{p}教育{b}"; {b} 厅/局, {o} 办公厅/办公室, {u} 处/科/股, {party} 中共{p}委
    kind: str  # OrganisationKind value
    category: str  # OrganisationCategory value
    quotas: tuple[tuple[str, int, int], ...]  # (establishment type, low, high) at county level
    departments: tuple[str, ...] = ()  # internal departments; "{u}" is the level's suffix
    institutions: tuple["UnitTemplate", ...] = ()  # sponsored public institutions (下属事业单位)
    female_share: float = 0.4
    deputies: tuple[int, int] = (2, 4)  # unit deputies (副职)
    in_township: bool = False  # for institutions: one per township, under the county unit


def inst(key, name, quotas, departments=("办公室",), female_share=0.5, **kw) -> UnitTemplate:
    return UnitTemplate(
        key,
        name,
        "public_institution",
        "institution",
        quotas,
        departments,
        female_share=female_share,
        deputies=kw.pop("deputies", (1, 3)),
        **kw,
    )


COMMON = ("{o}", "组织人事{u}", "计划财务{u}")

# Township-level units sponsored by county departments: one per township.
TOWNSHIP_SCHOOL = inst(
    "township_school",
    "{t}中心小学校",
    ((FULL, 70, 160),),
    ("教务处", "德育处"),
    female_share=0.65,
    in_township=True,
)
TOWNSHIP_MIDDLE = inst(
    "township_middle",
    "{t}初级中学校",
    ((FULL, 60, 140),),
    ("教务处",),
    female_share=0.55,
    in_township=True,
)
TOWNSHIP_KINDERGARTEN = inst(
    "township_kindergarten",
    "{t}中心幼儿园",
    ((FULL, 10, 25),),
    ("保教处",),
    female_share=0.95,
    in_township=True,
)
TOWNSHIP_CLINIC = inst(
    "township_clinic",
    "{t}卫生院",
    ((PART, 35, 90),),
    ("医务科", "公共卫生科"),
    female_share=0.6,
    in_township=True,
)

PARTY_UNITS = (
    UnitTemplate(
        "discipline",
        "{p}纪律检查委员会",
        "party_government",
        "party",
        ((ADM, 25, 45), (WORK, 1, 3)),
        (*COMMON, "党风政风监督{u}", "信访{u}", "案件审理{u}", "第一监督检查室", "第二监督检查室"),
    ),
    UnitTemplate(
        "party_office",
        "{party}办公{room}",
        "party_government",
        "party",
        ((ADM, 15, 25), (WORK, 2, 4)),
        ("秘书{u}", "综合{u}", "督查{u}", "机要{u}"),
    ),
    UnitTemplate(
        "organisation_dept",
        "{party}组织部",
        "party_government",
        "party",
        ((ADM, 14, 24),),
        (*COMMON, "组织{u}", "干部{u}", "人才工作{u}"),
        institutions=(inst("cadre_archive", "{p}干部档案管理中心", ((FULL, 4, 8),)),),
    ),
    UnitTemplate(
        "propaganda_dept",
        "{party}宣传部",
        "party_government",
        "party",
        ((ADM, 10, 18),),
        (*COMMON, "理论{u}", "新闻{u}"),
        institutions=(
            inst("media_centre", "{p}融媒体中心", ((FULL, 30, 60),), ("新闻部", "技术部")),
        ),
    ),
    UnitTemplate(
        "united_front",
        "{party}统战部",
        "party_government",
        "party",
        ((ADM, 8, 14),),
        (*COMMON, "民族宗教{u}"),
    ),
    UnitTemplate(
        "political_legal",
        "{party}政法委员会",
        "party_government",
        "party",
        ((ADM, 10, 16),),
        (*COMMON, "综合治理{u}"),
    ),
    UnitTemplate(
        "staffing_office",
        "{party}机构编制委员会办公{room}",
        "party_government",
        "party",
        ((ADM, 8, 14),),
        ("综合{u}", "机构编制{u}", "监督检查{u}", "事业单位登记管理{u}"),
        institutions=(inst("staffing_info", "{p}机构编制电子政务中心", ((FULL, 3, 6),)),),
    ),
    UnitTemplate(
        "social_work",
        "{party}社会工作部",
        "party_government",
        "party",
        ((ADM, 8, 14),),
        (*COMMON,),
    ),
    UnitTemplate(
        "party_school",
        "{party}党校",
        "public_institution",
        "institution",
        ((FULL, 15, 30),),
        ("教务{u}", "{o}"),
        female_share=0.5,
    ),
)

GOVERNMENT_UNITS = (
    UnitTemplate(
        "government_office",
        "{p}人民政府办公{room}",
        "party_government",
        "government",
        ((ADM, 18, 30), (WORK, 3, 6)),
        ("秘书{u}", "综合{u}", "督查{u}", "信息{u}"),
        institutions=(
            inst(
                "hotline", "{p}12345政务服务便民热线中心", ((FULL, 10, 20),), ("受理{u}", "督办{u}")
            ),
        ),
    ),
    UnitTemplate(
        "development",
        "{p}发展和改革{b}",
        "party_government",
        "government",
        ((ADM, 16, 28),),
        (*COMMON, "规划{u}", "投资{u}", "价格{u}"),
    ),
    UnitTemplate(
        "economy",
        "{p}经济和信息化{b}",
        "party_government",
        "government",
        ((ADM, 12, 20),),
        (*COMMON, "产业{u}"),
    ),
    UnitTemplate(
        "education",
        "{p}教育{b}",
        "party_government",
        "government",
        ((ADM, 14, 24),),
        (*COMMON, "基础教育{u}", "职业教育{u}", "督导{u}"),
        institutions=(
            inst(
                "high_school", "{p}中学", ((FULL, 160, 260),), ("教务处", "德育处", "总务处"), 0.55
            ),
            inst("high_school_2", "{p}第二中学", ((FULL, 120, 220),), ("教务处", "德育处"), 0.55),
            inst("vocational", "{p}职业高级中学", ((FULL, 80, 140),), ("教务处", "实训处"), 0.5),
            inst("primary", "{p}实验小学", ((FULL, 100, 160),), ("教务处", "德育处"), 0.7),
            inst("high_school_3", "{p}第三中学", ((FULL, 100, 180),), ("教务处", "德育处"), 0.55),
            inst("primary_2", "{p}第二实验小学", ((FULL, 80, 140),), ("教务处",), 0.7),
            inst("primary_3", "{p}第三实验小学", ((FULL, 80, 140),), ("教务处",), 0.7),
            inst("kindergarten", "{p}实验幼儿园", ((FULL, 30, 60),), ("保教处",), 0.95),
            inst("kindergarten_2", "{p}第二幼儿园", ((FULL, 25, 45),), ("保教处",), 0.95),
            inst("special_school", "{p}特殊教育学校", ((FULL, 15, 30),), ("教务处",), 0.7),
            inst("teacher_training", "{p}教师进修学校", ((FULL, 18, 30),)),
            TOWNSHIP_SCHOOL,
            TOWNSHIP_MIDDLE,
            TOWNSHIP_KINDERGARTEN,
        ),
    ),
    UnitTemplate(
        "public_security",
        "{p}公安{b}",
        "party_government",
        "government",
        ((PL, 150, 300), (ADM, 5, 10), (WORK, 6, 12)),
        ("指挥中心", "政治处", "刑事侦查大队", "治安管理大队", "交通管理大队", "出入境管理大队"),
        female_share=0.2,
        deputies=(3, 5),
    ),
    UnitTemplate(
        "civil_affairs",
        "{p}民政{b}",
        "party_government",
        "government",
        ((ADM, 10, 18),),
        (*COMMON, "社会救助{u}", "养老服务{u}"),
        institutions=(inst("welfare", "{p}社会福利院", ((FULL, 15, 30),)),),
    ),
    UnitTemplate(
        "justice",
        "{p}司法{b}",
        "party_government",
        "government",
        ((PL, 20, 40), (ADM, 4, 8)),
        (*COMMON, "社区矫正{u}", "法治督察{u}"),
        institutions=(inst("notary", "{p}公证处", ((SELF, 5, 10),)),),
    ),
    UnitTemplate(
        "finance",
        "{p}财政{b}",
        "party_government",
        "government",
        ((ADM, 18, 30),),
        (*COMMON, "预算{u}", "国库{u}", "政府采购{u}"),
        institutions=(inst("treasury_centre", "{p}国库集中支付中心", ((FULL, 10, 18),)),),
    ),
    UnitTemplate(
        "human_resources",
        "{p}人力资源和社会保障{b}",
        "party_government",
        "government",
        ((ADM, 12, 22),),
        (*COMMON, "就业促进{u}", "劳动关系{u}"),
        institutions=(
            inst("employment", "{p}就业服务中心", ((FULL, 12, 24),)),
            inst(
                "social_insurance",
                "{p}社会保险事业管理局",
                ((FULL, 25, 45),),
                ("{o}", "养老保险{u}"),
            ),
        ),
    ),
    UnitTemplate(
        "natural_resources",
        "{p}自然资源和规划{b}",
        "party_government",
        "government",
        ((ADM, 14, 26),),
        (*COMMON, "国土空间规划{u}", "耕地保护{u}"),
        institutions=(
            inst("real_estate", "{p}不动产登记中心", ((FULL, 15, 30),), ("登记{u}", "档案{u}")),
        ),
    ),
    UnitTemplate(
        "housing",
        "{p}住房和城乡建设{b}",
        "party_government",
        "government",
        ((ADM, 12, 22),),
        (*COMMON, "建筑管理{u}", "城乡建设{u}"),
        institutions=(inst("housing_fund", "{p}住房保障服务中心", ((PART, 8, 16),)),),
    ),
    UnitTemplate(
        "transport",
        "{p}交通运输{b}",
        "party_government",
        "government",
        ((ADM, 10, 18),),
        (*COMMON, "综合运输{u}"),
        institutions=(inst("road", "{p}公路事务中心", ((PART, 25, 50),), ("养护{u}",), 0.3),),
    ),
    UnitTemplate(
        "water",
        "{p}水利{b}",
        "party_government",
        "government",
        ((ADM, 8, 16),),
        (*COMMON, "水资源{u}"),
        institutions=(
            inst("irrigation", "{p}水利工程管理站", ((PART, 10, 25),), female_share=0.3),
        ),
    ),
    UnitTemplate(
        "agriculture",
        "{p}农业农村{b}",
        "party_government",
        "government",
        ((ADM, 14, 24),),
        (*COMMON, "种植业{u}", "乡村发展{u}"),
        institutions=(
            inst("agri_tech", "{p}农业技术推广中心", ((FULL, 20, 40),), ("{o}", "植保站")),
            inst("animal", "{p}动物疫病预防控制中心", ((FULL, 10, 20),)),
        ),
    ),
    UnitTemplate(
        "commerce",
        "{p}商务{b}",
        "party_government",
        "government",
        ((ADM, 8, 14),),
        (*COMMON, "市场流通{u}"),
    ),
    UnitTemplate(
        "culture",
        "{p}文化广播电视和旅游{b}",
        "party_government",
        "government",
        ((ADM, 10, 18),),
        (*COMMON, "文物{u}", "旅游发展{u}"),
        institutions=(
            inst("library", "{p}图书馆", ((FULL, 10, 20),)),
            inst("museum", "{p}文物管理所", ((FULL, 6, 12),)),
        ),
    ),
    UnitTemplate(
        "health",
        "{p}卫生健康{b}",
        "party_government",
        "government",
        ((ADM, 12, 22),),
        (*COMMON, "医政医管{u}", "疾病预防控制{u}", "基层卫生{u}"),
        female_share=0.55,
        institutions=(
            inst(
                "hospital",
                "{p}人民医院",
                ((PART, 450, 800),),
                ("医务科", "护理部", "院办公室", "财务科", "内科", "外科"),
                0.65,
                deputies=(3, 5),
            ),
            inst(
                "tcm_hospital",
                "{p}中医医院",
                ((PART, 200, 380),),
                ("医务科", "护理部", "院办公室"),
                0.62,
            ),
            inst(
                "hospital_2",
                "{p}第二人民医院",
                ((PART, 150, 300),),
                ("医务科", "护理部", "院办公室"),
                0.62,
            ),
            inst("mental_health", "{p}精神卫生中心", ((PART, 40, 80),), ("医务科", "护理部"), 0.6),
            inst("emergency_centre", "{p}急救指挥中心", ((FULL, 20, 40),), ("调度科",), 0.5),
            inst("maternity", "{p}妇幼保健院", ((PART, 70, 130),), ("保健部", "医务科"), 0.85),
            inst("cdc", "{p}疾病预防控制中心", ((FULL, 35, 70),), ("{o}", "免疫规划科"), 0.55),
            TOWNSHIP_CLINIC,
        ),
    ),
    UnitTemplate(
        "veterans",
        "{p}退役军人事务{b}",
        "party_government",
        "government",
        ((ADM, 6, 12),),
        ("{o}", "优抚安置{u}"),
    ),
    UnitTemplate(
        "emergency",
        "{p}应急管理{b}",
        "party_government",
        "government",
        ((ADM, 12, 20), (WORK, 1, 3)),
        (*COMMON, "安全生产{u}", "防灾减灾{u}"),
        female_share=0.3,
    ),
    UnitTemplate(
        "audit",
        "{p}审计{b}",
        "party_government",
        "government",
        ((ADM, 12, 20),),
        (*COMMON, "财政审计{u}", "经济责任审计{u}"),
    ),
    UnitTemplate(
        "market",
        "{p}市场监督管理{b}",
        "party_government",
        "government",
        ((ADM, 40, 90),),
        (*COMMON, "登记注册{u}", "食品安全{u}", "综合执法大队"),
        deputies=(3, 5),
    ),
    UnitTemplate(
        "statistics",
        "{p}统计{b}",
        "party_government",
        "government",
        ((ADM, 8, 14),),
        ("{o}", "综合{u}", "普查中心"),
    ),
    UnitTemplate(
        "medical_insurance",
        "{p}医疗保障{b}",
        "party_government",
        "government",
        ((ADM, 8, 14),),
        ("{o}", "待遇保障{u}", "基金监管{u}"),
        institutions=(inst("medical_insurance_centre", "{p}医疗保险服务中心", ((FULL, 12, 24),)),),
    ),
    UnitTemplate(
        "forestry",
        "{p}林业{b}",
        "party_government",
        "government",
        ((ADM, 6, 12),),
        ("{o}", "生态保护修复{u}"),
        institutions=(inst("forest_station", "{p}国有林场", ((SELF, 15, 30),), female_share=0.25),),
    ),
    UnitTemplate(
        "government_services",
        "{p}政务服务和大数据管理{b}",
        "party_government",
        "government",
        ((ADM, 10, 18),),
        ("{o}", "政务服务{u}", "数据资源{u}", "电子政务{u}"),
        institutions=(
            inst(
                "service_centre", "{p}政务服务中心", ((FULL, 15, 30),), ("窗口管理{u}", "综合{u}")
            ),
        ),
    ),
    UnitTemplate(
        "petitions",
        "{p}信访{b}",
        "party_government",
        "government",
        ((ADM, 8, 14),),
        ("{o}", "接访{u}", "督查督办{u}"),
    ),
)

OTHER_UNITS = (
    UnitTemplate(
        "congress",
        "{p}人大常委会办公{room}",
        "party_government",
        "congress",
        ((ADM, 14, 24), (WORK, 1, 3)),
        ("秘书{u}", "研究{u}", "法制工作委员会"),
    ),
    UnitTemplate(
        "cppcc",
        "{cppcc}办公{room}",
        "party_government",
        "cppcc",
        ((ADM, 10, 18), (WORK, 1, 3)),
        ("秘书{u}", "提案委员会"),
    ),
    UnitTemplate(
        "court",
        "{p}人民法院",
        "party_government",
        "court",
        ((PL, 60, 110), (WORK, 3, 6)),
        ("立案庭", "刑事审判庭", "民事审判庭", "行政审判庭", "执行局", "政治部"),
        female_share=0.5,
        deputies=(3, 5),
    ),
    UnitTemplate(
        "procuratorate",
        "{p}人民检察院",
        "party_government",
        "procuratorate",
        ((PL, 40, 70), (WORK, 2, 4)),
        ("第一检察部", "第二检察部", "第三检察部", "政治部"),
        female_share=0.5,
    ),
    UnitTemplate(
        "trade_union",
        "{p}总工会",
        "mass_organisation",
        "mass",
        ((ADM, 6, 12),),
        ("{o}", "权益保障部"),
    ),
    UnitTemplate(
        "youth_league",
        "共青团{p}委员会",
        "mass_organisation",
        "mass",
        ((ADM, 3, 6),),
        ("{o}",),
        deputies=(1, 2),
    ),
    UnitTemplate(
        "women",
        "{p}妇女联合会",
        "mass_organisation",
        "mass",
        ((ADM, 4, 8),),
        ("{o}",),
        female_share=0.9,
        deputies=(1, 2),
    ),
    UnitTemplate(
        "science",
        "{p}科学技术协会",
        "mass_organisation",
        "mass",
        ((ADM, 3, 6),),
        ("{o}",),
        deputies=(1, 2),
    ),
    UnitTemplate(
        "federation_industry",
        "{p}工商业联合会",
        "mass_organisation",
        "mass",
        ((ADM, 3, 6),),
        ("{o}",),
        deputies=(1, 2),
    ),
    UnitTemplate(
        "disabled",
        "{p}残疾人联合会",
        "mass_organisation",
        "mass",
        ((ADM, 3, 6),),
        ("{o}",),
        deputies=(1, 2),
    ),
)


@dataclass(frozen=True)
class RootTemplate:
    """A top organisation of a division (党委, 政府 ...): the parent of its units."""

    key: str
    name: str
    category: str
    children: tuple[UnitTemplate, ...] = field(default=())


ROOTS = (
    RootTemplate("party", "{party}员会", "party", PARTY_UNITS),
    RootTemplate("government", "{p}人民政府", "government", GOVERNMENT_UNITS),
    RootTemplate("people_congress", "{p}人民代表大会常务委员会", "congress", OTHER_UNITS[:1]),
    RootTemplate("cppcc_root", "{cppcc}", "cppcc", OTHER_UNITS[1:2]),
)
# Courts, procuratorates and mass organisations are top units of their division.
TOP_UNITS = OTHER_UNITS[2:]

# A township (乡/镇) or a sub-district (街道).
TOWNSHIP_PARTY = UnitTemplate(
    "township_party", "{twp_party}", "party_government", "party", ((ADM, 4, 8),), ("党建办公室",)
)
TOWNSHIP_GOVERNMENT = UnitTemplate(
    "township_government",
    "{twp_gov}",
    "party_government",
    "government",
    ((ADM, 25, 45), (WORK, 1, 3)),
    (
        "党政综合办公室",
        "经济发展办公室",
        "社会事务办公室",
        "综合行政执法办公室",
        "社会治安综合治理中心",
    ),
    institutions=(
        inst("township_services", "{t}便民服务中心", ((FULL, 6, 12),), ()),
        inst("township_agri", "{t}农业综合服务中心", ((FULL, 6, 14),), ()),
        inst("township_social", "{t}社会事业服务中心", ((FULL, 5, 10),), ()),
        inst("township_culture", "{t}综合文化站", ((FULL, 2, 4),), ()),
    ),
)

# Level 1 province, 2 city, 3 county, 4 township: suffixes and size multipliers.
LEVEL_WORDS = {
    1: {"b": "厅", "o": "办公室", "u": "处", "room": "厅"},
    2: {"b": "局", "o": "办公室", "u": "科", "room": "室"},
    3: {"b": "局", "o": "办公室", "u": "股", "room": "室"},
}
# Quota multipliers relative to county level (a provincial department is larger).
LEVEL_SIZE = {1: 3.0, 2: 2.0, 3: 1.0, 4: 1.0}
# 隶属关系 (GB/T 12404) per division level.
SUBORDINATION = {1: "20", 2: "40", 3: "50", 4: "60"}
# 机构级别 for (division level, role): root, unit, institution, internal department.
RANKS = {
    1: {"root": "wd", "unit": "zt", "institution": "fc", "department": "zc"},
    2: {"root": "zt", "unit": "zc", "institution": "fk", "department": "zk"},
    3: {"root": "zc", "unit": "zk", "institution": "zg", "department": "zg"},
    4: {"root": "zk", "unit": "zk", "institution": "zg", "department": "zg"},
}
