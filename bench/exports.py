"""Issue 11's exports at city scale, each beside its floor.

    .venv/bin/python bench/exports.py [--repeat 3] [--rows 100000]

(a) The weekly summary (周报汇总) of scale-01 over enough periods for at least 100,000 rows (a
    period has some 3,000 obligations: the kind's bench-only range, Filters.period_to, takes the
    last due periods back from the latest), written by the kind as the office, against a floor:
    ONE hand-written SQL with the same columns, streamed from a server-side cursor and written with
    XlsxWriter in constant_memory mode, no formats. Targets: at most 1.5x the floor, peak memory
    growth under 100 MB (tracemalloc's peak of Python allocations during a separate run, and the
    process's maximum resident size before and after).
(b) The ledger (工作台账): scale-01's 1,000 tasks through the kind, and all 5,000 tasks of the city
    (20 campaigns) through ledger_rows into one sheet, a bench-only multi-campaign call (no
    campaign has 5,000 tasks). Target: under 3 s for 5,000 tasks.

The summary and its floor run alternately (a busy machine slows both alike). Everything runs in a
transaction rolled back at the end (reading opens periods): duban_scale
stays as seeded. Files go to a temporary directory and are deleted.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Rollback, one, setup_django  # noqa: E402

RATIO_TARGET, MEMORY_TARGET_MB, LEDGER_TARGET_S = 1.5, 100, 3.0
BIG = "scale-01"

# The floor: the weekly summary's columns in one SQL (the state the office sees, as
# tasks.ledger.states.shown_case says it for someone with no unit of their own).
FLOOR_SQL = """
SELECT p.number, t.number, t.title, u.name, o.role,
       CASE WHEN o.state IN ('submitted','returned','resubmitted','accepted') AND r.status <> 'draft'
            THEN r.progress END,
       CASE WHEN o.state IN ('submitted','returned','resubmitted','accepted') AND r.status <> 'draft'
            THEN r.percent_complete END,
       o.first_submitted_at AT TIME ZONE 'Asia/Shanghai',
       CASE WHEN o.state IN ('owed','draft') AND p.due_at <= %(now)s THEN '未报送'
            WHEN o.state IN ('owed','draft') THEN '未到期'
            WHEN o.first_late THEN '迟报' ELSE '按时' END,
       CASE WHEN o.state = 'returned' AND o.fix_due_at <= %(now)s THEN 'fix_overdue'
            WHEN o.state IN ('owed','draft') THEN '' ELSE o.state END,
       CASE WHEN r.stale AND r.status <> 'draft' THEN '雷同（' || coalesce(r.similarity::text, '') || '%%）' END
FROM tasks_obligation o
JOIN campaigns_reportingperiod p ON p.id = o.period_id
JOIN tasks_task t ON t.id = o.task_id
JOIN units_unit u ON u.id = o.unit_id
LEFT JOIN tasks_progressreport r ON r.id = o.report_id
WHERE o.campaign_id = %(campaign)s AND p.number BETWEEN %(first)s AND %(last)s
ORDER BY p.number, t.sort_key, t.id, o.role, u.sort_order, u.name
"""


def floor_write(path, params) -> int:
    """The floor: the same rows, from one server-side cursor, into XlsxWriter constant_memory."""
    import xlsxwriter
    from django.db import connection

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet()
    connection.ensure_connection()
    cursor = connection.connection.cursor(name="floor_summary")
    cursor.itersize = 2000
    cursor.execute(FLOOR_SQL, params)
    rows = 0
    for rows, row in enumerate(cursor, start=1):
        sheet.write_number(rows, 0, rows)
        for col, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, int):
                sheet.write_number(rows, col, value)
            elif hasattr(value, "year"):
                sheet.write_datetime(rows, col, value)
            else:
                sheet.write_string(rows, col, str(value))
    cursor.close()
    book.close()
    return rows


def timed(fn, repeat):
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def paired(fn, floor_fn, repeat):
    """Medians of fn and of its floor, run alternately (one warm-up each) so that both meet the
    same load on a busy machine."""
    fn(), floor_fn()
    runs, floors = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        floor_result = floor_fn()
        floors.append(time.perf_counter() - start)
    return statistics.median(runs), result, statistics.median(floors), floor_result


def peak_mb(fn) -> tuple[float, float]:
    """(tracemalloc's peak of Python allocations, growth of the maximum resident size) in MB."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20, (rss_after - rss_before) / 1024


def line(label, seconds, floor=None, extra=""):
    ratio = f"{seconds / floor:.2f}x" if floor else "-"
    floor_text = f"{floor:.2f}" if floor else "-"
    print(f"{label:<52} {seconds:>8.2f} {floor_text:>8} {ratio:>7}  {extra}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from campaigns.models import Campaign
    from exports.filters import Filters
    from exports.kinds import get_kind
    from exports.kinds.ledger import ledger_rows
    from exports.xlsx import FormSheet, open_workbook
    from units.models import Membership

    now = timezone.now()
    office = User.objects.get(pk=Membership.objects.filter(role="office").order_by("pk").values("user")[:1])
    campaign = Campaign.objects.get(code=BIG)
    periods = list(campaign.periods.filter(due_at__lte=now).order_by("-number"))
    # Back from the last due period until the range holds enough rows.
    total, first = 0, periods[0]
    for period in periods:
        total += one("SELECT count(*) FROM tasks_obligation WHERE period_id = %s", [period.pk])[0]
        first = period
        if total >= args.rows:
            break
    last = periods[0]
    print(f"# bench exports on {connection.settings_dict.get('NAME')} ({connection.vendor})")
    print(
        f"# targets: weekly summary <= {RATIO_TARGET:g}x its floor, peak memory growth < {MEMORY_TARGET_MB} MB;"
        f" ledger of 5,000 tasks < {LEDGER_TARGET_S:g} s"
    )
    head = f"{'what':<52} {'median s':>8} {'floor s':>8} {'ratio':>7}  notes"
    print(head)
    print("-" * len(head))
    sys.stdout.flush()
    verdicts = []
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "out.xlsx")
        try:
            with transaction.atomic():
                summary = get_kind("weekly-summary")
                filters = Filters(campaign=campaign, period=first, period_to=last)
                summary.count(office, filters, now=now)  # opens what has begun, once, outside the timings
                params = {"campaign": campaign.pk, "first": first.number, "last": last.number, "now": now}
                seconds, rows, floor, floor_rows = paired(
                    lambda: summary.write(office, filters, path, now=now),
                    lambda: floor_write(path, params),
                    args.repeat,
                )
                size = Path(path).stat().st_size / 2**20
                python_peak, rss_growth = peak_mb(lambda: summary.write(office, filters, path, now=now))
                ratio = seconds / floor
                ok = ratio <= RATIO_TARGET and python_peak < MEMORY_TARGET_MB and rss_growth < MEMORY_TARGET_MB
                verdicts.append(ok)
                line(
                    f"weekly summary {BIG} periods {first.number}-{last.number}",
                    seconds,
                    floor,
                    f"{rows:,} rows (floor {floor_rows:,}), {size:.1f} MB file; peak memory {python_peak:.1f} MB"
                    f" (tracemalloc), max RSS +{rss_growth:.1f} MB; {'ok' if ok else 'MISSES target'}",
                )

                ledger = get_kind("ledger")
                big = Filters(campaign=campaign)
                seconds, rows = timed(lambda: ledger.write(office, big, path, now=now), args.repeat)
                line(f"ledger {BIG} (kind.write)", seconds, None, f"{rows:,} tasks")

                campaigns = list(Campaign.objects.order_by("pk"))

                def city_ledger():
                    book = open_workbook(path)
                    sheet = FormSheet(book, name="工作台账", title="全市工作台账", columns=ledger.columns(True, True))
                    for each in campaigns:
                        for row in ledger_rows(office, Filters(campaign=each), now=now):
                            sheet.add_row(
                                [row.number, row.section, row.title, row.description, "、".join(row.lead_units),
                                 "、".join(row.support_units), "、".join(row.leaders), row.deadline,
                                 row.original_deadline, row.phase, row.state_label, row.percent,
                                 row.latest_progress, row.overdue_days],
                                fill=row.light,
                            )  # fmt: skip
                    book.close()
                    return sheet.rows

                seconds, rows = timed(city_ledger, args.repeat)
                ok = seconds < LEDGER_TARGET_S
                verdicts.append(ok)
                line(
                    f"ledger of the city, {len(campaigns)} campaigns (bench-only)",
                    seconds,
                    None,
                    f"{rows:,} tasks; {'ok' if ok else 'MISSES target'}",
                )
                raise Rollback
        except Rollback:
            pass
    print("-" * len(head))
    print(f"# {'all targets met' if all(verdicts) else 'some targets missed'}")


if __name__ == "__main__":
    main()
