"""Take today's supervision snapshot, or backfill past days (for cron / systemd timers)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tongzheng.supervision import snapshots


class Command(BaseCommand):
    help = "Record today's 监察日统计, or rebuild past days with --backfill FIRST LAST."

    def add_arguments(self, parser):
        parser.add_argument("--backfill", nargs=2, metavar=("FIRST", "LAST"))
        parser.add_argument("--overwrite", action="store_true")

    def handle(self, *args, backfill=None, overwrite=False, **options):
        if backfill:
            try:
                first, last = (datetime.date.fromisoformat(value) for value in backfill)
            except ValueError as exc:
                raise CommandError("dates are YYYY-MM-DD") from exc
            if first > last:
                raise CommandError("FIRST must not be after LAST")
            rows = snapshots.backfill(first, last, overwrite=overwrite)
        else:
            rows = snapshots.take_snapshot()
        self.stdout.write(f"{rows} rows")
