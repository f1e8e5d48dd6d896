"""热线统计: counts, rates and hot topics of the tickets in the caller's scope and a period.

Every figure reads ``Ticket.objects.for_user(user, "hotline.view_statistics")``: the
hotline centre sees its division and below, a department the tickets it leads.

- Breakdowns by channel, type, subject, division and lead department: one GROUP BY over
  the period's tickets (受理时间 in the period), with the on-time and satisfaction counts.
- On-time rate (按时办结率): of the period's tickets finished (``finished_at`` set), those
  finished not later than ``due_at``. Tickets without a deadline are left out.
- Satisfaction rate (满意率): of the period's tickets revisited (``Ticket.satisfaction``,
  the latest 回访 result, set by the revisit action), those 满意 or 基本满意. Read in the
  same scan as the breakdowns; counting 回访 rows instead would scan the much larger
  update table.
- Hot topics (热点词): the period's most frequent tokens, counted per ticket (a word said
  five times in one letter counts once) over a time-stratified sample (see
  ``hot_topics``), so the cost does not grow with the number of tickets.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongzheng.core.access import require_permission
from tongzheng.core.models import Division, Organisation
from tongzheng.core.refreshing import refreshed
from tongzheng.hotline.models import (
    Channel,
    Satisfaction,
    Subject,
    Ticket,
    TicketType,
)

PERMISSION = "hotline.view_statistics"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
HOT_TOPIC_SLICES = 100  # time slices of a large period, each sampled at a random moment
HOT_TOPIC_SAMPLE = 5000  # tickets read at most, across all slices
HOT_TOPICS = 30
# A word in more than this share of the period's tickets is background, not a topic: the
# scope's own place names (every address holds the county's name). Kept high so that a
# real surge (a water cut behind a third of the calls) is never hidden.
# Words of the way people phrase any request (市民来电反映…, 恳请尽快处理, 邻居多位有同感),
# not of what it is about: in the demo county they filled the top of 热点词 ahead of 噪音,
# 物业 or 电梯. They stay searchable (text.STOP_WORDS is for every use, this for topics).
GENERIC_WORDS = frozenset(
    [
        "来电",
        "回电",
        "市民",
        "群众",
        "居民",
        "本人",
        "人称",
        "邻居",
        "多位",
        "同感",
        "意见",
        "建议",
        "咨询",
        "解答",
        "告知",
        "答复",
        "处理",
        "办理",
        "解决",
        "协调",
        "帮忙",
        "给予",
        "给予帮助",
        "予以考虑",
        "采纳",
        "恳请",
        "尽快",
        "有关",
        "具体",
        "规定",
        "存在",
        "还有",
        "影响",
        "条件",
        "困难",
        "申请",
        "工作人员",
        "单位",
        "一家",
        "一次",
        "之前",
        "持续",
        "长期",
        "经常",
        "一个多月",
        "晚上",
        "很大",
        "周边",
        "附近",
        "街道",
        "小区",
    ]
)
BACKGROUND_SHARE = 0.5
BACKGROUND_MIN_TICKETS = 200


@dataclass(frozen=True)
class Period:
    """统计期间: whole local days, ``start`` to ``end`` inclusive."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today=None) -> "Period":
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)

    @classmethod
    def checked(cls, start: datetime.date, end: datetime.date) -> "Period":
        if start > end:
            raise ValidationError(_("开始日期不能晚于结束日期。"))
        if (end - start).days >= MAX_DAYS:
            raise ValidationError(_("统计期间不能超过三年。"))
        return cls(start, end)

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start of the first day, start of the day after the last) in local time."""
        zone = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        after = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return first, after


@dataclass
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass
class Report:
    period: Period
    total: int = 0
    # Each breakdown: [(label, count)], largest first (channel and type in their order).
    breakdowns: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    on_time: Rate = field(default_factory=lambda: Rate(0, 0))
    satisfaction: Rate = field(default_factory=lambda: Rate(0, 0))
    satisfaction_counts: list[tuple[str, int]] = field(default_factory=list)
    hot_topics: list[tuple[str, int]] = field(default_factory=list)
    hot_topic_sample: int = 0

    def titles(self) -> dict[str, str]:
        return breakdown_titles()

    def as_chart_data(self) -> dict:
        """What the page's charts draw (labels and numbers only)."""
        return {
            key: {"labels": [label for label, _n in rows], "values": [n for _l, n in rows]}
            for key, rows in [
                *self.breakdowns.items(),
                ("satisfaction", self.satisfaction_counts),
                ("hot_topics", self.hot_topics),
            ]
        }


def breakdown_titles() -> dict[str, str]:
    return {
        "channel": _("按渠道"),
        "type": _("按类型"),
        "subject": _("按诉求分类"),
        "division": _("按行政区划"),
        "department": _("按承办单位"),
    }


def scoped_tickets(user):
    require_permission(user, PERMISSION)
    return Ticket.objects.for_user(user, PERMISSION)


def period_tickets(user, period: Period):
    first, after = period.bounds
    return scoped_tickets(user).filter(created_at__gte=first, created_at__lt=after)


def _counts(queryset, column: str) -> dict:
    rows = queryset.order_by().values_list(column).annotate(n=Count("pk"))
    return dict(rows)


def _choices(counts: dict, choices) -> list[tuple[str, int]]:
    return [(str(label), counts.get(value, 0)) for value, label in choices]


def _named(counts: dict, model, none_label: str) -> list[tuple[str, int]]:
    names = dict(
        model.objects.filter(pk__in=[pk for pk in counts if pk is not None]).values_list(
            "pk", "name"
        )
    )
    rows = [
        (names.get(pk, none_label) if pk is not None else none_label, n) for pk, n in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


BREAKDOWN_COLUMNS = ("channel", "type", "subject", "division", "organisation")


def _breakdown_counts(tickets) -> dict:
    """Every breakdown and the on-time figures from ONE scan of the period's tickets.

    One GROUP BY over the five columns together (their combinations are far fewer than
    the tickets: at most subjects × divisions × departments × 20), summed here per
    column; five separate GROUP BYs would read the period five times.
    """
    rows = (
        tickets.order_by()
        .values_list(*BREAKDOWN_COLUMNS)
        .annotate(
            n=Count("pk"),
            finished=Count("pk", filter=Q(finished_at__isnull=False, due_at__isnull=False)),
            on_time=Count("pk", filter=Q(finished_at__lte=F("due_at"))),
            **{
                f"satisfaction_{value}": Count("pk", filter=Q(satisfaction=value))
                for value in Satisfaction.values
            },
        )
    )
    counts: dict = {column: Counter() for column in BREAKDOWN_COLUMNS}
    counts["finished"] = counts["on_time"] = 0
    counts["satisfaction"] = Counter()
    width = len(BREAKDOWN_COLUMNS)
    for row in rows:
        values, (n, finished, on_time, *by_satisfaction) = row[:width], row[width:]
        for column, value in zip(BREAKDOWN_COLUMNS, values, strict=True):
            counts[column][value] += n
        counts["finished"] += finished
        counts["on_time"] += on_time
        for value, count in zip(Satisfaction.values, by_satisfaction, strict=True):
            counts["satisfaction"][value] += count
    return counts


def _satisfaction(by_satisfaction: dict) -> Rate:
    return Rate(
        by_satisfaction.get(Satisfaction.SATISFIED, 0)
        + by_satisfaction.get(Satisfaction.BASICALLY, 0),
        sum(by_satisfaction.values()),
    )


def report(user, period: Period) -> Report:
    """Every figure of the statistics page for ``user``'s scope and ``period``."""
    tickets = period_tickets(user, period)
    result = Report(period)
    counts = _breakdown_counts(tickets)
    result.total = sum(counts["type"].values())
    result.breakdowns = {
        "channel": _choices(counts["channel"], Channel.choices),
        "type": _choices(counts["type"], TicketType.choices),
        "subject": _named(counts["subject"], Subject, _("未分类")),
        "division": _named(counts["division"], Division, _("未填写")),
        "department": _named(counts["organisation"], Organisation, _("未派单")),
    }
    result.on_time = Rate(counts["on_time"], counts["finished"])
    result.satisfaction_counts = _choices(counts["satisfaction"], Satisfaction.choices)
    result.satisfaction = _satisfaction(counts["satisfaction"])
    result.hot_topics, result.hot_topic_sample = hot_topics(tickets, period, total=result.total)
    return result


def topic_words(search_tokens: str) -> set[str]:
    """The words of one ticket that can be topics.

    Single characters and numbers are not. Nor is a sub-word jieba's search mode emits
    just before the longer word holding it (金堂 before 金堂县, 多月 before 一个多月): the
    longer word is the topic, and counting both would list it twice.
    """
    words = (search_tokens or "").split()
    result = set()
    for i, word in enumerate(words):
        if len(word) < 2 or word.isdigit():
            continue
        if any(len(other) > len(word) and word in other for other in words[i + 1 : i + 4]):
            continue
        result.add(word)
    return result


def hot_topics(tickets, period: Period, *, total: int, limit: int = HOT_TOPICS):
    """The most frequent tokens of the period: ([(token, tickets)], tickets read).

    When the period holds at most ``HOT_TOPIC_SAMPLE`` tickets, all are read and the
    counts are exact. Otherwise the period is cut into ``HOT_TOPIC_SLICES`` equal time
    slices and ``HOT_TOPIC_SAMPLE / HOT_TOPIC_SLICES`` tickets are read in each from a
    random moment of the slice on, by the created_at index: a fixed number of short index
    range scans whatever the table size (at 5 million tickets still 5,000 rows), every
    part of the period represented and no time of day favoured. Counts are then scaled
    to the period's ``total``. The random moments are seeded by the period, so a page
    reload shows the same figures. Stop words are already out of ``search_tokens``;
    ``topic_words`` drops single characters, numbers and sub-words, ``GENERIC_WORDS``
    (how requests are phrased) are not topics, and words in more than
    ``BACKGROUND_SHARE`` of the tickets read are left out as background.
    """
    if total <= HOT_TOPIC_SAMPLE:
        samples = [tickets.order_by().values_list("search_tokens", flat=True)]
    else:
        first, after = period.bounds
        step = (after - first) / HOT_TOPIC_SLICES
        per_slice = HOT_TOPIC_SAMPLE // HOT_TOPIC_SLICES
        rng = random.Random(f"{period.start}:{period.end}")
        samples = []
        for i in range(HOT_TOPIC_SLICES):
            end = first + step * (i + 1)
            start = first + step * i + step * rng.random() * 0.9
            samples.append(
                tickets.filter(created_at__gte=start, created_at__lt=end)
                .order_by("created_at")
                .values_list("search_tokens", flat=True)[:per_slice]
            )
    counter: Counter = Counter()
    read = 0
    for rows in samples:
        for tokens in rows:
            read += 1
            counter.update(topic_words(tokens) - GENERIC_WORDS)
    # Among a handful of tickets every word is in a large share: no ceiling then.
    ceiling = BACKGROUND_SHARE * read if read >= BACKGROUND_MIN_TICKETS else read
    top = [(word, n) for word, n in counter.most_common() if n <= ceiling][:limit]
    if read and total > read:
        top = [(word, round(n * total / read)) for word, n in top]
    return top, read


def workbook(result: Report) -> bytes:
    """The report as .xlsx: a summary sheet, one sheet per breakdown, the hot topics."""
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    period = _("统计期间：%(start)s 至 %(end)s") % {
        "start": result.period.start.isoformat(),
        "end": result.period.end.isoformat(),
    }
    summary = book.create_sheet(_("概况"))
    summary.append([_("热线统计")])
    summary.append([period])
    summary.append([_("指标"), _("数值")])
    summary.append([_("受理工单"), result.total])
    summary.append([_("已办结（有时限）"), result.on_time.denominator])
    summary.append([_("按时办结"), result.on_time.numerator])
    summary.append([_("按时办结率（%）"), result.on_time.percent])
    summary.append([_("回访"), result.satisfaction.denominator])
    summary.append([_("满意和基本满意"), result.satisfaction.numerator])
    summary.append([_("满意率（%）"), result.satisfaction.percent])
    for key, title in breakdown_titles().items():
        sheet = book.create_sheet(title)
        sheet.append([period])
        sheet.append([_("项目"), _("工单数")])
        for label, n in result.breakdowns[key]:
            sheet.append([label, n])
        sheet.append([_("合计"), result.total])
    sheet = book.create_sheet(_("回访满意度"))
    sheet.append([period])
    sheet.append([_("最近一次回访结果"), _("工单数")])
    for label, n in result.satisfaction_counts:
        sheet.append([label, n])
    sheet = book.create_sheet(_("热点词"))
    sheet.append([period])
    sheet.append([_("热点词"), _("涉及工单数（估计）")])
    for word, n in result.hot_topics:
        sheet.append([word, n])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


PUBLIC_SUMMARY_DAYS = 365
PUBLIC_SUMMARY_KEY = "hotline:public-summary"
PUBLIC_SUMMARY_SECONDS = 600


def public_summary() -> dict:
    """公开统计 on the letters page: the last year's tickets by type and by revisit result.

    Counts only, for every ticket of the platform (no scope: the public sees totals, never
    a ticket). Two GROUP BYs over a year of tickets (seconds at millions of them): served
    from the cache, recomputed every ten minutes by one process at a time while the others
    show the previous figures (``core.refreshing``; a plain expiring entry made every
    thread recompute it at once and stalled the platform).
    """
    return refreshed(
        PUBLIC_SUMMARY_KEY,
        _public_summary,
        fresh=PUBLIC_SUMMARY_SECONDS,
        keep=24 * 3600,
    )


def _public_summary() -> dict:
    since = timezone.now() - datetime.timedelta(days=PUBLIC_SUMMARY_DAYS)
    rows = (
        Ticket.objects.filter(created_at__gte=since)
        .order_by()
        .values_list("type", "satisfaction")
        # COUNT(*), not of the key: the created_at index covers type and satisfaction on
        # PostgreSQL (hotline 0012), so this reads the index only, never the table.
        .annotate(n=Count("*"))
    )
    by_type: Counter = Counter()
    by_satisfaction: Counter = Counter()
    for ticket_type, satisfaction, n in rows:
        by_type[ticket_type] += n
        if satisfaction:
            by_satisfaction[satisfaction] += n
    rate = _satisfaction(by_satisfaction)
    return {
        "days": PUBLIC_SUMMARY_DAYS,
        "total": sum(by_type.values()),
        "by_type": _choices(by_type, TicketType.choices),
        "by_satisfaction": _choices(by_satisfaction, Satisfaction.choices),
        "satisfaction_percent": rate.percent,
    }
