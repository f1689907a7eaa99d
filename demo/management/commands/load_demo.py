from django.core.management.base import BaseCommand

from demo.history import load_history
from demo.loader import load_demo
from demo.outputs import load_outputs


class Command(BaseCommand):
    help = (
        "Load the demo: unit directory, both shared campaigns, demo accounts and weeks of reports, the "
        "efficiency campaign's earlier weeks, then its scores and its first published bulletin (idempotent)."
    )

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
        history = load_history()
        if history:
            self.stdout.write(f"earlier weeks: {history} reports filed and accepted")
        outputs = load_outputs()
        bulletin = outputs["bulletin"]
        self.stdout.write(
            f"scores: {outputs['scores'].written} rows written"
            + (f"; bulletin 第{bulletin.number}期 published" if bulletin else "")
        )
