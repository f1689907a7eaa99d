"""Inbox, notices and notification settings, each for the right people only."""

import pytest
from django.test import Client
from django.urls import reverse

from supervision.jobs import run_job
from supervision.models import ChannelPreference, Notification, SupervisionNotice
from supervision.notifications import notify

from ..factories import UserFactory
from .conftest import at

pytestmark = pytest.mark.django_db


def test_inbox_shows_only_ones_own_notifications_and_counts_unread(login):
    me, other = UserFactory(), UserFactory()
    mine = notify(recipient=me, key="a", kind="reminder", title="请报送本周进展", link="/workspace/")
    notify(recipient=other, key="b", kind="reminder", title="别人的提醒")
    client = login(me)
    page = client.get(reverse("supervision:inbox")).content.decode()
    assert "请报送本周进展" in page and "别人的提醒" not in page
    assert 'id="unread-count"' in client.get(reverse("campaigns:list")).content.decode()
    response = client.post(reverse("supervision:notification", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    other_one = Notification.objects.get(key="b")
    assert client.post(reverse("supervision:notification", args=[other_one.pk])).status_code == 404


def test_only_an_explicit_click_marks_a_notification_read(login):
    """A GET (a link scanner, a prefetch, a reload) changes nothing; a POST needs the CSRF token."""
    me = UserFactory()
    mine = notify(recipient=me, key="a", kind="reminder", title="请报送本周进展", link="/workspace/")
    url = reverse("supervision:notification", args=[mine.pk])
    assert login(me).get(url).status_code == 405
    assert login(me, Client(enforce_csrf_checks=True)).post(url).status_code == 403
    assert Notification.objects.get(pk=mine.pk).read_at is None

    client = login(me, Client(enforce_csrf_checks=True))
    page = client.get(reverse("supervision:inbox")).content.decode()
    assert f'action="{url}"' in page  # the item is a form …
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302  # … and clicking it reads it
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_the_unread_badge_says_unread_not_new(login):
    me = UserFactory()
    notify(recipient=me, key="a", kind="reminder", title="请报送本周进展")
    page = login(me).get(reverse("supervision:inbox")).content.decode()
    assert "未读" in page and "新增" not in page


def test_mark_all_read(login):
    me = UserFactory()
    for key in "abc":
        notify(recipient=me, key=key, kind="reminder", title=key)
    login(me).post(reverse("supervision:inbox-read-all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()


def test_notices_are_seen_by_their_unit_the_office_and_leaders_and_answered_by_the_unit(demo, login):
    from accounts.models import User

    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))
    notice = SupervisionNotice.objects.filter(unit__name="区政府办公室").first()
    url = reverse("supervision:notice", args=[notice.pk])
    for username in ("liaison1", "head1", "office", "leader"):
        assert login(User.objects.get(username=username)).get(url).status_code == 200, username
    assert login(User.objects.get(username="liaison2")).get(url).status_code == 404
    assert login(UserFactory()).get(url).status_code == 404
    assert login(User.objects.get(username="office")).post(url, {"answer": "代答"}).status_code == 403
    notices_page = login(User.objects.get(username="liaison2")).get(reverse("supervision:notices")).content.decode()
    assert url not in notices_page

    response = login(User.objects.get(username="liaison1")).post(url, {"answer": "已于今日补报全部进展。"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.answered_by.username == "liaison1"


def test_channel_preferences_are_saved_and_checked(login, fake_dns):
    fake_dns["oapi.dingtalk.com"] = ["203.119.129.20"]
    me = UserFactory()
    client = login(me)
    bad = client.post(reverse("supervision:preferences"), {"email": "on", "webhook_url": "不是网址", "webhook_format": "dingtalk"})
    assert bad.status_code == 200 and not ChannelPreference.objects.exists()
    client.post(reverse("supervision:preferences"), {"webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x", "webhook_format": "dingtalk"})
    preference = ChannelPreference.objects.get(user=me)
    assert not preference.email and preference.webhook_format == "dingtalk"


def test_urging_is_for_the_office_only(login):
    from units.models import Membership

    from ..factories import MembershipFactory, UnitFactory

    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role=Membership.Role.LIAISON).user
    assert login(liaison).post(reverse("supervision:urge"), {"unit": unit.pk}).status_code == 403
    assert login(UserFactory()).post(reverse("supervision:urge"), {"unit": unit.pk}).status_code == 403
    assert not Notification.objects.exists()


def test_the_office_urges_from_the_task_page_and_the_timeline_records_it(reporting, login):
    r = reporting
    task_url = reverse("tasks:detail", args=[r.campaign.code, r.task.number])
    office = login(r.office)
    assert 'action="/supervision/urge/"' in office.get(task_url).content.decode()
    assert 'action="/supervision/urge/"' not in login(r.lead_liaison).get(task_url).content.decode()

    response = office.post(reverse("supervision:urge"), {"unit": r.support.pk, "task": r.task.pk, "note": "请今天报送", "next": task_url})
    assert response.status_code == 302 and response["Location"] == task_url
    told = set(Notification.objects.filter(kind="urge").values_list("recipient__username", flat=True))
    assert told == {"support_liaison", "support_head"}
    page = login(r.support_liaison).get(task_url).content.decode()  # the unit urged (others: test_urge_visibility)
    assert "timeline-urge" in page and "请今天报送" in page


def test_the_office_urges_a_unit_from_its_page(reporting, login):
    r = reporting
    unit_url = reverse("units:detail", args=[r.support.pk])
    assert 'action="/supervision/urge/"' in login(r.office).get(unit_url).content.decode()
    assert 'action="/supervision/urge/"' not in login(r.support_liaison).get(unit_url).content.decode()
    response = login(r.office).post(reverse("supervision:urge"), {"unit": r.support.pk, "next": unit_url})
    assert response["Location"] == unit_url
    assert set(Notification.objects.filter(kind="urge").values_list("recipient__username", flat=True)) == {
        "support_liaison", "support_head",
    }  # fmt: skip
