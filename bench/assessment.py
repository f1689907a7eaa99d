"""Issue 11's assessment (考核) at city scale: computing the scores of the biggest campaign.

    .venv/bin/python bench/assessment.py

On scale-01 (1,000 tasks, 299 units, about 100 due periods: some 30,000 UnitScore rows): the first
computation, a re-run with nothing changed (the nightly job's usual case), a rule change (a new
version, the recomputation and its record, as the office's rules page does in its request), then
the ranking and one unit's lines as the pages read them. The issue sets no target here; the
figures say what the office waits for. Everything runs in a transaction rolled back at the end.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Rollback, setup_django  # noqa: E402

BIG = "scale-01"


def main():
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from assessment import selectors, services
    from assessment.models import RuleSet, UnitScore
    from campaigns.models import Campaign

    def timed(label, work):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = work()
            ms = (time.perf_counter() - started) * 1000
        print(f"{label:<58} {ms:9.0f} ms {len(queries):5d} queries")
        return result

    print(f"# bench assessment on {connection.settings_dict['NAME']} ({connection.vendor})")
    try:
        with transaction.atomic():
            campaign = Campaign.objects.get(code=BIG)
            UnitScore.objects.filter(campaign=campaign).delete()  # as if never computed
            now = timezone.now()
            office = User.objects.filter(memberships__role="office").order_by("pk").first()
            timed("first computation (scale-01)", lambda: services.scores_compute(campaign=campaign, now=now))
            timed("re-run, nothing changed", lambda: services.scores_compute(campaign=campaign, now=now))
            rules = {**RuleSet.DEFAULTS, "missing_deduction": 3}
            timed(
                "rule change: new version, recompute, record",
                lambda: services.rules_update(campaign=campaign, by=office, now=now, **rules),
            )
            rows = timed("ranking (the page's selector)", lambda: selectors.ranking(office, campaign))
            timed("one unit's lines (its score page)", lambda: selectors.score_lines(office, campaign, rows[0].unit))
            print(f"# {UnitScore.objects.filter(campaign=campaign).count():,} score rows, {len(rows)} units ranked")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
