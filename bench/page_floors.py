"""The floors of bench/pages.py: for each page, ONE hand-written SQL computing everything the page
shows (what it shows once, counts and filter lists, read once). The comments beside each measure
in bench/pages.py say what a page, and so its floor, covers.
"""

FILED = ("submitted", "returned", "resubmitted", "accepted")
WAITING = ("submitted", "resubmitted")

WORKSPACE = """
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

REPORT = """
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

REVIEW_HOME = """
    SELECT c.id, c.code, c.title, count(o.id) FROM campaigns_campaign c
    LEFT JOIN tasks_obligation o ON o.campaign_id = c.id AND o.state IN %s
    WHERE c.status = 'active' GROUP BY c.id ORDER BY c.start_date DESC, c.code"""

MATRIX = """
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

TASK = """
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

CAMPAIGN = """
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

LIST = """
    SELECT c.id, c.code, c.title, c.status, c.start_date, c.end_date, count(t.id)
    FROM campaigns_campaign c LEFT JOIN tasks_task t ON t.campaign_id = c.id
    WHERE %(all)s OR c.id IN (SELECT t.campaign_id FROM tasks_task t JOIN tasks_taskassignment a
                             ON a.task_id = t.id WHERE a.unit_id = %(u)s)
    GROUP BY c.id ORDER BY c.start_date DESC, c.code"""

UNIT = """
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

INBOX = """SELECT n.*, (SELECT count(*) FROM supervision_notification WHERE recipient_id = %(r)s
               AND read_at IS NULL) FROM supervision_notification n WHERE n.recipient_id = %(r)s
               ORDER BY n.created_at DESC LIMIT 50"""

NOTICES = """
    SELECT n.id, n.kind, n.body, n.status, n.issued_at, n.answer_by, u.name, c.title, p.number, t.number,
           CASE WHEN row_number() OVER () = 1 THEN
               (SELECT json_agg(v.title ORDER BY v.start_date DESC, v.code) FROM campaigns_campaign v
                WHERE %(all)s OR v.id IN (SELECT t.campaign_id FROM tasks_task t JOIN tasks_taskassignment a
                                          ON a.task_id = t.id WHERE a.unit_id = %(u)s)) END AS campaigns
    FROM supervision_supervisionnotice n JOIN units_unit u ON u.id = n.unit_id
    JOIN campaigns_campaign c ON c.id = n.campaign_id
    LEFT JOIN campaigns_reportingperiod p ON p.id = n.period_id LEFT JOIN tasks_task t ON t.id = n.task_id
    WHERE %(all)s OR n.unit_id = %(u)s ORDER BY n.issued_at DESC, n.id DESC LIMIT 50"""


def review_queue(extra=""):
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
