"""The floors of bench/dashboards.py: each page's figures from ONE hand-written SQL over the base
tables (tasks, assignments, reporting periods, obligations, reports), never the summary table
(tasks.ledger PeriodUnitSummary) nor the stored lights (lights TaskLight / TaskLightWeek): those
exist to beat these floors.

A task's light is computed here from the same inputs as the default light rules (issue 10):
red = past its deadline and open, or a unit's last N due reports all missing, or a fix overdue;
yellow = deadline within N working days, the last due period's report late, missing or returned,
progress behind the time elapsed by more than M points, or marked for leader attention; green
otherwise; closed apart. The working-day horizon is computed once in Python (the calendar) and
passed in; the rest is SQL. Parameters: now, today, horizon, n_missing, behind, campaigns (ids).
"""

from __future__ import annotations

FILED = "('submitted', 'returned', 'resubmitted', 'accepted')"
UNFILED = "('owed', 'draft')"
# The office's mark for leader attention starts a task at yellow: an input, like the deadline.
ATTENTION = "EXISTS (SELECT 1 FROM lights_attention m WHERE m.task_id = t.id)"
# The tasks the leader home's user follows (dashboards_follow, the user's choice: an input too).
FOLLOWED = "t.id IN (SELECT task_id FROM dashboards_follow WHERE user_id = %(user)s)"


def task_lights(task_filter: str = "TRUE") -> str:
    """CTEs `due` (each campaign's due periods, `back` 1 = the last), `unit_flags`, `lights`
    (task id, campaign, section, phase, deadline, status, light) for the tasks of `task_filter`
    (SQL over alias t) in the campaigns %(campaigns)s."""
    return f"""
    due AS (
        SELECT p.id, p.campaign_id, p.number, p.end_date, p.due_at,
               row_number() OVER (PARTITION BY p.campaign_id ORDER BY p.number DESC) AS back
        FROM campaigns_reportingperiod p
        WHERE p.campaign_id = ANY(%(campaigns)s) AND p.due_at <= %(now)s
    ),
    recent AS MATERIALIZED (SELECT * FROM due WHERE back <= %(n_missing)s),
    scope AS MATERIALIZED (
        SELECT t.* FROM tasks_task t WHERE t.campaign_id = ANY(%(campaigns)s) AND ({task_filter})
    ),
    overdue_fixes AS MATERIALIZED (  -- few rows of many: read along the (state, fix_due_at) index
        SELECT o.task_id, o.unit_id FROM tasks_obligation o
        WHERE o.state = 'returned' AND o.fix_due_at < %(now)s AND o.campaign_id = ANY(%(campaigns)s)
    ),
    unit_flags AS (
        -- the last N due periods' obligations (missing runs, the last one's lateness) ...
        SELECT o.task_id, o.unit_id,
               count(*) FILTER (WHERE o.state IN {UNFILED}) AS missing_recent,
               bool_or(d.back = 1 AND (o.state IN {UNFILED} OR o.first_late OR o.state = 'returned')) AS bad_last,
               FALSE AS fix_overdue
        FROM tasks_obligation o JOIN recent d ON d.id = o.period_id JOIN scope t ON t.id = o.task_id
        WHERE o.period_id = ANY(ARRAY(SELECT id FROM recent)) AND t.status = 'open'
        GROUP BY o.task_id, o.unit_id
        UNION ALL  -- ... and the fixes overdue, from any period
        SELECT f.task_id, f.unit_id, 0, FALSE, TRUE
        FROM overdue_fixes f JOIN scope t ON t.id = f.task_id WHERE t.status = 'open'
    ),
    task_flags AS (
        SELECT task_id, bool_or(missing_recent >= %(n_missing)s) AS missing_run,
               bool_or(bad_last) AS bad_last, bool_or(fix_overdue) AS fix_overdue
        FROM unit_flags GROUP BY task_id
    ),
    progress AS (  -- the lead unit's latest filed percentage against the time elapsed
        SELECT t.id AS task_id, r.percent_complete AS percent,
               CASE WHEN t.deadline IS NULL OR t.deadline <= c.start_date THEN NULL
                    ELSE 100.0 * (%(today)s - c.start_date) / (t.deadline - c.start_date) END AS elapsed
        FROM scope t JOIN campaigns_campaign c ON c.id = t.campaign_id
        JOIN tasks_taskassignment a ON a.task_id = t.id AND a.role = 'lead'
        LEFT JOIN LATERAL (SELECT percent_complete FROM tasks_progressreport r
                           WHERE r.task_id = a.task_id AND r.unit_id = a.unit_id AND r.status IN {FILED}
                           ORDER BY r.period_id DESC LIMIT 1) r ON TRUE
        WHERE t.status = 'open'
    ),
    lights AS (
        SELECT t.id, t.campaign_id, t.section_id, t.phase_id, t.deadline, t.status, t.number, t.title, t.sort_key,
               CASE WHEN t.status = 'closed' THEN 'closed'
                    WHEN t.deadline < %(today)s OR f.missing_run OR f.fix_overdue THEN 'red'
                    WHEN t.deadline <= %(horizon)s OR f.bad_last OR pr.percent + %(behind)s < pr.elapsed
                         OR {ATTENTION} THEN 'yellow'
                    ELSE 'green' END AS light
        FROM scope t LEFT JOIN task_flags f ON f.task_id = t.id LEFT JOIN progress pr ON pr.task_id = t.id
    )"""


SEVERITY = "CASE l.light WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END"


def coordination(tasks: str = "tasks_task t WHERE t.campaign_id = ANY(%(campaigns)s)") -> str:
    """CTE `open_items`: the open coordination requests, each (task, unit)'s latest filed report
    if it asks for coordination, on the open tasks of `tasks` (SQL: a FROM over alias t)."""
    return f"""
    open_items AS (
        SELECT r.* FROM (SELECT t.id FROM {tasks} AND t.status = 'open') t
        JOIN tasks_taskassignment a ON a.task_id = t.id
        CROSS JOIN LATERAL (SELECT r.id, r.task_id, r.unit_id, r.needs_coordination, r.coordination_request,
                                   r.submitted_at
                            FROM tasks_progressreport r WHERE r.task_id = a.task_id AND r.unit_id = a.unit_id
                            AND r.status IN {FILED} ORDER BY r.period_id DESC LIMIT 1) r
        WHERE r.needs_coordination
    )"""


COORDINATION = coordination()

# Each campaign's last due period's obligations: the period's submission and on-time rates.
LAST_DUE_RATES = f"""
    last_rates AS (
        SELECT o.campaign_id, count(*) AS owed, count(*) FILTER (WHERE o.state IN {FILED}) AS filed,
               count(*) FILTER (WHERE o.first_late IS FALSE) AS on_time,
               count(*) FILTER (WHERE o.state IN {UNFILED}) AS missing
        FROM tasks_obligation o JOIN due d ON d.id = o.period_id AND d.back = 1
        GROUP BY o.campaign_id
    )"""


def campaign_dashboard() -> str:
    """One campaign: tasks by light, by section and by phase; completion (closed of all tasks);
    the last due period's rates; overdue tasks; coordination items; the per-unit table (tasks
    led and supported, on-time rate, missing, returned, overdue tasks led); the weekly trend of
    submission and on-time rates and of the lights over the weeks since %(trend_since)s (the
    week's deadline, missing and fix rules replayed from the obligations' timestamps)."""
    return f"""
    WITH {task_lights()}, {COORDINATION}, {LAST_DUE_RATES},
    by_light AS (SELECT light, count(*) n FROM lights l GROUP BY light),
    by_section AS (SELECT section_id, light, count(*) n FROM lights l GROUP BY section_id, light),
    by_phase AS (SELECT phase_id, light, count(*) n FROM lights l GROUP BY phase_id, light),
    units AS (
        SELECT a.unit_id, count(*) FILTER (WHERE a.role = 'lead') AS led,
               count(*) FILTER (WHERE a.role = 'support') AS supported,
               count(*) FILTER (WHERE a.role = 'lead' AND t.status = 'open' AND t.deadline < %(today)s) AS overdue
        FROM tasks_taskassignment a JOIN scope t ON t.id = a.task_id GROUP BY a.unit_id
    ),
    obl AS MATERIALIZED (  -- the due periods' obligations, read once for the rates and the weekly replay
        SELECT o.task_id, o.unit_id, o.state, o.first_late, d.id AS week,
               o.first_submitted_at IS NULL OR o.first_submitted_at > d.due_at AS bad,
               lag(o.first_submitted_at IS NULL OR o.first_submitted_at > d.due_at)
                   OVER (PARTITION BY o.task_id, o.unit_id ORDER BY d.number) AS bad_before
        FROM due d JOIN tasks_obligation o ON o.period_id = d.id
    ),
    unit_rates AS (
        SELECT unit_id, count(*) AS owed, count(*) FILTER (WHERE first_late IS FALSE) AS on_time,
               count(*) FILTER (WHERE state IN {UNFILED}) AS missing,
               count(*) FILTER (WHERE state = 'returned') AS returned
        FROM obl GROUP BY unit_id
    ),
    weeks AS (
        SELECT d.id, d.end_date, count(o.week) AS owed, count(o.week) FILTER (WHERE o.state IN {FILED}) AS filed,
               count(o.week) FILTER (WHERE o.first_late IS FALSE) AS on_time
        FROM due d LEFT JOIN obl o ON o.week = d.id WHERE d.end_date >= %(trend_since)s GROUP BY d.id, d.end_date
    ),
    week_units AS (  -- each week's task: a report missing or late then, missing two weeks running
        SELECT o.week, o.task_id, bool_or(o.bad) AS bad, bool_or(o.bad AND o.bad_before) AS run
        FROM obl o JOIN due d ON d.id = o.week WHERE d.end_date >= %(trend_since)s GROUP BY o.week, o.task_id
    ),
    week_fixes AS (  -- each week's tasks with a fix overdue then (the last return of each obligation)
        SELECT DISTINCT d.id AS week, o.task_id FROM tasks_obligation o
        JOIN due d ON d.due_at > o.fix_due_at AND d.due_at >= o.returned_at
        WHERE o.campaign_id = ANY(%(campaigns)s) AND o.returns > 0 AND d.end_date >= %(trend_since)s
        AND (o.fix_submitted_at IS NULL OR o.fix_submitted_at > d.due_at)
    ),
    week_lights AS (
        SELECT d.end_date,
               CASE WHEN t.closed_at IS NOT NULL AND t.closed_at <= d.due_at THEN 'closed'
                    WHEN t.deadline < d.end_date OR w.run OR x.task_id IS NOT NULL THEN 'red'
                    WHEN t.deadline <= d.end_date + 7 OR w.bad THEN 'yellow' ELSE 'green' END AS light
        FROM due d JOIN scope t ON t.created_at <= d.due_at AND d.end_date >= %(trend_since)s
        LEFT JOIN week_units w ON w.week = d.id AND w.task_id = t.id
        LEFT JOIN week_fixes x ON x.week = d.id AND x.task_id = t.id
    )
    SELECT
        (SELECT json_object_agg(light, n) FROM by_light) AS lights,
        (SELECT json_agg(by_section) FROM by_section) AS sections,
        (SELECT json_agg(by_phase) FROM by_phase) AS phases,
        (SELECT round(100.0 * count(*) FILTER (WHERE status = 'closed') / greatest(count(*), 1), 1)
         FROM scope) AS completion,
        (SELECT row_to_json(last_rates) FROM last_rates) AS this_period,
        (SELECT count(*) FROM scope WHERE status = 'open' AND deadline < %(today)s) AS overdue,
        (SELECT count(*) FROM open_items) AS coordination,
        (SELECT json_agg(x ORDER BY x.unit_id) FROM (SELECT u.*, r.owed, r.on_time, r.missing, r.returned
            FROM units u LEFT JOIN unit_rates r ON r.unit_id = u.unit_id) x) AS per_unit,
        (SELECT json_agg(weeks ORDER BY end_date) FROM weeks) AS trend,
        (SELECT json_agg(x) FROM (SELECT end_date, light, count(*) n FROM week_lights
            GROUP BY end_date, light) x) AS light_trend"""


def overview() -> str:
    """Every active campaign (%(campaigns)s): lights, last due period's rates, overdue, coordination."""
    return f"""
    WITH {task_lights()}, {COORDINATION}, {LAST_DUE_RATES},
    per_campaign AS (
        SELECT l.campaign_id, count(*) FILTER (WHERE light = 'red') AS red,
               count(*) FILTER (WHERE light = 'yellow') AS yellow, count(*) FILTER (WHERE light = 'green') AS green,
               count(*) FILTER (WHERE light = 'closed') AS closed,
               count(*) FILTER (WHERE status = 'open' AND deadline < %(today)s) AS overdue
        FROM lights l GROUP BY l.campaign_id
    )
    SELECT c.id, c.code, c.title, pc.*, r.owed, r.filed, r.on_time, r.missing,
           (SELECT count(*) FROM open_items i JOIN tasks_task t ON t.id = i.task_id
            WHERE t.campaign_id = c.id) AS coordination
    FROM campaigns_campaign c LEFT JOIN per_campaign pc ON pc.campaign_id = c.id
    LEFT JOIN last_rates r ON r.campaign_id = c.id
    WHERE c.id = ANY(%(campaigns)s) ORDER BY c.start_date DESC, c.code"""


def desk() -> str:
    """The office's 工作台: this period's reports not filed, reports awaiting review, open
    coordination requests, overdue tasks and pending completion and extension requests."""
    return f"""
    WITH due AS (
        SELECT p.id, p.campaign_id, row_number() OVER (PARTITION BY p.campaign_id ORDER BY p.number DESC) AS back
        FROM campaigns_reportingperiod p WHERE p.campaign_id = ANY(%(campaigns)s) AND p.due_at <= %(now)s
    ), {COORDINATION}
    SELECT
        (SELECT count(*) FROM tasks_obligation o JOIN due d ON d.id = o.period_id AND d.back = 1
         WHERE o.state IN {UNFILED}) AS not_reported,
        (SELECT count(*) FROM tasks_obligation o WHERE o.campaign_id = ANY(%(campaigns)s)
         AND o.state IN ('submitted', 'resubmitted')) AS awaiting_review,
        (SELECT count(*) FROM open_items) AS coordination,
        (SELECT count(*) FROM tasks_task t WHERE t.campaign_id = ANY(%(campaigns)s) AND t.status = 'open'
         AND t.deadline < %(today)s) AS overdue,
        (SELECT count(*) FROM tasks_completionrequest r JOIN tasks_task t ON t.id = r.task_id
         WHERE r.status = 'pending' AND t.campaign_id = ANY(%(campaigns)s))
        + (SELECT count(*) FROM tasks_extensionrequest r JOIN tasks_task t ON t.id = r.task_id
           WHERE r.status = 'pending' AND t.campaign_id = ANY(%(campaigns)s)) AS pending_requests"""


def leader_home() -> str:
    """A leader's (%(leader)s, user %(user)s) first 20 open tasks, red and yellow first, with their
    light and count; the tasks they follow; the open coordination requests on their tasks; what
    changed since %(since)s (reports filed, lights changed: tasks whose deadline passed since)."""
    mine = "t.id IN (SELECT task_id FROM tasks_task_leaders WHERE leader_id = %(leader)s)"
    return f"""
    WITH {task_lights(mine + " OR " + FOLLOWED)}, {coordination("scope t WHERE " + mine)}
    SELECT (SELECT json_agg(x) FROM (SELECT l.id, l.number, l.title, l.deadline, l.light FROM lights l
                WHERE l.status = 'open' AND {mine.replace("t.id", "l.id")}
                ORDER BY {SEVERITY}, l.deadline, l.sort_key LIMIT 20) x) AS tasks,
           (SELECT count(*) FROM scope t WHERE t.status = 'open' AND {mine}) AS tasks_total,
           (SELECT json_agg(x) FROM (SELECT l.id, l.number, l.title, l.light FROM lights l
                WHERE {FOLLOWED.replace("t.id", "l.id")} ORDER BY {SEVERITY}, l.sort_key LIMIT 10) x) AS followed,
           (SELECT json_agg(i) FROM (SELECT * FROM open_items ORDER BY submitted_at DESC LIMIT 15) i) AS coordination,
           (SELECT count(*) FROM open_items) AS coordination_total,
           (SELECT json_agg(x) FROM (SELECT r.id, r.task_id, r.unit_id, r.submitted_at
                FROM tasks_progressreport r JOIN scope t ON t.id = r.task_id
                WHERE r.submitted_at > %(since)s AND {mine} ORDER BY r.submitted_at DESC LIMIT 10) x) AS reports,
           (SELECT count(*) FROM tasks_progressreport r JOIN scope t ON t.id = r.task_id
            WHERE r.submitted_at > %(since)s AND {mine}) AS reports_total,
           (SELECT count(*) FROM scope t WHERE {mine} AND t.status = 'open'
            AND t.deadline >= %(since)s::date AND t.deadline < %(today)s) AS lights_changed"""


def unit_home() -> str:
    """A unit's (%(unit)s) standing: on-time rate, missing and returned over the due periods;
    the lights of its tasks; what it owes this period and has not filed."""
    mine = "t.id IN (SELECT task_id FROM tasks_taskassignment WHERE unit_id = %(unit)s)"
    return f"""
    WITH {task_lights(mine)}
    SELECT (SELECT row_to_json(x) FROM (SELECT count(*) AS owed,
                count(*) FILTER (WHERE o.first_late IS FALSE) AS on_time,
                count(*) FILTER (WHERE o.state IN {UNFILED}) AS missing,
                count(*) FILTER (WHERE o.state = 'returned') AS returned
            FROM tasks_obligation o JOIN due d ON d.id = o.period_id WHERE o.unit_id = %(unit)s) x) AS standing,
           (SELECT json_object_agg(light, n) FROM (SELECT light, count(*) n FROM lights GROUP BY light) x) AS lights,
           (SELECT json_agg(x) FROM (SELECT o.task_id, p.due_at, o.state FROM tasks_obligation o
                JOIN campaigns_reportingperiod p ON p.id = o.period_id
                WHERE o.unit_id = %(unit)s AND o.state IN {UNFILED} AND p.due_at > %(now)s
                AND p.start_date <= %(today)s ORDER BY p.due_at LIMIT 50) x) AS due_now"""


def task_list(light_filter: str = "TRUE", task_filter: str = "TRUE", page: int = 50) -> str:
    """The drill-down task list: the lit tasks matching the filters (on the task, alias t, before
    lighting; on the light, alias l, after), severity first, one page and the count."""
    return f"""
    WITH {task_lights(task_filter)}
    SELECT l.id, l.number, l.title, l.deadline, l.light, count(*) OVER () AS total
    FROM lights l WHERE {light_filter} ORDER BY {SEVERITY}, l.sort_key LIMIT {page}"""


def report_list(state_filter: str, page: int = 50) -> str:
    """The drill-down report list: the last due period's obligations in a state, one page and the count."""
    return f"""
    WITH due AS (
        SELECT p.id, row_number() OVER (PARTITION BY p.campaign_id ORDER BY p.number DESC) AS back
        FROM campaigns_reportingperiod p WHERE p.campaign_id = ANY(%(campaigns)s) AND p.due_at <= %(now)s
    )
    SELECT o.id, t.number, t.title, u.name, o.role, o.state, o.first_late, count(*) OVER () AS total
    FROM tasks_obligation o JOIN due d ON d.id = o.period_id AND d.back = 1
    JOIN tasks_task t ON t.id = o.task_id JOIN units_unit u ON u.id = o.unit_id
    WHERE {state_filter} ORDER BY t.sort_key, u.sort_order LIMIT {page}"""


def coordination_list(page: int = 50) -> str:
    """The drill-down coordination list: the open items, latest first, one page and the count."""
    return f"""
    WITH {COORDINATION}
    SELECT i.id, t.number, t.title, u.name, i.coordination_request, i.submitted_at, count(*) OVER () AS total
    FROM open_items i JOIN tasks_task t ON t.id = i.task_id JOIN units_unit u ON u.id = i.unit_id
    ORDER BY i.submitted_at DESC LIMIT {page}"""
