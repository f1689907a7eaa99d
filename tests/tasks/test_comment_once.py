"""A leader comment form posted twice (a double click, a retry, two requests at once) saves one
comment: each rendered form carries an idempotency token the database keeps unique."""

import re
import uuid

import pytest
from django.urls import reverse

from tasks.models import LeaderComment
from tasks.services import leader_comment_add

from .test_concurrency import race


def task_url(r):
    return reverse("tasks:detail", args=[r.campaign.code, r.task.number])


def rendered_token(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', page.split('id="comments"')[1]).group(1)


@pytest.mark.django_db
def test_the_same_comment_form_posted_twice_saves_one_comment(client, reporting):
    r = reporting
    client.force_login(r.leader)
    page = client.get(task_url(r)).content.decode()
    token = rendered_token(page)
    assert token != rendered_token(client.get(task_url(r)).content.decode())  # new for every page
    url = reverse("tasks:comment", args=[r.campaign.code, r.task.number])
    for _ in range(2):
        response = client.post(url, {"text": "要倒排工期。", "token": token})
        assert response.status_code == 302
    assert LeaderComment.objects.count() == 1
    assert client.get(task_url(r)).content.decode().count("要倒排工期。") == 1 + 1  # the comment, and the timeline


@pytest.mark.django_db
def test_a_token_of_another_task_s_comment_is_refused_not_a_server_error(client, reporting):
    r = reporting
    client.force_login(r.leader)
    token = rendered_token(client.get(task_url(r)).content.decode())
    client.post(
        reverse("tasks:comment", args=[r.campaign.code, r.task.number]), {"text": "要倒排工期。", "token": token}
    )
    other = reverse("tasks:comment", args=[r.campaign.code, r.other_task.number])
    assert client.post(other, {"text": "另一条批示。", "token": token}).status_code == 403
    assert list(LeaderComment.objects.values_list("task", flat=True)) == [r.task.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_posts_of_one_comment_form_save_one(world):
    token = uuid.uuid4()

    def post():
        return leader_comment_add(user=world.leader, task=world.task, text="月底前见实效。", token=token)

    outcomes = race(post, post)
    assert all(isinstance(o, LeaderComment) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk and LeaderComment.objects.count() == 1
