"""``tongzheng divisions load 51 [52 ...]`` and ``tongzheng divisions info``."""

from django.core.management.base import BaseCommand, CommandError

from tongzheng.core import divisions
from tongzheng.core.models import DivisionLevel


class Command(BaseCommand):
    help = "Load real administrative divisions (GB/T 2260, to township level) by province."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        load = sub.add_parser("load", help="load whole provinces, e.g. 'load 51' for Sichuan")
        load.add_argument("provinces", nargs="+", metavar="PROVINCE_CODE")
        sub.add_parser("info", help="print the data source and its date")

    def handle(self, *args, **options):
        if options["operation"] == "info":
            self._info()
            return
        known = divisions.known_province_codes()
        for code in options["provinces"]:
            if code[:2] not in known or len(code) not in (2, 6):
                raise CommandError(f"unknown province code {code!r}; known: {', '.join(known)}")
        try:
            result = divisions.load_divisions(options["provinces"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for level in DivisionLevel:
            self.stdout.write(
                f"{level.label}: {result.created[level]} created, "
                f"{result.existing[level]} already present"
            )

    def _info(self) -> None:
        meta = divisions.data_source()
        self.stdout.write(f"authority: {meta['authority']}")
        self.stdout.write(f"source: {meta['source_page']} (table {meta['source_table']})")
        self.stdout.write(f"data as of: {meta['data_as_of']} (year {meta['data_as_of'][:4]})")
        self.stdout.write(f"retrieved: {meta['retrieved_at']}")
        counts = meta.get("counts", {})
        self.stdout.write(
            "records: "
            + ", ".join(f"{DivisionLevel(int(k)).label} {v}" for k, v in sorted(counts.items()))
        )
