"""Home pages by role: where signing in lands, and the leader's home (tasks red first, coordination,
批示 inline, changes since the last visit)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.models import LastVisit
from dashboards.services import VISIT_GAP, visit_record
from lights.services import refresh
from tasks.ledger.read import ensure_open
from tasks.models import LeaderComment
from tests.factories import (
    CampaignFactory,
    FollowFactory,
    LeaderFactory,
    ProgressReportFactory,
    TaskFactory,
    UserFactory,
)
from units.models import Leader, Membership

pytestmark = pytest.mark.django_db

LIGHT_ROWS = re.compile(r'<tr class="leader-task" data-task="(\d+)" data-light="(\w+)">')


def rows(response, section="my-tasks"):
    """(task id, light) of each task row of a section of the leader's home, in page order."""
    html = response.content.decode()
    start = html.index(f'id="{section}"')
    end = html.index("</section>", start)
    return [(int(pk), light) for pk, light in LIGHT_ROWS.findall(html[start:end])]


def leader_tasks(r, count=3):
    """Tasks the `reporting` leader is responsible for: red (past its deadline), yellow (due within
    days) and green (far off), lights refreshed. With no units, no report is owed."""
    leader = Leader.objects.get(user=r.leader)
    today = timezone.localdate()
    made = []
    for i, days in enumerate([60, -10, 2, 90, -3, 1][:count]):
        task = TaskFactory(campaign=r.campaign, number=str(10 + i), deadline=today + datetime.timedelta(days=days))
        task.leaders.add(leader)
        made.append(task)
    refresh(task_ids=[t.pk for t in made])
    return made


@pytest.mark.parametrize(
    "who, page",
    [("office", "dashboards:desk"), ("leader", "dashboards:leader"), ("lead_liaison", "dashboards:unit"),
     ("lead_head", "dashboards:unit"), ("outsider", "campaigns:list")],
)  # fmt: skip
def test_signing_in_lands_on_the_users_home_page(client, reporting, who, page):
    client.force_login(getattr(reporting, who))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(page)
    assert client.get(response["Location"]).status_code == 200


def test_someone_who_is_several_things_lands_on_the_first_and_is_offered_the_others(client, reporting, member):
    r = reporting
    member(r.lead, Membership.Role.LIAISON, username="both")
    both = UserFactory(username="both")
    LeaderFactory(user=both)
    client.force_login(both)
    assert client.get(reverse("home"))["Location"] == reverse("dashboards:leader")
    page = client.get(reverse("dashboards:leader")).content.decode()
    assert f'href="{reverse("dashboards:unit")}"' in page
    assert f'href="{reverse("dashboards:desk")}"' not in page
    # The login form's own redirect goes home, and from there to the leader's page.
    client.logout()
    response = client.post(reverse("login"), {"username": "both", "password": "test-pass-2026"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:leader")


def test_the_leader_sees_their_tasks_red_first_with_reasons_units_and_latest_progress(client, reporting):
    r = reporting
    green, red, yellow = leader_tasks(r)
    r.task.leaders.add(Leader.objects.get(user=r.leader))
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=r.past.due_at,
        progress="项目完成投资三亿元",
    )  # fmt: skip
    refresh(task_ids=[r.task.pk])
    client.force_login(r.leader)
    response = client.get(reverse("dashboards:leader"))
    shown = rows(response)
    assert [light for _, light in shown] == sorted(
        [light for _, light in shown], key=["red", "yellow", "green", "closed"].index
    )
    assert {pk for pk, _ in shown} == {green.pk, red.pk, yellow.pk, r.task.pk}
    assert shown[-1] == (green.pk, "green")
    html = response.content.decode()
    assert "working days ago" in html or "个工作日" in html  # the red light explains itself
    assert "区发展和改革局" in html  # the lead unit
    assert "项目完成投资三亿元" in html  # the latest progress line
    assert r.other_task.title not in html  # not their task


def test_a_leader_with_no_tasks_sees_friendly_empty_states(client, reporting):
    client.force_login(reporting.leader)
    html = client.get(reverse("dashboards:leader")).content.decode()
    assert html.count("empty-state") == 3
    assert 'class="leader-task"' not in html


def test_open_coordination_requests_on_the_leaders_tasks(client, reporting):
    r = reporting
    r.task.leaders.add(Leader.objects.get(user=r.leader))
    ProgressReportFactory(
        task=r.task, unit=r.support, period=r.past, status="submitted", submitted_at=r.past.due_at,
        needs_coordination=True, coordination_request="请协调用地指标",
    )  # fmt: skip
    ProgressReportFactory(
        task=r.other_task, unit=r.other, period=r.past, status="submitted", submitted_at=r.past.due_at,
        needs_coordination=True, coordination_request="别人的任务要协调",
    )  # fmt: skip
    client.force_login(r.leader)
    html = client.get(reverse("dashboards:leader")).content.decode()
    section = html[html.index('id="coordination"') :]
    assert "请协调用地指标" in section
    assert "别人的任务要协调" not in html


def test_an_instruction_left_inline_is_saved_once_and_comes_back_home(client, reporting):
    r = reporting
    (task,) = leader_tasks(r, count=1)
    client.force_login(r.leader)
    home = reverse("dashboards:leader")
    page = client.get(home)
    html = page.content.decode()
    token = re.search(rf'id="comment-{task.pk}-token" value="([0-9a-f-]+)"', html) or re.search(
        r'name="token" value="([0-9a-f-]+)"', html
    )
    assert token, "no 批示 form on the home page"
    data = {"text": "请加快推进", "token": token.group(1), "next": home}
    url = reverse("tasks:comment", args=[task.campaign.code, task.number])
    first, second = client.post(url, data), client.post(url, data)  # a double click
    assert first.status_code == second.status_code == 302
    assert first["Location"] == home
    assert LeaderComment.objects.filter(task=task, text="请加快推进").count() == 1
    # Somewhere else than this site: back to the task.
    data |= {"token": "", "next": "https://evil.example/"}
    assert client.post(url, data)["Location"] == task.get_absolute_url()


def test_since_the_last_visit(client, reporting):
    r = reporting
    r.task.leaders.add(Leader.objects.get(user=r.leader))
    ensure_open()  # the periods begun are opened (the beat job's work): task 1's reports are missing
    refresh(task_ids=[r.task.pk])
    now = timezone.now()
    LastVisit.objects.create(user=r.leader, seen_at=now - datetime.timedelta(days=2), previous_seen_at=None)
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=now - datetime.timedelta(days=3),
        progress="上次来之前报的",
    )  # fmt: skip
    ProgressReportFactory(
        task=r.task, unit=r.support, period=r.past, status="submitted", submitted_at=now - datetime.timedelta(hours=1),
        progress="新报的", needs_coordination=True, coordination_request="新的协调事项",
    )  # fmt: skip
    client.force_login(r.leader)
    response = client.get(reverse("dashboards:leader"))
    changes = response.context["home"].changes
    assert not changes.first_visit
    assert [report.progress for report in changes.reports] == ["新报的"]
    assert (changes.reports_total, changes.coordination_total) == (1, 1)
    # Task 1's light was computed (it turned red: reports missing) after the last visit.
    assert [change.task for change in changes.lights] == [r.task] and changes.lights[0].light == "red"
    # A reload within the visit keeps counting from the same moment; the visit is recorded once.
    visit = LastVisit.objects.get(user=r.leader)
    assert client.get(reverse("dashboards:leader")).context["home"].changes.since == changes.since
    assert LastVisit.objects.get(user=r.leader).seen_at == visit.seen_at


def test_the_reports_filed_since_the_last_visit_link_to_a_page_the_leader_may_open(client, reporting):
    r = reporting
    r.task.leaders.add(Leader.objects.get(user=r.leader))
    ProgressReportFactory(task=r.task, unit=r.support, period=r.past, status="submitted", submitted_at=timezone.now())
    client.force_login(r.leader)
    html = client.get(reverse("dashboards:leader")).content.decode()
    section = html[html.index('class="mb-1 changed-report"') :]
    link = re.search(r'href="([^"]+)"', section).group(1)
    # The task page at the unit's row of latest reports (the report page is the unit's own form).
    assert link == f"{r.task.get_absolute_url()}#unit-{r.support.pk}"
    page = client.get(link.split("#")[0])
    assert page.status_code == 200 and f'id="unit-{r.support.pk}"' in page.content.decode()


def test_a_closed_campaigns_tasks_are_not_on_the_leaders_home(client, reporting):
    r = reporting
    leader = Leader.objects.get(user=r.leader)
    current, old = leader_tasks(r, count=1)[0], CampaignFactory(status="closed")
    late = TaskFactory(campaign=old, number="1", deadline=timezone.localdate() - datetime.timedelta(days=900))
    late.leaders.add(leader)
    refresh(task_ids=[late.pk])
    ProgressReportFactory(task=late, unit=r.lead, period__campaign=old, status="submitted", submitted_at=timezone.now())
    client.force_login(r.leader)
    response = client.get(reverse("dashboards:leader"))
    home = response.context["home"]
    assert [pk for pk, _ in rows(response)] == [current.pk] and home.tasks_total == 1
    assert late not in [change.task for change in home.changes.lights]
    assert not [report for report in home.changes.reports if report.task_id == late.pk]


def test_a_visit_is_recorded_once_per_visit():
    user = UserFactory()
    t0 = timezone.now()
    assert visit_record(user=user, now=t0) is None  # a first visit
    assert visit_record(user=user, now=t0 + datetime.timedelta(minutes=5)) is None  # the same visit
    later = t0 + VISIT_GAP + datetime.timedelta(minutes=1)
    assert visit_record(user=user, now=later) == t0  # a new visit counts from the last one
    assert visit_record(user=user, now=later + datetime.timedelta(minutes=1)) == t0
    visit = LastVisit.objects.get(user=user)
    assert (visit.seen_at, visit.previous_seen_at) == (later, t0)


def test_followed_tasks_are_listed_too(client, reporting):
    r = reporting
    FollowFactory(user=r.leader, task=r.other_task)
    client.force_login(r.leader)
    response = client.get(reverse("dashboards:leader"))
    assert [pk for pk, _ in rows(response, "followed")] == [r.other_task.pk]
    assert 'name="follow" value="0"' in response.content.decode()


def _grow(r, count):
    leader = Leader.objects.get(user=r.leader)
    made = []
    for i in range(count):
        task = TaskFactory(campaign=r.campaign, deadline=timezone.localdate() + datetime.timedelta(days=i - count))
        task.leaders.add(leader)
        FollowFactory(user=r.leader, task=task)
        ProgressReportFactory(
            task=task, unit=r.lead, period=r.past, status="submitted", submitted_at=timezone.now(),
            needs_coordination=bool(i % 2), coordination_request="协调",
        )  # fmt: skip
        made.append(task)
    ensure_open()  # the beat job's work, not the page's to measure
    refresh(task_ids=[t.pk for t in made])


def test_the_leaders_home_page_runs_at_most_15_queries_whatever_the_data(client, reporting):
    r = reporting
    client.force_login(r.leader)
    _grow(r, 2)
    with CaptureQueriesContext(connection) as first_visit:
        assert client.get(reverse("dashboards:leader")).status_code == 200
    assert len(first_visit) <= 15, [q["sql"] for q in first_visit.captured_queries]
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboards:leader")).status_code == 200
    _grow(r, 12)
    with CaptureQueriesContext(connection) as larger:
        assert client.get(reverse("dashboards:leader")).status_code == 200
    assert len(small) <= 15, [q["sql"] for q in small.captured_queries]
    assert len(larger) == len(small), [q["sql"] for q in larger.captured_queries]
