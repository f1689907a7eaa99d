"""The inbox and notification settings, each for its own user only."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import ChannelPreference, Notification
from notifications.services import notify

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_inbox_shows_only_ones_own_notifications_and_counts_unread(login):
    me, other = UserFactory(), UserFactory()
    mine = notify(recipient=me, key="a", kind="reminder", title="请报送本周进展", link="/workspace/")
    notify(recipient=other, key="b", kind="reminder", title="别人的提醒")
    client = login(me)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "请报送本周进展" in page and "别人的提醒" not in page
    assert 'id="unread-count"' in client.get(reverse("campaigns:list")).content.decode()
    response = client.post(reverse("notifications:notification", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    other_one = Notification.objects.get(key="b")
    assert client.post(reverse("notifications:notification", args=[other_one.pk])).status_code == 404


def test_only_an_explicit_click_marks_a_notification_read(login):
    """A GET (a link scanner, a prefetch, a reload) changes nothing; a POST needs the CSRF token."""
    me = UserFactory()
    mine = notify(recipient=me, key="a", kind="reminder", title="请报送本周进展", link="/workspace/")
    url = reverse("notifications:notification", args=[mine.pk])
    assert login(me).get(url).status_code == 405
    assert login(me, Client(enforce_csrf_checks=True)).post(url).status_code == 403
    assert Notification.objects.get(pk=mine.pk).read_at is None

    client = login(me, Client(enforce_csrf_checks=True))
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert f'action="{url}"' in page  # the item is a form …
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302  # … and clicking it reads it
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_the_unread_badge_says_unread_not_new(login):
    me = UserFactory()
    notify(recipient=me, key="a", kind="reminder", title="请报送本周进展")
    page = login(me).get(reverse("notifications:inbox")).content.decode()
    assert "未读" in page and "新增" not in page


def test_mark_all_read(login):
    me = UserFactory()
    for key in "abc":
        notify(recipient=me, key=key, kind="reminder", title=key)
    login(me).post(reverse("notifications:inbox-read-all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()


def test_channel_preferences_are_saved_and_checked(login, fake_dns):
    fake_dns["oapi.dingtalk.com"] = ["203.119.129.20"]
    me = UserFactory()
    client = login(me)
    bad = client.post(
        reverse("notifications:preferences"), {"email": "on", "webhook_url": "不是网址", "webhook_format": "dingtalk"}
    )
    assert bad.status_code == 200 and not ChannelPreference.objects.exists()
    client.post(
        reverse("notifications:preferences"),
        {"webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x", "webhook_format": "dingtalk"},
    )
    preference = ChannelPreference.objects.get(user=me)
    assert not preference.email and preference.webhook_format == "dingtalk"
