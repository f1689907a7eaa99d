"""Importing a 1,000-task breakdown sheet at city scale (issue 9: at most 3 s, still all or nothing).

    cd /work/main && .venv/bin/python bench/import.py

The sheet is built with the tests' sheet builder (tests/sheets.py) and names units of duban_scale:
each task one lead and three supporting units and a leader, every tenth with a sub-item. Measured:
the import as a new campaign, its preview (dry run), a re-import changing one task in three (title,
leaders, a supporting unit) and an unchanged re-import; as a reference, a plain bulk insert of
the same 1,000 tasks. Every run happens in a savepoint rolled back, all of it in one transaction
rolled back at the end: duban_scale stays as seeded.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, Rollback, setup_django  # noqa: E402

ROWS = 1000
CODE = "bench-import"


def sheets(unit_names):
    """(the sheet, the same sheet with one task in three edited), as bytes."""
    from tests.sheets import task, workbook_bytes

    def rows(edited):
        out, n = [], 0
        while len(out) < ROWS:
            n += 1
            units = [unit_names[(n * 7 + k) % len(unit_names)] for k in range(4)]
            change = edited and n % 3 == 0
            support = units[1:3] + ([unit_names[(n * 11) % len(unit_names)]] if change else units[3:])
            out.append(
                task(
                    str(n), f"基准任务{n}{'（修订）' if change else ''}", lead=units[0], support="、".join(support),
                    leaders=f"基准领导{(n + (1 if change else 0)) % 40}", deadline="2026-10-31",
                )
            )  # fmt: skip
            if n % 10 == 0 and len(out) < ROWS:
                out.append(task(f"{n}.1", f"基准子项{n}", lead=units[1], support=units[0]))
        return out

    return workbook_bytes(rows(False)), workbook_bytes(rows(True))


def main():
    setup_django()
    from django.db import transaction

    from campaigns.models import Campaign
    from tasks.campaign_import.services import campaign_import
    from tasks.models import Task
    from units.models import Unit

    names = list(Unit.objects.filter(is_active=True).order_by("pk").values_list("name", flat=True))
    data, edited = sheets(names)
    bench = Bench("import")
    print(f"# a sheet of {ROWS} tasks on {len(names)} units; {len(data) // 1024} KB")

    cpu: list[float] = []

    def rolled_back(fn):
        def run():
            start = time.process_time()
            try:
                with transaction.atomic():
                    result = fn()
                    raise Rollback
            except Rollback:
                return result
            finally:
                cpu.append((time.process_time() - start) * 1000)

        return run

    def per_row(label, fn, repeat=3):
        cpu.clear()
        median = bench.measure(label, rolled_back(fn), repeat=repeat)
        queries = bench.rows[-1][2]
        # On a shared machine the wall time waits for the CPU; this process's own CPU time does not.
        print(
            f"#   {queries / ROWS:.2f} statements a row, {median / ROWS:.2f} ms a row; "
            f"this process's CPU {statistics.median(cpu[1:]):.0f} ms; load average {os.getloadavg()[0]:.1f}"
        )

    try:
        with transaction.atomic():
            per_row("import 1,000 tasks as a new campaign", lambda: campaign_import(data, code=CODE))
            per_row("preview (dry run) of it", lambda: campaign_import(data, code=CODE, dry_run=True))
            campaign_import(data, code=CODE)  # the campaign is there for the re-imports (rolled back at the end)
            per_row("re-import, one task in three changed", lambda: campaign_import(edited, code=CODE))
            per_row("re-import, nothing changed", lambda: campaign_import(data, code=CODE))

            def bulk_insert():
                campaign = Campaign.objects.create(
                    code="bench-bulk", title="基准批量插入", start_date="2026-02-09", end_date="2026-12-30"
                )
                return Task.objects.bulk_create(
                    Task(campaign=campaign, number=str(n), sort_key=f"{n:08d}", title=f"基准任务{n}")
                    for n in range(1, ROWS + 1)
                )

            bench.measure("reference: bulk insert of 1,000 task rows", rolled_back(bulk_insert), repeat=3)
            raise Rollback
    except Rollback:
        pass
    bench.done()


if __name__ == "__main__":
    main()
