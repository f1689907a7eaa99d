"""Every page and every role that uses it, at city scale, beside its floor.

    .venv/bin/python bench/pages.py [--repeat 7] [--only WORD ...]

Signs in through django.test.Client (force_login) as users picked from duban_scale (built by
`manage.py seed_scale`): the busiest unit's liaison, a lead liaison, office staff, a leader. Each
page's floor is ONE hand-written SQL that computes everything the page shows (the matrix: each
cell's unit, role, state and lateness for the page's tasks, the period's totals, the sections and
neighbouring periods; the task page: its units, latest reports, indicators, light and the newest
30 timeline entries...), what is shown once (counts, filter lists) read once, not with each row. The two dashboard figures (each unit's rates in campaign scale-01, the
campaign's weekly trend) read the ledger's summary per period × unit (tasks.ledger.read_summary),
beside the same figures counted from the obligations.

Everything runs in a transaction rolled back at the end (a page may open a period that began
since the seed, sessions are written): duban_scale stays as seeded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_floors as floors  # noqa: E402
from harness import Bench, Rollback, one, setup_django  # noqa: E402

FILED, WAITING = floors.FILED, floors.WAITING


class Scene:
    """Who and what the pages are measured on, picked from the data."""

    def __init__(self):
        from django.utils import timezone

        from accounts.models import User
        from campaigns.models import Campaign, ReportingPeriod
        from tasks.models import Task
        from units.models import Leader, Membership, Unit

        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        big_id = one("SELECT campaign_id FROM tasks_task GROUP BY campaign_id ORDER BY count(*) DESC LIMIT 1")[0]
        self.campaign = Campaign.objects.get(pk=big_id)
        self.busiest = Unit.objects.get(
            pk=one("SELECT unit_id FROM tasks_taskassignment GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1")[0]
        )
        self.liaison = User.objects.get(
            pk=Membership.objects.filter(unit=self.busiest, role="liaison").order_by("pk").values("user")[:1]
        )
        self.office = User.objects.get(pk=Membership.objects.filter(role="office").order_by("pk").values("user")[:1])
        self.leader = User.objects.get(pk=Leader.objects.filter(user__isnull=False).order_by("pk").values("user")[:1])
        periods = ReportingPeriod.objects.filter(campaign=self.campaign)
        self.current = periods.filter(start_date__lte=self.today, end_date__gte=self.today).first()
        self.last_due = periods.filter(due_at__lte=self.now).order_by("-number").first()
        # The review queue opens on the begun period with the most reports waiting.
        self.queue_period = ReportingPeriod.objects.get(
            pk=one(
                "SELECT p.id FROM campaigns_reportingperiod p LEFT JOIN tasks_obligation o ON o.period_id = p.id "
                "AND o.state IN %s WHERE p.campaign_id = %s AND p.start_date <= %s GROUP BY p.id "
                "ORDER BY count(o.id) DESC, p.number DESC LIMIT 1",
                [WAITING, self.campaign.pk, self.today],
            )[0]
        )
        # A task of the big campaign the busiest unit is on, open, with an obligation this period.
        self.report_task = (
            Task.objects.filter(
                campaign=self.campaign, status="open", obligations__unit=self.busiest, obligations__period=self.current
            )
            .order_by("sort_key")
            .first()
        )
        # A task led by another unit, with supporting units: its lead liaison.
        lead = one(
            "SELECT a.task_id, a.unit_id FROM tasks_taskassignment a JOIN tasks_task t ON t.id = a.task_id "
            "JOIN units_membership m ON m.unit_id = a.unit_id AND m.role = 'liaison' "
            "WHERE t.campaign_id = %s AND a.role = 'lead' AND a.unit_id <> %s AND t.status = 'open' "
            "AND (SELECT count(*) FROM tasks_taskassignment b WHERE b.task_id = a.task_id) >= 3 "
            "ORDER BY t.sort_key LIMIT 1",
            [self.campaign.pk, self.busiest.pk],
        )
        self.lead_task = Task.objects.select_related("campaign").get(pk=lead[0])
        self.lead_unit = Unit.objects.get(pk=lead[1])
        self.lead_liaison = User.objects.get(
            pk=Membership.objects.filter(unit=self.lead_unit, role="liaison").order_by("pk").values("user")[:1]
        )
        self.section_id = one(
            "SELECT id FROM campaigns_section WHERE campaign_id = %s ORDER BY sort_order LIMIT 1", [self.campaign.pk]
        )[0]


def guarded(bench, label, fn, **options):
    """One measure in a savepoint: a page that fails (others are rewriting them) is reported and
    the bench goes on."""
    from django.db import transaction

    try:
        with transaction.atomic():
            bench.measure(label, fn, **options)
    except Exception as error:  # noqa: BLE001
        print(f"{label[:52]:<52} ERROR {type(error).__name__}: {str(error).splitlines()[0][:120]}")


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def pages(bench: Bench, scene: Scene, repeat: int, only):
    from django.urls import reverse

    c, big, unit = scene.campaign, scene.campaign.code, scene.busiest
    clients = {
        "busiest liaison": client_for(scene.liaison),
        "lead liaison": client_for(scene.lead_liaison),
        "office": client_for(scene.office),
        "leader": client_for(scene.leader),
    }

    def measure(label, role, url, sql, params):
        if only and not any(word in label for word in only):
            return
        client = clients[role]
        guarded(
            bench, f"{label} ({role})", lambda: client.get(url), floor_sql=sql, floor_params=params, repeat=repeat,
            html=True,
        )  # fmt: skip

    # What every page pays before its own work (middleware, session, user): the smallest view.
    if not only or "overhead" in only:
        client = clients["office"]
        guarded(
            bench, "request overhead (favicon redirect, office)", lambda: client.get(reverse("favicon")), repeat=repeat
        )
        # ... and every page with the layout (navigation, unread count, calendar notice): a page
        # not found, signed in, is the layout with nothing in it. No page can be faster.
        guarded(bench, "the layout alone (page not found, office)", lambda: client.get("/no-such-page/"), repeat=repeat)

    # Workspace: the unit's open tasks, this period's and last period's state of each (the page
    # shows 25 of them, and counts over all), and the reports returned to it for a fix: the 20
    # with the nearest fix deadline, with the office's comment, and how many in all.
    measure(
        "workspace", "busiest liaison", reverse("tasks:workspace"), floors.WORKSPACE, {"u": unit.pk, "d": scene.today}
    )
    if scene.report_task and scene.current:
        task = scene.report_task
        url = reverse("tasks:report", args=[big, task.number, unit.pk, scene.current.number])
        # The obligation and its report with its figures and evidence, the unit's previous report,
        # and (for a lead unit) every other unit's state this period.
        measure("report page, this period", "busiest liaison", url, floors.REPORT, [task.pk, unit.pk, scene.current.pk])

    # Review home: the reports awaiting review per active campaign.
    measure("review home", "office", reverse("tasks:review-home"), floors.REVIEW_HOME, [WAITING])

    # Review queue: the period's first page of 50 filed reports (body, figures, evidence), the
    # counts per state, and the filters: begun periods with how many await review in each, the
    # units ever on the campaign, its sections.
    queue = reverse("tasks:review", args=[big])
    period = scene.queue_period
    where = {"c": c.pk, "d": scene.today, "waiting": WAITING, "filed": FILED, "p": period.pk}
    measure("review queue", "office", queue, floors.review_queue(), {**where, "states": WAITING})
    filtered = f"{queue}?period={period.number}&section={scene.section_id}&state=accepted"
    measure(
        "review queue, section + accepted", "office", filtered, floors.review_queue("AND t.section_id = %(s)s"),
        {**where, "states": ("accepted",), "s": scene.section_id},
    )  # fmt: skip

    # Matrix: the states of the period's obligations for the page's 100 tasks (each cell's unit,
    # role, state, lateness), the period's totals, the sections and the periods either side.
    if scene.last_due:
        url = reverse("tasks:matrix", args=[big, scene.last_due.number])
        measure("compliance matrix, 1,000 tasks", "office", url, floors.MATRIX, {"c": c.pk, "p": scene.last_due.pk})
        measure("compliance matrix, 1,000 tasks", "leader", url, floors.MATRIX, {"c": c.pk, "p": scene.last_due.pk})

    # Task page: the task with its leaders, milestones and sub-items; each unit's state this period
    # and latest filed report (with its evidence); the indicators' values per period; the light
    # and its weeks; and the timeline's newest 30 entries from its sources (the task's and its
    # units' history, with each change's previous record; reports; comments; requests; urges;
    # notices).
    task = scene.lead_task
    task_params = {"t": task.pk, "d": scene.today}
    for role in ("lead liaison", "office", "leader"):
        measure("task detail", role, task.get_absolute_url(), floors.TASK, task_params)

    # Campaign page: its phases and a page of 50 tasks (section, phase, units, leaders, status),
    # each with its figures (this period owed and filed; over the periods due, on time, missing,
    # fixes overdue), and how many tasks there are.
    campaign_params = {"c": c.pk, "d": scene.today, "now": scene.now, "filed": FILED}
    for role in ("office", "leader", "busiest liaison"):
        measure("campaign detail, 1,000 tasks", role, c.get_absolute_url(), floors.CAMPAIGN, campaign_params)
    measure("campaigns list", "office", reverse("campaigns:list"), floors.LIST, {"all": True, "u": unit.pk})
    measure("campaigns list", "busiest liaison", reverse("campaigns:list"), floors.LIST, {"all": False, "u": unit.pk})

    # Unit page: a page of 50 of the unit's tasks, each with what the unit owed on it so far,
    # filed (on time, late), missed and fixes overdue, and those figures over all its tasks.
    unit_params = {"u": unit.pk, "now": scene.now, "filed": FILED}
    for role in ("office", "leader", "busiest liaison"):
        measure("unit page, busiest unit", role, unit.get_absolute_url(), floors.UNIT, unit_params)
    # Inbox: the newest 50 notifications and the unread count.
    for role, user in (("busiest liaison", scene.liaison), ("office", scene.office)):
        measure("inbox", role, reverse("notifications:inbox"), floors.INBOX, {"r": user.pk})
    # Notices: the newest 50 the user sees, each with its unit, campaign, period and task, and the
    # campaigns the filter offers.
    measure("notices list", "office", reverse("supervision:notices"), floors.NOTICES, {"all": True, "u": unit.pk})
    measure(
        "notices list", "busiest liaison", reverse("supervision:notices"), floors.NOTICES, {"all": False, "u": unit.pk}
    )
    for client in clients.values():
        client.logout()


def dashboard_figures(bench: Bench, scene: Scene, repeat: int):
    """The two dashboard figures, read from the ledger's summary per period × unit
    (tasks.ledger.read_summary): each unit's rates in campaign scale-01 over all its due periods,
    and the campaign's weekly trend. The floor is one hand-written SQL over the summary giving
    the same figures; the lines "from obligations" are the same figures counted from the ledger
    table itself, as issue 9 measured them (294 ms and 101 ms then, for every campaign over two
    years and for the weekly trend)."""
    from django.db import connection

    from campaigns.models import Campaign
    from tasks.ledger.read_summary import rates_by_unit, rates_by_week

    campaign = Campaign.objects.filter(code="scale-01").first() or scene.campaign
    params = {"now": scene.now, "c": campaign.pk}
    sums = """
        sum(s.owed), sum(s.owed - s.unfiled) AS filed, sum(s.on_time), sum(s.late), sum(s.unfiled) AS missing,
        sum(s.returned), sum(s.accepted), sum(s.awaiting_review), sum(s.stale)"""
    overdue = """
        SELECT o.{key}, count(*) AS fix_overdue FROM tasks_obligation o
        JOIN campaigns_reportingperiod p ON p.id = o.period_id
        WHERE o.campaign_id = %(c)s AND o.state = 'returned' AND o.fix_due_at <= %(now)s AND p.due_at <= %(now)s
        GROUP BY o.{key}"""
    per_unit = f"""
        WITH f AS ({overdue.format(key="unit_id")})
        SELECT s.unit_id, {sums}, coalesce(max(f.fix_overdue), 0)
        FROM tasks_periodunitsummary s JOIN campaigns_reportingperiod p ON p.id = s.period_id
        LEFT JOIN f ON f.unit_id = s.unit_id
        WHERE s.campaign_id = %(c)s AND p.due_at <= %(now)s GROUP BY s.unit_id"""
    weekly = f"""
        WITH f AS ({overdue.format(key="period_id")})
        SELECT p.end_date, {sums}, coalesce(max(f.fix_overdue), 0)
        FROM tasks_periodunitsummary s JOIN campaigns_reportingperiod p ON p.id = s.period_id
        LEFT JOIN f ON f.period_id = s.period_id
        WHERE s.campaign_id = %(c)s AND p.due_at <= %(now)s GROUP BY p.end_date ORDER BY p.end_date"""
    counted = """
        SELECT o.{key}, count(*) AS owed, count(*) FILTER (WHERE o.state NOT IN ('owed', 'draft')) AS filed,
               count(*) FILTER (WHERE o.first_late IS FALSE) AS on_time,
               count(*) FILTER (WHERE o.first_late) AS late,
               count(*) FILTER (WHERE o.state IN ('owed', 'draft')) AS missing,
               count(*) FILTER (WHERE o.state = 'returned') AS returned,
               count(*) FILTER (WHERE o.state = 'accepted') AS accepted,
               count(*) FILTER (WHERE o.state IN ('submitted', 'resubmitted')) AS awaiting,
               count(*) FILTER (WHERE o.state = 'returned' AND o.fix_due_at <= %(now)s) AS fix_overdue
        FROM tasks_obligation o JOIN campaigns_reportingperiod p ON p.id = o.period_id
        WHERE o.campaign_id = %(c)s AND p.due_at <= %(now)s GROUP BY o.{key}"""

    def sql(text):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(text, params)
                return cursor.fetchall()

        return run

    label = f"dashboard: rates per unit, {campaign.code}, all periods"
    guarded(bench, label, lambda: rates_by_unit([campaign.pk], now=scene.now), floor_sql=per_unit,
            floor_params=params, repeat=repeat)  # fmt: skip
    label = f"dashboard: weekly trend, {campaign.code}"
    guarded(bench, label, lambda: rates_by_week([campaign.pk], now=scene.now), floor_sql=weekly,
            floor_params=params, repeat=repeat)  # fmt: skip
    guarded(bench, "  the same per unit, from obligations", sql(counted.format(key="unit_id")), repeat=repeat)
    guarded(bench, "  the same per week, from obligations", sql(counted.format(key="period_id")), repeat=repeat)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=[], help="measure only the labels containing a word")
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.db import transaction

    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    bench = Bench("pages")
    try:
        with transaction.atomic():
            scene = Scene()
            print(
                f"# campaign {scene.campaign.code} ({scene.campaign.tasks.count()} tasks), busiest unit "
                f"{scene.busiest.pk} ({scene.busiest.assignments.count()} tasks), queue period "
                f"{scene.queue_period.number}, matrix period {scene.last_due.number if scene.last_due else '-'}"
            )
            pages(bench, scene, args.repeat, args.only)
            if not args.only or any("dashboard" in word for word in args.only):
                dashboard_figures(bench, scene, args.repeat)
            raise Rollback
    except Rollback:
        pass
    bench.done()


if __name__ == "__main__":
    main()
