from django.core.management.base import BaseCommand

from supervision.schedules import install_default_schedules


class Command(BaseCommand):
    help = "Install the default periodic jobs (django-celery-beat); existing ones are left as they are."

    def handle(self, *args, **options):
        self.stdout.write(f"schedules created: {install_default_schedules()}")
