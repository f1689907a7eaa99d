"""manage.py ledger_check: rebuild the reporting ledger from scratch and list where it differs."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tasks.ledger import summary
from tasks.ledger.check import EVERYTHING, differences
from tasks.ledger.sync import repair


class Command(BaseCommand):
    help = (
        "Recompute the reporting ledger from assignments, periods and reports, and its summary per period and "
        "unit from the obligations, and list every difference (exits non-zero if there is any)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Stop after this many differences.")
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Rebuild the rows that differ from their sources (states from the reports) and check again.",
        )

        parser.add_argument(
            "--rebuild-summary",
            action="store_true",
            help="First recompute the whole summary per period and unit from the obligations, in one statement "
            "(after a bulk load; nothing else may write the ledger meanwhile).",
        )

    def handle(self, *args, limit=None, fix=False, rebuild_summary=False, **options):
        if rebuild_summary:
            self.stdout.write(f"Summary rebuilt: {summary.rebuild_all()} row(s).")
        found = differences(limit=limit)
        for line in found:
            self.stdout.write(line)
        if found and fix:
            with transaction.atomic():
                changed = repair(EVERYTHING)
            self.stdout.write(f"Rebuilt or removed {changed} row(s).")
            found = differences(limit=limit)
            for line in found:
                self.stdout.write(line)
        if found:
            raise CommandError(f"{len(found)} difference(s) in the reporting ledger.")
        self.stdout.write("The reporting ledger matches its sources: 0 differences.")
