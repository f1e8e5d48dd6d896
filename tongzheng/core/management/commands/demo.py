"""``tongzheng demo --scale county|city|province [--seed N] [--if-empty] [--print-logins]``."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongzheng.core import demo


class Command(BaseCommand):
    help = _("生成演示数据：行政区划、机构、编制台账、实名人员和各角色的演示账号。")

    def add_arguments(self, parser):
        # "test" is a tiny county (two townships, small units) for the test suite.
        parser.add_argument("--scale", choices=demo.SCALES, help=_("county、city 或 province"))
        parser.add_argument(
            "--seed", type=int, default=2026, help=_("随机种子（相同种子生成相同数据）")
        )
        parser.add_argument(
            "--division",
            help=_(
                "区划代码：county 规模为某县，city 规模为某市（默认 510121 金堂县、510100 成都市）"
            ),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("已有机构数据时不生成，只打印演示账号"),
        )
        parser.add_argument(
            "--print-logins", action="store_true", help=_("打印演示账号（不带 --scale 时只打印）")
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("生成人员数据的进程数（默认：province 规模用 CPU 核数，其余 1）"),
        )

        parser.add_argument(
            "--tickets",
            type=int,
            default=None,
            help=_("热线工单数（默认：county 数千、city 约十万、province 五百万）"),
        )
        parser.add_argument(
            "--applications",
            type=int,
            default=None,
            help=_("政务服务办件数（默认：county 五千、city 与 province 一百万）"),
        )

    def handle(
        self,
        *args,
        scale,
        seed,
        division,
        if_empty,
        print_logins,
        workers,
        tickets,
        applications,
        **options,
    ):
        if settings.PRODUCTION:
            raise CommandError(_("生产模式下不能生成演示数据。"))
        if scale is None:
            if not print_logins:
                raise CommandError(_("请用 --scale 指定规模，或用 --print-logins 打印演示账号。"))
            self.stdout.write(demo.format_logins(demo.demo_logins()))
            return
        if demo.organisations_exist():
            if if_empty:
                self.stdout.write(_("数据库中已有机构，未生成演示数据。"))
                self.stdout.write(demo.format_logins(demo.demo_logins()))
                return
            raise CommandError(_("数据库中已有机构：演示数据只能载入空库（或加 --if-empty）。"))
        if workers is None:
            workers = (os.cpu_count() or 1) if scale == "province" else 1
        if workers < 1:
            raise CommandError(_("--workers 至少为 1。"))
        if tickets is not None and tickets < 0:
            raise CommandError(_("--tickets 不能为负数。"))
        if applications is not None and applications < 0:
            raise CommandError(_("--applications 不能为负数。"))
        try:
            report, logins = demo.generate(
                scale,
                seed=seed,
                division_code=division,
                workers=workers,
                options={"tickets": tickets, "applications": applications},
            )
        except (demo.DivisionNotFound, demo.DemoDataExists) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("已生成演示数据（规模 %(scale)s，区划 %(division)s）：")
            % {"scale": scale, "division": report.division}
        )
        for name, value in report.counts.items():
            self.stdout.write(f"  {name}: {value}")
        for phase, seconds, rows in report.phases:
            self.stdout.write(f"  [{phase}] {seconds:.1f} s, {rows} rows")
        self.stdout.write(demo.format_logins(logins))
