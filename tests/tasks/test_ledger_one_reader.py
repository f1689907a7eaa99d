"""The ledger has one reader: pages, jobs and services read who owes what through tasks.ledger,
never by querying its tables, or by reading report statuses as "filed", on their own."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["accounts", "campaigns", "common", "notifications", "supervision", "tasks", "units"]
# Querying the ledger's tables: their managers, or a related manager of them.
QUERIES = re.compile(
    r"\b(Obligation|AssignmentTerm|PeriodUnitSummary)\.objects\b|\.(obligations|terms)\.(all|filter|exclude)\("
)


def sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("tasks/ledger/") or "/migrations/" in relative:
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_only_the_ledger_queries_its_tables():
    offenders = [
        f"{relative}:{number}: {line.strip()}"
        for relative, text in sources()
        for number, line in enumerate(text.splitlines(), start=1)
        if QUERIES.search(line)
    ]
    assert offenders == [], "read the ledger through tasks.ledger (read*, due), not its tables:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize("path", ["supervision/jobs"])
def test_the_jobs_do_not_judge_reports_filed_from_report_statuses(path):
    """'Filed' was once defined three ways; the jobs now ask the ledger (tasks.ledger.due)."""
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / path).rglob("*.py"))
    assert "ProgressReport.Status" not in text
    assert "ProgressReport.objects" not in text
