"""The demo's earlier weeks (demo.history, loaded by `manage.py load_demo`): months of filed
reports, so that rates, lights and trends read as a campaign under way."""

import pytest

from campaigns.models import Campaign
from demo.history import load_history
from demo.loader import REPORT_WEEKS, load_demo
from lights.selectors import weekly_counts
from tasks.ledger.read import ensure_open
from tasks.ledger.read_summary import rates_by_campaign
from tasks.models import ProgressReport

from ..conftest import at

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 23)


def test_the_earlier_weeks_are_filed_once_and_read_as_a_campaign_under_way():
    load_demo(now=NOW)
    campaign = Campaign.objects.get(code="efficiency-year-2026")
    recent = ProgressReport.objects.filter(task__campaign=campaign).count()
    created = load_history(now=NOW)
    assert created > recent
    assert load_history(now=NOW) == 0  # `make run` loads it at every start
    ensure_open([campaign.pk], NOW)  # as the pages and jobs do: every begun period owed
    rates = rates_by_campaign([campaign.pk], now=NOW)[campaign.pk]
    assert rates.on_time_rate > 80 and 0 < rates.late < rates.on_time and rates.missing < rates.owed * 0.1
    # The weeks before the loader's are judged again with their reports: mostly green.
    earlier = weekly_counts([campaign.pk])[:-REPORT_WEEKS]
    green = sum(counts["green"] for _week, counts in earlier)
    assert green > sum(sum(counts.values()) for _week, counts in earlier) * 0.6
