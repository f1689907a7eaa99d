"""An urge form posted twice (a double click, a retry, two requests at once) urges once and tells
each person once: each rendered form carries an idempotency token the database keeps unique."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from supervision.models import Urge
from supervision.services import urge
from tests.tasks.test_concurrency import race


def task_url(r):
    return reverse("tasks:detail", args=[r.campaign.code, r.task.number])


def urge_token(page: str) -> str:
    form = page.split('urge-form"')[1].split("</form>")[0]
    return re.search(r'name="token" value="([0-9a-f-]{36})"', form).group(1)


@pytest.mark.django_db
def test_the_same_urge_form_posted_twice_urges_once(reporting, login):
    r = reporting
    office = login(r.office)
    token = urge_token(office.get(task_url(r)).content.decode())
    data = {"unit": r.support.pk, "task": r.task.pk, "note": "请今天报送", "token": token, "next": task_url(r)}
    for _ in range(2):
        assert office.post(reverse("supervision:urge"), data).status_code == 302
    assert Urge.objects.count() == 1
    assert Notification.objects.filter(kind="urge").count() == 2  # the support unit's liaison and head, once each
    unit_page = office.get(reverse("units:detail", args=[r.support.pk])).content.decode()
    assert urge_token(unit_page)  # the unit page's urge form carries one too


@pytest.mark.django_db
def test_a_new_form_after_the_debounce_urges_again(reporting):
    r = reporting
    now = timezone.now()
    urge(user=r.office, unit=r.support, task=r.task, token=uuid.uuid4(), now=now)
    later = now + datetime.timedelta(minutes=5)
    _record, sent = urge(user=r.office, unit=r.support, task=r.task, token=uuid.uuid4(), now=later)
    assert Urge.objects.count() == 2 and sent == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_posts_of_one_urge_form_urge_once(reporting):
    r = reporting
    token = uuid.uuid4()

    def post():
        return urge(user=r.office, unit=r.support, task=r.task, note="请尽快报送", token=token)

    outcomes = race(post, post)
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(sent for _urge, sent in outcomes) == [0, 2]
    assert Urge.objects.count() == 1 and Notification.objects.filter(kind="urge").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_urge_forms_posted_at_the_same_moment_urge_once(reporting):
    """Two tabs, each with its own form (its own token), posted together: the debounce holds,
    because urges of one unit wait for each other (the unit's row is locked)."""
    r = reporting

    def post():
        return urge(user=r.office, unit=r.support, task=r.task, note="请尽快报送", token=uuid.uuid4())

    for _attempt in range(3):
        outcomes = race(post, post)
        assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert Urge.objects.count() == 1 and Notification.objects.filter(kind="urge").count() == 2
