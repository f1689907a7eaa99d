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
from harness import Bench, Rollback, one, setup_django  # noqa: E402

FILED = ("submitted", "returned", "resubmitted", "accepted")
WAITING = ("submitted", "resubmitted")


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
    workspace_sql = """
        WITH tasks AS (
            SELECT t.id, t.number, t.title, t.deadline, c.code, a.role, p.number AS period, p.due_at, o.state,
                   o.fix_due_at, c.start_date, t.sort_key
            FROM tasks_taskassignment a JOIN tasks_task t ON t.id = a.task_id
            JOIN campaigns_campaign c ON c.id = t.campaign_id
            LEFT JOIN campaigns_reportingperiod p ON p.campaign_id = c.id AND p.start_date <= %(d)s
                 AND p.end_date >= %(d)s - 7
            LEFT JOIN tasks_obligation o ON o.task_id = t.id AND o.unit_id = a.unit_id AND o.period_id = p.id
            WHERE a.unit_id = %(u)s AND c.status = 'active' AND t.status = 'open')
        SELECT (SELECT json_agg(tasks ORDER BY start_date DESC, sort_key, period) FROM tasks) AS tasks,
               (SELECT json_agg(x) FROM (
                    SELECT ro.fix_due_at, rt.number, rt.title, rp.number AS period, r.review_comment, r.reviewed_at,
                           count(*) OVER () AS total
                    FROM tasks_obligation ro JOIN tasks_progressreport r ON r.id = ro.report_id
                    JOIN tasks_task rt ON rt.id = ro.task_id JOIN campaigns_reportingperiod rp ON rp.id = ro.period_id
                    WHERE ro.unit_id = %(u)s AND ro.state = 'returned' ORDER BY ro.fix_due_at, ro.id LIMIT 20) x)
                   AS returned"""
    measure("workspace", "busiest liaison", reverse("tasks:workspace"), workspace_sql, {"u": unit.pk, "d": scene.today})
    if scene.report_task and scene.current:
        task = scene.report_task
        url = reverse("tasks:report", args=[big, task.number, unit.pk, scene.current.number])
        # The obligation and its report with its figures and evidence, the unit's previous report,
        # and (for a lead unit) every other unit's state this period.
        report_sql = """
            SELECT r.*, o.state, o.first_late, o.fix_due_at, p.number, p.start_date, p.end_date, p.due_at,
                   t.number, t.title, a.role,
                   (SELECT row_to_json(x) FROM (SELECT progress, problems, next_steps, percent_complete
                        FROM tasks_progressreport WHERE task_id = o.task_id AND unit_id = o.unit_id
                        AND period_id <> o.period_id ORDER BY period_id DESC LIMIT 1) x) AS previous,
                   (SELECT json_agg(json_build_object('name', i.name, 'measure', i.measure, 'target', i.target,
                        'value', v.value) ORDER BY i.sort_order) FROM tasks_indicator i
                        LEFT JOIN tasks_indicatorvalue v ON v.indicator_id = i.id AND v.report_id = o.report_id
                        WHERE i.task_id = o.task_id) AS indicators,
                   (SELECT json_agg(json_build_object('name', f.original_name, 'size', f.size))
                        FROM tasks_attachment f WHERE f.report_id = o.report_id AND f.removed_at IS NULL) AS files,
                   CASE WHEN a.role = 'lead' THEN
                       (SELECT json_agg(json_build_object('unit', u.short_name, 'state', x.state, 'fix', x.fix_due_at)
                            ORDER BY b.role, b.sort_order) FROM tasks_taskassignment b
                            JOIN units_unit u ON u.id = b.unit_id LEFT JOIN tasks_obligation x
                            ON x.task_id = b.task_id AND x.unit_id = b.unit_id AND x.period_id = o.period_id
                            WHERE b.task_id = o.task_id AND b.unit_id <> o.unit_id) END AS others
            FROM tasks_obligation o JOIN campaigns_reportingperiod p ON p.id = o.period_id
            JOIN tasks_task t ON t.id = o.task_id LEFT JOIN tasks_progressreport r ON r.id = o.report_id
            JOIN tasks_taskassignment a ON a.task_id = o.task_id AND a.unit_id = o.unit_id
            WHERE o.task_id = %s AND o.unit_id = %s AND o.period_id = %s"""
        measure("report page, this period", "busiest liaison", url, report_sql, [task.pk, unit.pk, scene.current.pk])

    # Review home: the reports awaiting review per active campaign.
    review_home_sql = """
        SELECT c.id, c.code, c.title, count(o.id) FROM campaigns_campaign c
        LEFT JOIN tasks_obligation o ON o.campaign_id = c.id AND o.state IN %s
        WHERE c.status = 'active' GROUP BY c.id ORDER BY c.start_date DESC, c.code"""
    measure("review home", "office", reverse("tasks:review-home"), review_home_sql, [WAITING])

    # Review queue: the period's first page of 50 filed reports (body, figures, evidence), the
    # counts per state, and the filters: begun periods with how many await review in each, the
    # units ever on the campaign, its sections.
    def queue_sql(extra=""):
        return f"""
            WITH filed AS (SELECT o.* FROM tasks_obligation o JOIN tasks_task t ON t.id = o.task_id
                           WHERE o.period_id = %(p)s AND o.state IN %(filed)s {extra}),
            page AS (SELECT f.report_id, f.state, f.first_late, f.first_submitted_at, t.number, t.title,
                            t.sort_key, u.short_name, u.sort_order
                     FROM filed f JOIN tasks_task t ON t.id = f.task_id JOIN units_unit u ON u.id = f.unit_id
                     WHERE f.state IN %(states)s ORDER BY t.sort_key, u.sort_order LIMIT 50)
            SELECT (SELECT json_agg(x ORDER BY x.sort_key, x.sort_order) FROM (
                        SELECT page.*, r.progress, r.problems, r.next_steps, r.percent_complete,
                               r.needs_coordination, r.coordination_request, r.submitted_at, r.reviewed_at, r.stale,
                               (SELECT json_agg(f.original_name) FROM tasks_attachment f
                                    WHERE f.report_id = r.id AND f.removed_at IS NULL) AS files,
                               (SELECT json_agg(json_build_object('name', i.name, 'value', v.value))
                                    FROM tasks_indicatorvalue v JOIN tasks_indicator i ON i.id = v.indicator_id
                                    WHERE v.report_id = r.id) AS figures
                        FROM page JOIN tasks_progressreport r ON r.id = page.report_id) x) AS rows,
                   (SELECT json_object_agg(state, n) FROM (SELECT state, count(*) n FROM filed GROUP BY state) s)
                        AS counts,
                   (SELECT json_agg(json_build_object('number', p.number, 'waiting', coalesce(w.n, 0))
                        ORDER BY p.number DESC) FROM campaigns_reportingperiod p
                        LEFT JOIN (SELECT period_id, count(*) n FROM tasks_obligation WHERE campaign_id = %(c)s
                                   AND state IN %(waiting)s GROUP BY period_id) w ON w.period_id = p.id
                        WHERE p.campaign_id = %(c)s AND p.start_date <= %(d)s) AS periods,
                   (SELECT json_agg(u.short_name ORDER BY u.sort_order) FROM units_unit u
                        WHERE u.id IN (SELECT m.unit_id FROM tasks_assignmentterm m JOIN tasks_task t
                                       ON t.id = m.task_id WHERE t.campaign_id = %(c)s)) AS units,
                   (SELECT json_agg(s.title ORDER BY s.sort_order) FROM campaigns_section s
                        WHERE s.campaign_id = %(c)s) AS sections"""

    queue = reverse("tasks:review", args=[big])
    period = scene.queue_period
    where = {"c": c.pk, "d": scene.today, "waiting": WAITING, "filed": FILED, "p": period.pk}
    measure("review queue", "office", queue, queue_sql(), {**where, "states": WAITING})
    filtered = f"{queue}?period={period.number}&section={scene.section_id}&state=accepted"
    measure(
        "review queue, section + accepted", "office", filtered, queue_sql("AND t.section_id = %(s)s"),
        {**where, "states": ("accepted",), "s": scene.section_id},
    )  # fmt: skip

    # Matrix: the states of the period's obligations for the page's 100 tasks (each cell's unit,
    # role, state, lateness), the period's totals, the sections and the periods either side.
    if scene.last_due:
        matrix_sql = """
            WITH page AS (SELECT id, number, title, sort_key FROM tasks_task WHERE campaign_id = %(c)s
                          ORDER BY sort_key LIMIT 100)
            SELECT page.id, page.number, page.title, o.unit_id, u.short_name, a.role, o.state, o.first_late,
                   o.fix_due_at,
                   CASE WHEN row_number() OVER () = 1 THEN (SELECT json_build_object(
                       'totals', (SELECT json_object_agg(state, n) FROM (SELECT state, count(*) n
                                  FROM tasks_obligation WHERE period_id = %(p)s GROUP BY state) s),
                       'sections', (SELECT json_agg(s.title ORDER BY s.sort_order) FROM campaigns_section s
                                    WHERE s.campaign_id = %(c)s),
                       'periods', (SELECT json_agg(n.number) FROM campaigns_reportingperiod n, campaigns_reportingperiod p
                                   WHERE p.id = %(p)s AND n.campaign_id = p.campaign_id
                                   AND n.number IN (p.number - 1, p.number + 1)))) END AS matrix
            FROM page LEFT JOIN tasks_obligation o ON o.task_id = page.id AND o.period_id = %(p)s
            LEFT JOIN units_unit u ON u.id = o.unit_id
            LEFT JOIN tasks_taskassignment a ON a.task_id = o.task_id AND a.unit_id = o.unit_id
            ORDER BY page.sort_key, u.sort_order"""
        url = reverse("tasks:matrix", args=[big, scene.last_due.number])
        measure("compliance matrix, 1,000 tasks", "office", url, matrix_sql, {"c": c.pk, "p": scene.last_due.pk})
        measure("compliance matrix, 1,000 tasks", "leader", url, matrix_sql, {"c": c.pk, "p": scene.last_due.pk})

    # Task page: the task with its leaders, milestones and sub-items; each unit's state this period
    # and latest filed report (with its evidence); the indicators' values per period; the light
    # and its weeks; and the timeline's newest 30 entries from its sources (the task's and its
    # units' history, with each change's previous record; reports; comments; requests; urges;
    # notices).
    task = scene.lead_task
    task_sql = """
        WITH t AS (SELECT * FROM tasks_task WHERE id = %(t)s),
        cur AS (SELECT p.id FROM campaigns_reportingperiod p JOIN t ON p.campaign_id = t.campaign_id
                WHERE p.start_date <= %(d)s AND p.end_date >= %(d)s),
        units AS (
            SELECT a.unit_id, a.role, a.sort_order, u.short_name, o.state, o.fix_due_at,
                   (SELECT row_to_json(x) FROM (
                        SELECT r.id, r.status, r.progress, r.problems, r.next_steps, r.percent_complete,
                               r.submitted_at, lo.period_number,
                               (SELECT json_agg(f.original_name) FROM tasks_attachment f
                                    WHERE f.report_id = r.id AND f.removed_at IS NULL) AS files
                        FROM tasks_obligation lo JOIN tasks_progressreport r ON r.id = lo.report_id
                        WHERE lo.task_id = a.task_id AND lo.unit_id = a.unit_id AND r.status <> 'draft'
                        ORDER BY lo.period_number DESC LIMIT 1) x) AS latest
            FROM tasks_taskassignment a JOIN units_unit u ON u.id = a.unit_id
            LEFT JOIN tasks_obligation o ON o.task_id = a.task_id AND o.unit_id = a.unit_id
                 AND o.period_id = (SELECT id FROM cur)
            WHERE a.task_id = %(t)s),
        events AS (
            (SELECT h.history_date AS at, 'task' AS kind, h.title AS text, prev.title AS before
             FROM tasks_historicaltask h LEFT JOIN LATERAL (
                 SELECT title FROM tasks_historicaltask e WHERE e.id = h.id AND e.history_date < h.history_date
                 ORDER BY e.history_date DESC LIMIT 1) prev ON true
             WHERE h.id = %(t)s ORDER BY h.history_date DESC LIMIT 30)
            UNION ALL (SELECT history_date, 'unit', role, NULL FROM tasks_historicaltaskassignment
                       WHERE task_id = %(t)s ORDER BY history_date DESC LIMIT 30)
            UNION ALL (SELECT history_date, 'report', status, NULL FROM tasks_historicalprogressreport
                       WHERE task_id = %(t)s AND status <> 'draft' ORDER BY history_date DESC LIMIT 30)
            UNION ALL (SELECT created_at, 'comment', text, NULL FROM tasks_leadercomment WHERE task_id = %(t)s)
            UNION ALL (SELECT requested_at, 'completion', summary, NULL FROM tasks_completionrequest
                       WHERE task_id = %(t)s)
            UNION ALL (SELECT requested_at, 'extension', reason, NULL FROM tasks_extensionrequest
                       WHERE task_id = %(t)s)
            UNION ALL (SELECT urged_at, 'urge', note, NULL FROM supervision_urge WHERE task_id = %(t)s
                       ORDER BY urged_at DESC LIMIT 30)
            UNION ALL (SELECT coalesce(answered_at, issued_at), 'notice', body, NULL
                       FROM supervision_supervisionnotice WHERE task_id = %(t)s ORDER BY 1 DESC LIMIT 30))
        SELECT t.*,
               (SELECT json_agg(units ORDER BY role, sort_order) FROM units) AS units,
               (SELECT json_agg(l.name) FROM tasks_task_leaders tl JOIN units_leader l ON l.id = tl.leader_id
                    WHERE tl.task_id = t.id) AS leaders,
               (SELECT json_agg(m ORDER BY m.due_date) FROM tasks_milestone m WHERE m.task_id = t.id) AS milestones,
               (SELECT json_agg(s.title ORDER BY s.sort_key) FROM tasks_task s WHERE s.parent_id = t.id) AS sub_items,
               (SELECT json_agg(x) FROM (SELECT i.name, p.number, v.value FROM tasks_indicator i
                    JOIN tasks_indicatorvalue v ON v.indicator_id = i.id
                    JOIN tasks_progressreport r ON r.id = v.report_id AND r.status <> 'draft'
                    JOIN campaigns_reportingperiod p ON p.id = r.period_id WHERE i.task_id = t.id) x) AS indicators,
               (SELECT row_to_json(l) FROM lights_tasklight l WHERE l.task_id = t.id) AS light,
               (SELECT json_agg(w.light ORDER BY p.number) FROM lights_tasklightweek w
                    JOIN campaigns_reportingperiod p ON p.id = w.period_id WHERE w.task_id = t.id) AS light_weeks,
               (SELECT json_agg(e ORDER BY e.at DESC) FROM (SELECT * FROM events ORDER BY at DESC LIMIT 30) e)
                    AS timeline
        FROM t"""
    task_params = {"t": task.pk, "d": scene.today}
    for role in ("lead liaison", "office", "leader"):
        measure("task detail", role, task.get_absolute_url(), task_sql, task_params)

    # Campaign page: its phases and a page of 50 tasks (section, phase, units, leaders, status),
    # each with its figures (this period owed and filed; over the periods due, on time, missing,
    # fixes overdue), and how many tasks there are.
    campaign_sql = """
        WITH page AS (SELECT t.* FROM tasks_task t LEFT JOIN campaigns_section s ON s.id = t.section_id
                      WHERE t.campaign_id = %(c)s ORDER BY s.sort_order NULLS FIRST, t.section_id, t.sort_key
                      LIMIT 50),
        figures AS (
            SELECT o.task_id,
                   count(*) FILTER (WHERE p.start_date <= %(d)s AND p.end_date >= %(d)s) AS now_owed,
                   count(*) FILTER (WHERE p.start_date <= %(d)s AND p.end_date >= %(d)s AND o.state IN %(filed)s)
                       AS now_filed,
                   count(*) FILTER (WHERE p.due_at <= %(now)s) AS due,
                   count(*) FILTER (WHERE p.due_at <= %(now)s AND o.first_late IS FALSE) AS on_time,
                   count(*) FILTER (WHERE p.due_at <= %(now)s AND o.state IN ('owed', 'draft')) AS missing,
                   count(*) FILTER (WHERE o.state = 'returned' AND o.fix_due_at <= %(now)s) AS fix_overdue
            FROM tasks_obligation o JOIN campaigns_reportingperiod p ON p.id = o.period_id
            WHERE o.task_id IN (SELECT id FROM page) GROUP BY o.task_id)
        SELECT page.id, page.number, page.title, page.deadline, page.original_deadline, page.status,
               page.category, s.title, ph.name, f.*,
               (SELECT string_agg(u.short_name, '、' ORDER BY a.role, a.sort_order) FROM tasks_taskassignment a
                    JOIN units_unit u ON u.id = a.unit_id WHERE a.task_id = page.id) AS units,
               (SELECT string_agg(l.name, '、') FROM tasks_task_leaders tl JOIN units_leader l
                    ON l.id = tl.leader_id WHERE tl.task_id = page.id) AS leaders,
               CASE WHEN row_number() OVER () = 1 THEN
                   (SELECT json_build_object('tasks', (SELECT count(*) FROM tasks_task WHERE campaign_id = %(c)s),
                        'phases', (SELECT json_agg(x ORDER BY x.start_date) FROM campaigns_phase x
                                   WHERE x.campaign_id = %(c)s))) END AS campaign
        FROM page LEFT JOIN campaigns_section s ON s.id = page.section_id
        LEFT JOIN campaigns_phase ph ON ph.id = page.phase_id LEFT JOIN figures f ON f.task_id = page.id
        ORDER BY s.sort_order NULLS FIRST, page.section_id, page.sort_key"""
    campaign_params = {"c": c.pk, "d": scene.today, "now": scene.now, "filed": FILED}
    for role in ("office", "leader", "busiest liaison"):
        measure("campaign detail, 1,000 tasks", role, c.get_absolute_url(), campaign_sql, campaign_params)
    list_sql = """
        SELECT c.id, c.code, c.title, c.status, c.start_date, c.end_date, count(t.id)
        FROM campaigns_campaign c LEFT JOIN tasks_task t ON t.campaign_id = c.id
        WHERE %(all)s OR c.id IN (SELECT t.campaign_id FROM tasks_task t JOIN tasks_taskassignment a
                                 ON a.task_id = t.id WHERE a.unit_id = %(u)s)
        GROUP BY c.id ORDER BY c.start_date DESC, c.code"""
    measure("campaigns list", "office", reverse("campaigns:list"), list_sql, {"all": True, "u": unit.pk})
    measure("campaigns list", "busiest liaison", reverse("campaigns:list"), list_sql, {"all": False, "u": unit.pk})

    # Unit page: a page of 50 of the unit's tasks, each with what the unit owed on it so far,
    # filed (on time, late), missed and fixes overdue, and those figures over all its tasks.
    unit_sql = """
        WITH figures AS (
            SELECT o.task_id, count(*) FILTER (WHERE p.due_at <= %(now)s) AS owed,
                   count(*) FILTER (WHERE p.due_at <= %(now)s AND o.state IN %(filed)s) AS filed,
                   count(*) FILTER (WHERE p.due_at <= %(now)s AND o.state IN %(filed)s AND NOT o.first_late) AS on_time,
                   count(*) FILTER (WHERE p.due_at <= %(now)s AND o.state IN %(filed)s AND o.first_late) AS late,
                   count(*) FILTER (WHERE p.due_at <= %(now)s AND o.state IN ('owed', 'draft')) AS missing,
                   count(*) FILTER (WHERE o.state = 'returned' AND o.fix_due_at <= %(now)s) AS fix_overdue,
                   count(*) FILTER (WHERE o.state = 'accepted') AS accepted
            FROM tasks_obligation o JOIN campaigns_reportingperiod p ON p.id = o.period_id
            JOIN campaigns_campaign c ON c.id = o.campaign_id
            WHERE o.unit_id = %(u)s AND c.status <> 'draft' GROUP BY o.task_id)
        SELECT t.id, t.number, t.title, t.deadline, t.status, c.code, a.role, f.*,
               CASE WHEN row_number() OVER () = 1 THEN
                   (SELECT row(sum(owed), sum(filed), sum(on_time), sum(late), sum(missing), sum(fix_overdue))
                    FROM figures) END AS totals
        FROM tasks_taskassignment a JOIN tasks_task t ON t.id = a.task_id
        JOIN campaigns_campaign c ON c.id = t.campaign_id LEFT JOIN figures f ON f.task_id = a.task_id
        WHERE a.unit_id = %(u)s AND c.status <> 'draft'
        ORDER BY c.start_date DESC, c.code, t.sort_key LIMIT 50"""
    unit_params = {"u": unit.pk, "now": scene.now, "filed": FILED}
    for role in ("office", "leader", "busiest liaison"):
        measure("unit page, busiest unit", role, unit.get_absolute_url(), unit_sql, unit_params)

    inbox_sql = """SELECT n.*, (SELECT count(*) FROM supervision_notification WHERE recipient_id = %(r)s
                   AND read_at IS NULL) FROM supervision_notification n WHERE n.recipient_id = %(r)s
                   ORDER BY n.created_at DESC LIMIT 50"""
    for role, user in (("busiest liaison", scene.liaison), ("office", scene.office)):
        measure("inbox", role, reverse("notifications:inbox"), inbox_sql, {"r": user.pk})
    notices_sql = """SELECT n.id, n.kind, n.body, n.status, n.issued_at, n.answer_by, u.name, c.code
                     FROM supervision_supervisionnotice n JOIN units_unit u ON u.id = n.unit_id
                     JOIN campaigns_campaign c ON c.id = n.campaign_id
                     WHERE %(all)s OR n.unit_id = %(u)s ORDER BY n.issued_at DESC LIMIT 50"""
    measure("notices list", "office", reverse("supervision:notices"), notices_sql, {"all": True, "u": unit.pk})
    measure(
        "notices list", "busiest liaison", reverse("supervision:notices"), notices_sql, {"all": False, "u": unit.pk}
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
