"""The office's outputs in the demo (issue 11): the efficiency campaign's scores and its first
bulletin, so that `make run` shows a ranking, score pages and a published 第1期.

Kept apart from demo.loader.load_demo, which the job tests start from: both open the periods
that have begun and the bulletin notifies the units, which those tests must not find done.
`manage.py load_demo` runs it after the loader. Idempotent: scores are recomputed to the same
rows, and a campaign that has a bulletin gets no second one.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessment.services import scores_compute
from bulletins.models import Bulletin
from bulletins.services import bulletin_draft, bulletin_publish, bulletin_update
from campaigns.models import Campaign
from campaigns.periods import last_due

CAMPAIGN = "efficiency-year-2026"
REQUIREMENTS = (
    "各牵头单位要对照任务清单逐项梳理，确保按时报送进展；对迟报、漏报的单位，督查室将在下期通报中点名。"
    "存在困难需要协调的事项，请在周报中如实填写，由督查室汇总后报分管领导协调解决。"
)


@transaction.atomic
def load_outputs(*, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    campaign = Campaign.objects.get(code=CAMPAIGN)
    scores = scores_compute(campaign=campaign, now=now)
    published = None
    period = last_due(list(campaign.periods.order_by("number")), now)
    if period is not None and not Bulletin.objects.filter(campaign=campaign).exists():
        office = User.objects.get(username="office")
        draft = bulletin_draft(campaign=campaign, period_from=period, period_to=period, by=office, now=now)
        draft = bulletin_update(bulletin=draft, by=office, requirements=REQUIREMENTS)
        published = bulletin_publish(bulletin=draft, by=office, now=now)
    return {"scores": scores, "bulletin": published}
