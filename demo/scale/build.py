"""The steps of seed_scale, timed, in one transaction."""

from __future__ import annotations

import random
import time
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from guardian.conf import settings as guardian_settings
from guardian.management import create_anonymous_user

from accounts.models import User
from campaigns.models import Campaign, ReportingPeriod
from dashboards.models import Follow, LastVisit
from demo.loader import office_staff_group
from lights.models import Attention, TaskLight, TaskLightWeek
from notifications.models import Notification
from supervision.models import SupervisionNotice
from tasks.ledger.models import Obligation, PeriodUnitSummary
from tasks.models import AssignmentTerm, ProgressReport, Task, TaskAssignment, TaskGroupObjectPermission
from units.models import Membership, Unit

from .copy import analyze, reset_sequences, truncate_project_tables, without_indexes
from .dashboards import build_dashboards
from .messages import build_messages
from .people import build_people
from .reports import build_reports, open_begun_periods
from .structure import build_campaigns, build_tasks
from .summary import build_summary


def refuse_reason(*, reset: bool) -> str | None:
    if connection.vendor != "postgresql":
        return (
            "seed_scale builds on PostgreSQL only (COPY, and sizes SQLite is not meant for): set "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/duban_scale"
        )
    # migrate leaves django-guardian's anonymous user: it is no data.
    users = User.objects.exclude(username=guardian_settings.ANONYMOUS_USER_NAME)
    if not reset and (users.exists() or any(m.objects.exists() for m in (Unit, Campaign, Task))):
        return "The database already holds data: run with --reset to empty the project's tables first."
    return None


@contextmanager
def _step(out, name):
    start = time.perf_counter()
    yield
    out.write(f"{name:<44} {time.perf_counter() - start:7.1f} s")


def _no_fk_triggers():
    """The rows are written consistent with each other: skip the foreign-key triggers while
    copying (a superuser's session setting; without it the checks run, only slower)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: a refusal leaves the rest usable
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:  # not a superuser: keep the checks
        return False
    return True


def build(*, units, users, campaigns, tasks, weeks, now, reset, seed, out) -> dict[str, int]:
    rng = random.Random(seed)
    begin = time.perf_counter()
    with transaction.atomic():
        if reset:
            with _step(out, "reset: project tables emptied"):
                truncate_project_tables()
                create_anonymous_user(None, using=connection.alias)
        _no_fk_triggers()
        with _step(out, "units, groups, users, memberships, leaders"):
            people = build_people(units=units, users=users, now=now, office_group=office_staff_group())
        with _step(out, "campaigns, weekly periods"):
            structure = build_campaigns(
                count=campaigns, weeks=weeks, today=_today(now), office_unit_id=people.office_unit_id
            )
        with _step(out, "tasks, assignments, terms, grants"):
            build_tasks(structure, people, tasks=tasks, now=now, rng=rng)
        with _step(out, "periods opened"):
            open_begun_periods(_today(now))
        with _step(out, "progress reports and obligations (COPY, indexes)"):
            with without_indexes([ProgressReport, Obligation]):
                missing = build_reports(structure, people, now=now, rng=rng)
        with _step(out, "stale copies (内容雷同), the summary per period × unit"):
            build_summary()
        with _step(out, "notices and notifications"):
            build_messages(people, missing, now=now, weeks=weeks)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        with _step(out, "sequences reset"):
            reset_sequences()
        with _step(out, "attention marks, follows, visits; lights and their history"):
            build_dashboards(people, now=now, rng=rng)
        # The rows written since the triggers came back have their deferred foreign-key checks
        # pending until commit: run them now, so that nothing is left pending (a TRUNCATE in the
        # same transaction, as a --reset inside a test's transaction, refuses such tables).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with _step(out, "ANALYZE"):
        analyze([Unit, User, Membership, Campaign, ReportingPeriod, Task, TaskAssignment, AssignmentTerm,
                 TaskGroupObjectPermission, ProgressReport, Obligation, SupervisionNotice, Notification, Attention,
                 Follow, LastVisit, TaskLight, TaskLightWeek, PeriodUnitSummary])  # fmt: skip
    counts = {
        "units": Unit.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "campaigns": Campaign.objects.count(),
        "periods": ReportingPeriod.objects.count(),
        "tasks": Task.objects.count(),
        "assignments": TaskAssignment.objects.count(),
        "terms": AssignmentTerm.objects.count(),
        "grants": TaskGroupObjectPermission.objects.count(),
        "reports": ProgressReport.objects.count(),
        "obligations": Obligation.objects.count(),
        "summary rows": PeriodUnitSummary.objects.count(),
        "stale reports": ProgressReport.objects.filter(stale=True).count(),
        "notices": SupervisionNotice.objects.count(),
        "notifications": Notification.objects.count(),
        "attention marks": Attention.objects.count(),
        "follows": Follow.objects.count(),
        "last visits": LastVisit.objects.count(),
        "lights": TaskLight.objects.count(),
        "light weeks": TaskLightWeek.objects.count(),
    }
    out.write(f"{'total':<44} {time.perf_counter() - begin:7.1f} s")
    out.write(f"busiest unit: {structure.busiest_unit_id}")
    out.write("rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    return counts


def _today(now):
    return timezone.localdate(now)
