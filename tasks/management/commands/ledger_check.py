"""manage.py ledger_check: rebuild the reporting ledger from scratch and list where it differs."""

from django.core.management.base import BaseCommand, CommandError

from tasks.ledger.check import differences


class Command(BaseCommand):
    help = "Recompute the reporting ledger from assignments, periods and reports, and list every difference."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Stop after this many differences.")

    def handle(self, *args, limit=None, **options):
        found = differences(limit=limit)
        for line in found:
            self.stdout.write(line)
        if found:
            raise CommandError(f"{len(found)} difference(s) in the reporting ledger.")
        self.stdout.write("The reporting ledger matches its sources: 0 differences.")
