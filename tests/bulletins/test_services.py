"""Publishing numbers a campaign's bulletins 1, 2, … once each (a double click gives one number),
notifies the units' liaisons and heads once, and freezes the bulletin; the Monday job drafts last
week once however often it runs."""

import pytest
from django.core.exceptions import ValidationError

from bulletins.models import Bulletin
from bulletins.services import bulletin_draft, bulletin_publish, bulletin_refresh_figures, bulletin_update
from bulletins.tasks import draft_weekly, draft_weekly_bulletins
from notifications.models import Notification

from .bulletin_world import NOW, draft

pytestmark = pytest.mark.django_db


def test_publishing_numbers_issues_and_a_second_publish_changes_nothing(bw):
    office = bw.world.office
    first, second = draft(bw), draft(bw)
    published = bulletin_publish(bulletin=first, by=office, now=NOW)
    assert (published.status, published.number, published.published_by) == ("published", 1, office)
    again = bulletin_publish(bulletin=first, by=office, now=NOW)  # a double click
    assert again.number == 1
    assert bulletin_publish(bulletin=second, by=office, now=NOW).number == 2
    assert list(Bulletin.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_publishing_notifies_liaisons_and_heads_of_the_campaigns_units_once(bw):
    w = bw.world
    bulletin = draft(bw)
    bulletin_publish(bulletin=bulletin, by=w.office, now=NOW)
    bulletin_publish(bulletin=bulletin, by=w.office, now=NOW)
    notified = Notification.objects.filter(kind="bulletin")
    expected = {w.lead_liaison, w.lead_head, w.support_liaison, w.other_liaison, bw.stats_liaison}
    assert {n.recipient for n in notified} == expected
    assert notified.count() == len(expected)
    assert {n.title for n in notified} == {"督查通报 第1期"}
    assert {n.link for n in notified} == {bulletin.get_absolute_url()}


def test_a_published_bulletin_keeps_its_attachment_and_refuses_changes(bw):
    bulletin = bulletin_publish(bulletin=draft(bw), by=bw.world.office, now=NOW)
    assert [row["title"] for row in bulletin.attachment] == [bw.world.task.title, "优化营商环境", "统计数据核查"]
    with pytest.raises(ValidationError):
        bulletin_update(bulletin=bulletin, by=bw.world.office, requirements="改")
    with pytest.raises(ValidationError):
        bulletin_refresh_figures(bulletin=bulletin, by=bw.world.office, now=NOW)
    bulletin.refresh_from_db()
    assert bulletin.requirements == ""


def test_a_draft_is_edited_and_refreshed_keeping_the_offices_text(bw):
    bulletin = draft(bw)
    bulletin = bulletin_update(
        bulletin=bulletin, by=bw.world.office, requirements="各单位要按时报送。", overview="改写"
    )
    assert bulletin.requirements == "各单位要按时报送。" and bulletin.overview == "改写"
    bulletin = bulletin_refresh_figures(bulletin=bulletin, by=bw.world.office, now=NOW)
    assert bulletin.requirements == "各单位要按时报送。" and "重点任务3项" in bulletin.overview


def test_a_range_outside_the_campaign_names_the_field(bw, db):
    from ..factories import CampaignFactory

    other = CampaignFactory()
    from campaigns.services import ensure_reporting_periods

    ensure_reporting_periods(other)
    with pytest.raises(ValidationError) as error:
        bulletin_draft(campaign=bw.world.campaign, period_from=other.periods.first(), period_to=bw.period, now=NOW)
    assert "period_from" in error.value.message_dict
    p2 = bw.world.campaign.periods.get(number=2)
    with pytest.raises(ValidationError) as error:
        bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=p2, now=NOW)
    assert "period_to" in error.value.message_dict


def test_the_monday_job_drafts_last_week_once(bw):
    assert draft_weekly(NOW) == 1
    assert draft_weekly(NOW) == 0
    bulletin = Bulletin.objects.get()
    assert bulletin.auto and bulletin.period_from == bulletin.period_to == bw.period
    # The service itself also finds the job's draft rather than writing another.
    again = bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=bw.period, auto=True, now=NOW)
    assert again.pk == bulletin.pk and Bulletin.objects.count() == 1


def test_the_beat_task_takes_no_arguments(db):
    assert draft_weekly_bulletins.name == "bulletins.tasks.draft_weekly_bulletins"
    assert draft_weekly_bulletins() == 0  # no active campaign with a due period
