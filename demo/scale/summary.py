"""seed_scale: some reports copied from the week before (内容雷同), and the ledger's summary per
period × unit filled from the obligations, set-based, once they are all written."""

from __future__ import annotations

from django.db import connection

from tasks.ledger import summary

# One report in twenty that has a filed report the week before repeats it word for word.
STALE_ONE_IN = 20


def copy_previous_weeks(one_in: int = STALE_ONE_IN) -> int:
    """Copy the previous period's text into about 1/`one_in` of the filed reports that have a
    filed predecessor on the same task and unit, and flag them as the submission would have
    (stale, 100 % alike). One UPDATE; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tasks_progressreport AS r
               SET progress = p.progress, problems = p.problems, next_steps = p.next_steps,
                   stale = TRUE, similarity = 100
              FROM campaigns_reportingperiod AS rp, campaigns_reportingperiod AS pp, tasks_progressreport AS p
             WHERE r.submitted_at IS NOT NULL AND r.id %% %s = %s
               AND rp.id = r.period_id AND pp.campaign_id = rp.campaign_id AND pp.number = rp.number - 1
               AND p.period_id = pp.id AND p.task_id = r.task_id AND p.unit_id = r.unit_id
               AND p.submitted_at IS NOT NULL
            """,
            [one_in, 7 % one_in],
        )
        return cursor.rowcount


def build_summary() -> tuple[int, int]:
    """The stale copies, then the summary (which counts them): (stale reports, summary rows)."""
    stale = copy_previous_weeks()
    return stale, summary.rebuild_all()
