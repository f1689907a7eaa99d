from django.core.management.base import BaseCommand

from demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo: unit directory, both shared campaigns, demo accounts and weeks of reports (idempotent)."

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
