"""One report save + submit at city scale (issue 9: at most 20 queries), as the unit's liaison posts
the report form through django.test.Client: the view, the service (optimistic lock, evidence
checks, the ledger's transition, history) and the messages.

    cd /work/main && .venv/bin/python bench/submit.py

The report: this period's, owed and not yet written, of an open task of an active campaign, by a
unit that filed the period before (its fields carry over) and has a liaison. Measured: submitting
it new, saving it as a draft, and submitting that draft. Every POST runs in a savepoint rolled
back, all of it in one transaction rolled back at the end: duban_scale stays as seeded.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Bench, Rollback, setup_django  # noqa: E402


def target():
    """(obligation, liaison) of a report owed this period, with one filed the period before."""
    from django.db.models import Exists, F, OuterRef
    from django.utils import timezone

    from campaigns.models import Campaign
    from tasks.ledger.models import Obligation
    from tasks.models import ProgressReport, Task
    from units.models import Membership

    now = timezone.now()
    previous = ProgressReport.objects.filter(
        task=OuterRef("task"), unit=OuterRef("unit"), period__number=OuterRef("period__number") - 1
    )
    liaisons = Membership.objects.filter(unit=OuterRef("unit"), role=Membership.Role.LIAISON)
    obligation = (
        Obligation.objects.filter(
            state="owed", report__isnull=True, campaign__status=Campaign.Status.ACTIVE, task__status=Task.Status.OPEN,
            period__start_date__lte=timezone.localdate(now), period__due_at__gte=now,
        )
        .filter(Exists(previous), Exists(liaisons))
        .select_related("task__campaign", "unit", "period")
        .order_by(F("task__campaign_id"), "task__sort_key", "unit_id")
        .first()
    )  # fmt: skip
    if obligation is None:
        sys.exit("no report owed this period with one filed before: is duban_scale seeded around today?")
    liaison = Membership.objects.filter(unit=obligation.unit, role=Membership.Role.LIAISON).first().user
    return obligation, liaison


def main():
    setup_django()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tasks.models import ProgressReport

    bench = Bench("submit")
    obligation, liaison = target()
    task = obligation.task
    url = reverse("tasks:report", args=[task.campaign.code, task.number, obligation.unit_id, obligation.period.number])
    indicators = list(task.indicators.all())
    print(f"# {url} as {liaison.username} ({obligation.unit.name}); {len(indicators)} indicators")
    form = {
        "progress": "完成项目前期手续，召开推进会一次。", "problems": "资金缺口较大", "next_steps": "下周开工。",
        "percent_complete": "40", "coordination_request": "", "version": "",
        **{f"indicator_{indicator.pk}": "3.5" for indicator in indicators},
    }  # fmt: skip

    own = {}

    def rolled_back(post):
        def run():
            try:
                with transaction.atomic():
                    with CaptureQueriesContext(connection) as queries:
                        response = post()
                    own["queries"] = len(queries)
                    # The service's transaction is a savepoint only inside the bench's own (which
                    # rolls each run back); served, it is BEGIN … COMMIT, which are not statements
                    # the page sends (Django counts neither).
                    own["own"] = sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
                                     for q in queries.captured_queries)  # fmt: skip
                    assert response.status_code == 302, response.status_code
                    raise Rollback
            except Rollback:
                return response

        return run

    def measure(label, post):
        bench.measure(label, rolled_back(post))
        # The savepoint that rolls each run back is the bench's, not the POST's.
        print(f"#   the POST itself: {own['own']} queries (target: at most 20); "
              f"{own['queries']} with the bench's savepoint and its release")  # fmt: skip

    try:
        with transaction.atomic():
            client = Client()
            client.force_login(liaison)
            client.get(url)  # the form, as the liaison opens it first
            measure("save + submit a new report (POST)", lambda: client.post(url, {**form, "submit": ""}))
            measure("save a new report as a draft (POST)", lambda: client.post(url, {**form, "save": ""}))
            client.post(url, {**form, "save": ""})  # a draft, kept until the end
            version = ProgressReport.objects.get(
                task=task, unit_id=obligation.unit_id, period=obligation.period
            ).version
            measure(
                "submit the saved draft (POST)",
                lambda: client.post(url, {**form, "version": str(version), "submit": ""}),
            )
            raise Rollback
    except Rollback:
        pass
    bench.done()


if __name__ == "__main__":
    main()
