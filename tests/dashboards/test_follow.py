"""Following a task (关注) from a home page: idempotent, only a task one sees, back where one was."""

import pytest
from django.urls import reverse

from dashboards.models import Follow
from dashboards.services import follow_set
from tests.factories import CampaignFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_following_twice_follows_once_and_unfollowing_is_idempotent(client, reporting):
    r = reporting
    client.force_login(r.leader)
    url = reverse("dashboards:follow", args=[r.task.pk])
    home = reverse("dashboards:leader")
    for _ in range(2):  # a double click
        response = client.post(url, {"follow": "1", "next": home})
        assert response.status_code == 302 and response["Location"] == home
    assert Follow.objects.filter(user=r.leader, task=r.task).count() == 1
    for _ in range(2):
        client.post(url, {"follow": "0", "next": home})
    assert not Follow.objects.filter(user=r.leader).exists()


def test_following_is_ones_own(reporting):
    r = reporting
    follow_set(user=r.leader, task=r.task, follow=True)
    follow_set(user=r.office, task=r.task, follow=True)
    follow_set(user=r.office, task=r.task, follow=False)
    assert list(Follow.objects.values_list("user_id", "task_id")) == [(r.leader.pk, r.task.pk)]


def test_a_task_one_does_not_see_cannot_be_followed(client, reporting):
    r = reporting
    draft = TaskFactory(campaign=CampaignFactory(status="draft"))
    elsewhere = TaskFactory(campaign=CampaignFactory())
    client.force_login(r.lead_liaison)
    # The liaison's unit is in no task of that campaign; a leader does not see a draft campaign.
    assert client.post(reverse("dashboards:follow", args=[elsewhere.pk])).status_code == 404
    client.force_login(r.leader)
    assert client.post(reverse("dashboards:follow", args=[draft.pk])).status_code == 404
    assert client.post(reverse("dashboards:follow", args=[999999])).status_code == 404
    assert not Follow.objects.exists()


def test_following_needs_a_post_and_goes_back_only_to_this_site(client, reporting):
    r = reporting
    client.force_login(r.leader)
    url = reverse("dashboards:follow", args=[r.task.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"follow": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
