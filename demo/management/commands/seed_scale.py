import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.scale import build, refuse_reason


class Command(BaseCommand):
    help = (
        "Build the city scale on PostgreSQL for benchmarks: units, users, campaigns, tasks, grants, "
        "about a million reports and the reporting ledger (see bench/README.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=300)
        parser.add_argument("--users", type=int, default=2000)
        parser.add_argument("--campaigns", type=int, default=20)
        parser.add_argument("--tasks", type=int, default=5000)
        parser.add_argument("--weeks", type=int, default=104, help="length of the long campaigns, in weeks")
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="the day built around (YYYY-MM-DD)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed, the same data")
        parser.add_argument("--reset", action="store_true", help="empty the project's tables first")

    def handle(self, *args, units, users, campaigns, tasks, weeks, today, seed, reset, **options):
        reason = refuse_reason(reset=reset)
        if reason:
            raise CommandError(reason)
        if units < 2 or campaigns < 1 or tasks < campaigns or weeks < 4:
            raise CommandError("Need at least 2 units, 1 campaign, a task per campaign and 4 weeks.")
        # A fixed day is built around its noon; today, around now (reports are never in the future).
        now = timezone.now()
        if isinstance(today, str):  # call_command(today="2026-03-26") skips the parser's type
            today = datetime.date.fromisoformat(today)
        if today is not None:
            now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
        build(
            units=units, users=users, campaigns=campaigns, tasks=tasks, weeks=weeks, now=now, reset=reset,
            seed=seed, out=self.stdout,
        )  # fmt: skip
