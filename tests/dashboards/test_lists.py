"""The drill-down lists: each filter, who sees which rows, and what a list's count is."""

import datetime
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.periods import last_due
from dashboards import filters
from dashboards.links import coordination_url, reports_url, tasks_url
from dashboards.models import Follow
from dashboards.selectors import lists
from lights.models import Attention, TaskLight
from tasks.ledger.check import Scope
from tasks.ledger.sync import restate
from tasks.models import ProgressReport, Task
from tests.factories import (
    CampaignFactory,
    LeaderFactory,
    PhaseFactory,
    ProgressReportFactory,
    SectionFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


def set_light(task, light):
    now = timezone.now()
    TaskLight.objects.update_or_create(
        task=task, defaults={"campaign": task.campaign, "light": light, "reasons": [], "since": now, "computed_at": now}
    )


def report(task, unit, period, status="submitted", *, late=False, ask=False):
    submitted_at = None
    if status != "draft":
        submitted_at = period.due_at + (datetime.timedelta(hours=2) if late else -datetime.timedelta(days=1))
    return ProgressReportFactory(
        task=task, unit=unit, period=period, status=status, submitted_at=submitted_at,
        needs_coordination=ask, coordination_request="请协调用地指标" if ask else "",
    )  # fmt: skip


def close(task):
    """Closed off as the services would leave it: the ledger restated for the task."""
    Task.objects.filter(pk=task.pk).update(status=Task.Status.CLOSED, closed_at=timezone.now())
    restate(Scope(task_ids=frozenset({task.pk})))
    task.refresh_from_db()


@pytest.fixture
def lists_world(reporting, assign):
    """`reporting` plus: task 3 (section, phase, a responsible leader, past its deadline, led by
    `lead`), task 4 (closed, led by `lead`); lights: 1 red, 2 yellow, 3 green; task 2 marked for
    attention; the leader follows task 1; reports of the last due period: lead on task 1 on time
    and asking for coordination, support's draft on task 1, lead on task 3 late, nothing on task 2."""
    r = reporting
    today = timezone.localdate()
    section, phase = SectionFactory(campaign=r.campaign, title="（一）项目建设"), PhaseFactory(campaign=r.campaign)
    leader = LeaderFactory(name="王副区长")
    task3 = TaskFactory(campaign=r.campaign, number="3", title="推进老旧小区改造", section=section, phase=phase,
                        deadline=today - datetime.timedelta(days=3))  # fmt: skip
    task3.leaders.add(leader)
    task4 = TaskFactory(
        campaign=r.campaign, number="4", title="已办结的任务", deadline=today - datetime.timedelta(days=9)
    )
    assign(task3, r.lead)
    assign(task4, r.lead)
    close(task4)
    Attention.objects.create(task=r.other_task, marked_by=r.office, marked_at=timezone.now())
    Follow.objects.create(user=r.leader, task=r.task)
    due = last_due(list(r.campaign.periods.order_by("number")))
    report(r.task, r.lead, due, ask=True)
    report(r.task, r.support, due, status="draft")
    report(task3, r.lead, due, late=True)
    # Lights as stored last (the services recompute them on every change above): set here, after.
    set_light(r.task, "red")
    set_light(r.other_task, "yellow")
    set_light(task3, "green")
    return SimpleNamespace(
        **vars(r), task3=task3, task4=task4, section=section, phase=phase, leader_entry=leader, due=due
    )


def task_numbers(user, **params):
    query = QueryDict(mutable=True)
    query.update({key: str(value) for key, value in params.items()})
    checked = filters.parse(user, query, filters.TASKS)
    return [task.number for task in lists.task_rows(user, checked, timezone.now())]


def test_every_task_filter(lists_world):
    w, office = lists_world, lists_world.office
    assert task_numbers(office, campaign=w.campaign.code) == ["1", "2", "3", "4"]  # red, yellow, green, closed
    assert task_numbers(office, light="red") == ["1"]
    assert task_numbers(office, light="closed") == ["4"]
    assert task_numbers(office, light="green") == ["3"]
    assert task_numbers(office, section=w.section.pk) == ["3"]
    assert task_numbers(office, phase=w.phase.pk) == ["3"]
    assert task_numbers(office, unit=w.other.pk) == ["2"]
    assert task_numbers(office, unit=w.support.pk, role="support") == ["1"]
    assert task_numbers(office, unit=w.lead.pk, role="support") == []
    assert task_numbers(office, role="support") == ["1"]
    assert task_numbers(office, overdue=1) == ["3"]  # task 4 is past its deadline too, but closed
    assert task_numbers(office, attention=1) == ["2"]
    assert task_numbers(office, leader=w.leader_entry.pk) == ["3"]
    assert task_numbers(w.leader, followed=1) == ["1"]
    assert task_numbers(office, followed=1) == []
    assert task_numbers(office, coordination=1) == ["1"]
    assert task_numbers(office, q="营商") == ["2"]
    assert task_numbers(office, q="3") == ["3"]
    assert task_numbers(office, light="red", unit=w.other.pk) == []


def test_a_unit_member_sees_only_its_units_tasks(lists_world):
    w = lists_world
    assert task_numbers(w.lead_liaison) == ["1", "3", "4"]
    assert task_numbers(w.other_liaison) == ["2"]
    assert task_numbers(w.lead_liaison, unit=w.other.pk) == []


def report_rows(user, **params):
    query = QueryDict(mutable=True)
    query.update({key: str(value) for key, value in params.items()})
    checked = filters.parse(user, query, filters.REPORTS)
    return [(row.task.number, row.unit.name, row.shown) for row in lists.report_rows(user, checked, timezone.now())]


def test_every_report_state(lists_world):
    w, office = lists_world, lists_world.office
    lead, support, other = w.lead.name, w.support.name, w.other.name
    rows = report_rows(office, campaign=w.campaign.code)
    # Task 4 was closed off after the period: its report was owed, and is missing.
    assert {(number, unit) for number, unit, _ in rows} == {
        ("1", lead), ("1", support), ("2", other), ("3", lead), ("4", lead),
    }  # fmt: skip
    assert sorted(report_rows(office, state="missing")) == [
        ("1", support, "missing"), ("2", other, "missing"), ("4", lead, "missing"),
    ]  # fmt: skip
    assert report_rows(office, state="late") == [("3", lead, "submitted")]
    assert report_rows(office, state="on_time") == [("1", lead, "submitted")]
    assert len(report_rows(office, state="filed")) == 2
    assert len(report_rows(office, state="awaiting_review")) == 2
    assert report_rows(office, state="accepted") == []
    assert report_rows(office, state="returned") == []
    assert report_rows(office, state="fix_overdue") == []
    assert report_rows(office, unit=w.support.pk) == [("1", support, "missing")]
    assert len(report_rows(office, role="lead")) == 4


def test_stale_and_accepted_reports(lists_world):
    w = lists_world
    ProgressReport.objects.filter(task=w.task3, unit=w.lead, period=w.due).update(stale=True)
    accepted = ProgressReport.objects.get(task=w.task, unit=w.lead, period=w.due)
    ProgressReport.objects.filter(pk=accepted.pk).update(status="accepted", reviewed_at=timezone.now())
    restate(Scope(task_ids=frozenset({w.task.pk})))
    assert report_rows(w.office, state="stale") == [("3", w.lead.name, "submitted")]
    assert report_rows(w.office, state="accepted") == [("1", w.lead.name, "accepted")]


def test_report_periods(lists_world):
    w = lists_world
    earlier = w.campaign.periods.get(number=w.due.number - 1)
    assert report_rows(w.office, period=earlier.pk, state="filed") == []
    every = report_rows(w.office, period="all")
    due_periods = w.campaign.periods.filter(due_at__lte=timezone.now()).count()
    assert len(every) > len(report_rows(w.office)) and due_periods > 1
    assert report_rows(w.office, period=w.due.pk) == report_rows(w.office)


def test_a_unit_member_never_sees_another_units_rows(lists_world, login):
    w = lists_world
    assert {unit for _, unit, _ in report_rows(w.lead_liaison)} == {w.lead.name}
    assert {unit for _, unit, _ in report_rows(w.support_liaison)} == {w.support.name}
    page = login(w.lead_liaison).get(reports_url(state="missing")).content.decode()
    assert w.support.name not in page


def test_pages_show_their_rows_and_count(lists_world, login):
    w = lists_world
    client = login(w.office)
    checks = [
        (tasks_url(campaign=w.campaign.code), "推进老旧小区改造", 4),
        (tasks_url(light="red"), w.task.title, 1),
        (reports_url(state="missing"), w.other.name, 3),
        (coordination_url(), "请协调用地指标", 1),
    ]
    for url, text, count in checks:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["page"].paginator.count == count, url
        assert text in response.content.decode(), url
    page = client.get(tasks_url(light="red")).content.decode()
    assert "优化营商环境" not in page
    # Each row links to its task's page.
    assert w.task.get_absolute_url() in page


def test_a_liaison_opens_own_reports_from_the_list(lists_world, login):
    w = lists_world
    page = login(w.lead_liaison).get(reports_url()).content.decode()
    assert ProgressReport.page_url(w.task, w.lead.pk, w.due.number) in page


def test_chips_remove_their_filter(lists_world, login):
    w = lists_world
    response = login(w.office).get(tasks_url(campaign=w.campaign.code, light="red"))
    chips = {chip["text"]: chip["url"] for chip in response.context["chips"]}
    assert len(chips) == 2
    assert any(url == f"?campaign={w.campaign.code}" for url in chips.values())


@pytest.mark.parametrize(
    "url",
    [
        lambda w: tasks_url(campaign="no-such-campaign"),
        lambda w: reports_url(campaign="no-such-campaign"),
        lambda w: coordination_url(campaign="no-such-campaign"),
        lambda w: reports_url(campaign=w.campaign.code, period=w.other_period.pk),
        lambda w: reports_url(period=999999),
    ],
)
def test_unknown_campaigns_and_foreign_periods_are_404(lists_world, login, url):
    w = lists_world
    other = CampaignFactory(code="other-campaign", start_date=w.campaign.start_date, end_date=w.campaign.end_date)
    from campaigns.services import ensure_reporting_periods

    ensure_reporting_periods(other)
    w.other_period = other.periods.first()
    assert login(w.office).get(url(w)).status_code == 404


def test_a_draft_campaign_is_404_to_leaders(lists_world, login):
    draft = CampaignFactory(code="draft-campaign", status=Campaign.Status.DRAFT)
    assert login(lists_world.leader).get(tasks_url(campaign=draft.code)).status_code == 404
    assert login(lists_world.office).get(tasks_url(campaign=draft.code)).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["light=purple", "state=nonsense", "role=boss", "unit=abc", "section=1.5", "leader=-1", "overdue=yes",
     "period=last", "section=999999", "unit=999999"],
)  # fmt: skip
def test_bad_values_give_a_message_and_an_empty_list(lists_world, login, query):
    client = login(lists_world.office)
    for name in ("dashboards:tasks", "dashboards:reports", "dashboards:coordination"):
        key = query.partition("=")[0]
        if key not in filters.KEYS[name.partition(":")[2]]:
            continue
        response = client.get(f"{reverse(name)}?{query}")
        assert response.status_code == 200, (name, query)
        assert response.context["params"].errors, (name, query)
        assert response.context["page"].paginator.count == 0
        assert "list-filter-error" in response.content.decode()


def test_unknown_parameters_are_ignored(lists_world, login):
    response = login(lists_world.office).get(tasks_url(light="red", colour="blue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1


def test_empty_campaign_shows_a_friendly_empty_state(lists_world, login):
    empty = CampaignFactory(code="empty-campaign")
    client = login(lists_world.office)
    for url in (
        tasks_url(campaign=empty.code),
        reports_url(campaign=empty.code),
        coordination_url(campaign=empty.code),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "list-empty" in response.content.decode()
    assert "这里还没有任务" in client.get(tasks_url(campaign=empty.code)).content.decode()
    assert "没有符合筛选条件的任务" in client.get(tasks_url(campaign=empty.code, light="red")).content.decode()


def test_links_drop_empty_parameters():
    assert tasks_url() == "/overview/tasks/"
    assert tasks_url(campaign="c1", light="red", unit=None, q="", overdue=True) == (
        "/overview/tasks/?campaign=c1&light=red&overdue=1"
    )
    assert reports_url(period="all", state="missing") == "/overview/reports/?period=all&state=missing"
    assert coordination_url(leader=3) == "/overview/coordination/?leader=3"


@pytest.mark.parametrize("who", ["office", "leader", "lead_liaison"])
def test_a_lists_count_is_its_selectors_count(lists_world, login, who):
    """The number a card shows (the selector's count) is the length of the list it links to."""
    w = lists_world
    user = getattr(w, who)
    client = login(user)
    cases = [
        (filters.TASKS, lists.task_rows, {"campaign": w.campaign.code}),
        (filters.TASKS, lists.task_rows, {"light": "red"}),
        (filters.TASKS, lists.task_rows, {"overdue": "1"}),
        (filters.TASKS, lists.task_rows, {"coordination": "1"}),
        (filters.REPORTS, lists.report_rows, {"state": "missing"}),
        (filters.REPORTS, lists.report_rows, {"period": "all", "state": "filed"}),
        (filters.COORDINATION, lists.coordination_rows, {}),
    ]
    urls = {filters.TASKS: tasks_url, filters.REPORTS: reports_url, filters.COORDINATION: coordination_url}
    for kind, rows, params in cases:
        query = QueryDict(mutable=True)
        query.update(params)
        expected = rows(user, filters.parse(user, query, kind), timezone.now()).count()
        page = client.get(urls[kind](**params)).content.decode()
        assert f"共 {expected} 项" in page, (kind, params, expected)
