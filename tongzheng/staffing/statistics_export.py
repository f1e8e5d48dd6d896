"""The annual statistics tables (机构编制年度统计表) of a report as an .xlsx workbook.

Sheet 1 (编制情况): per drill-down row and establishment type, approved / occupied /
vacant / over; sheet 2 (领导职数): the same per leadership post kind. Written with
openpyxl's write-only mode from the report's aggregated rows (never from fact rows).
"""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tongzheng.staffing.statistics import LEADERSHIP_KINDS, Figures, Report


def _figures(figures: Figures) -> list[int]:
    return [figures.approved, figures.occupied, figures.vacant, figures.over]


def report_workbook(report: Report, user) -> bytes:
    book = Workbook(write_only=True)
    measures = [_("核定数"), _("实有数"), _("空编数"), _("超编数")]
    title = _("%(name)s 机构编制统计表") % {"name": report.title}
    stamp = _("统计时间：%(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")}

    sheet = book.create_sheet(_("编制情况"))
    sheet.append([title])
    sheet.append([stamp])
    header = [_("区划/单位"), _("合计核定数"), _("合计实有数"), _("合计空编数"), _("合计超编数")]
    for etype in report.types:
        header.extend(f"{etype.name}{measure}" for measure in measures)
    sheet.append(header)
    for row in report.rows:
        line = [row.label, *_figures(row.total)]
        for etype in report.types:
            line.extend(_figures(row.figures(etype.pk)))
        sheet.append(line)
    totals = report.by_type
    line = [_("合计"), *_figures(report.total)]
    for etype in report.types:
        line.extend(_figures(totals.get(etype.pk, Figures())))
    sheet.append(line)

    posts = book.create_sheet(_("领导职数"))
    posts.append([title])
    posts.append([stamp])
    header = [_("区划/单位")]
    for kind in LEADERSHIP_KINDS:
        header.extend(f"{kind.label}{measure}" for measure in measures)
    posts.append(header)
    for row in report.rows:
        line = [row.label]
        for kind in LEADERSHIP_KINDS:
            line.extend(_figures(row.posts.get(str(kind), Figures())))
        posts.append(line)
    line = [_("合计")]
    for kind in LEADERSHIP_KINDS:
        line.extend(_figures(report.posts.get(str(kind), Figures())))
    posts.append(line)

    out = BytesIO()
    book.save(out)
    return out.getvalue()
