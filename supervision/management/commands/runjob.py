import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from supervision.jobs import JOBS, run_job


class Command(BaseCommand):
    help = "Run one supervision job once, as of now or of --now, and print a one-line JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The job; --list shows them.")
        parser.add_argument("--now", help="Act as of this moment (ISO 8601; without offset: Asia/Shanghai).")
        parser.add_argument("--list", action="store_true", help="List the job names.")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Run every job once, in order (make run does this after loading the demo).",
        )

    def handle(self, *args, name=None, now=None, list=False, all=False, **options):
        if list:
            self.stdout.write("\n".join(JOBS))
            return
        if all == bool(name):
            raise CommandError("Name one job, or --all.")
        if name and name not in JOBS:
            raise CommandError(f"Unknown job {name!r}; one of: {', '.join(JOBS)}")
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(f"--now: not an ISO date-time: {now!r}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        # One moment for every job of --all, so they agree on what is due.
        moment = moment or timezone.now()
        for job in JOBS if all else [name]:
            self.stdout.write(json.dumps(run_job(job, moment).as_dict(), ensure_ascii=False))
