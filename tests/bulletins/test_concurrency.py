"""Publishing at the same moment on PostgreSQL with real threads: two drafts get two numbers, a
double click on one draft publishes it once and notifies each person once; two Monday jobs at
once draft last week once."""

import pytest

from bulletins.models import Bulletin
from bulletins.services import bulletin_publish
from bulletins.tasks import draft_weekly
from notifications.models import Notification

from ..tasks.test_concurrency import race
from .bulletin_world import NOW, draft

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_drafts_published_at_once_get_two_numbers(bw):
    first, second = draft(bw), draft(bw)
    outcomes = race(*(lambda b=b: bulletin_publish(bulletin=b, by=bw.world.office, now=NOW) for b in (first, second)))
    assert sorted(o.number for o in outcomes) == [1, 2]


def test_a_double_click_publishes_once_and_notifies_once(bw):
    bulletin = draft(bw)
    outcomes = race(*(lambda: bulletin_publish(bulletin=bulletin, by=bw.world.office, now=NOW) for _ in range(2)))
    assert [o.number for o in outcomes] == [1, 1]
    assert Bulletin.objects.get().number == 1
    recipients = list(Notification.objects.filter(kind="bulletin").values_list("recipient_id", flat=True))
    assert len(recipients) == len(set(recipients)) == 5


def test_two_monday_jobs_at_once_draft_once(bw):
    outcomes = race(lambda: draft_weekly(NOW), lambda: draft_weekly(NOW))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert Bulletin.objects.filter(auto=True).count() == 1
