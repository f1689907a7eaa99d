import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from tests.factories import (
    CampaignFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UnitAliasFactory,
    UnitFactory,
    UnitGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_list_shows_active_units_with_task_counts(client, office):
    unit = UnitFactory(name="区发展和改革局", short_name="区发改局")
    UnitFactory(name="已撤销的局", is_active=False)
    TaskAssignmentFactory(unit=unit, role="lead")
    TaskAssignmentFactory(unit=unit, role="support")
    TaskAssignmentFactory(unit=unit, role="support")

    response = client.get(reverse("units:list"))
    content = response.content.decode()
    assert "区发展和改革局" in content
    assert "已撤销的局" not in content
    [listed] = [u for u in response.context["units"] if u.pk == unit.pk]
    assert (listed.lead_count, listed.support_count) == (1, 2)


def test_list_counts_only_visible_tasks(client):
    unit = UnitFactory()
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    TaskAssignmentFactory(unit=unit, role="lead", task=TaskFactory(campaign=draft))
    client.force_login(UserFactory())
    response = client.get(reverse("units:list"))
    [listed] = [u for u in response.context["units"] if u.pk == unit.pk]
    assert (listed.lead_count, listed.support_count) == (0, 0)


def test_search_finds_units_by_alias(client, office):
    unit = UnitFactory(name="区纪委监委")
    UnitAliasFactory(unit=unit, name="区纪委(监察局)")
    UnitFactory(name="区财政局")
    response = client.get(reverse("units:list"), {"q": "监察局"})
    assert [u.name for u in response.context["units"]] == ["区纪委监委"]


def test_the_short_name_is_not_listed_again_among_the_aliases(client, office):
    unit = UnitFactory(name="区发展和改革局", short_name="区发改委")
    UnitAliasFactory(unit=unit, name="区发改委")  # as the directory's import records it
    UnitAliasFactory(unit=unit, name="区发改局")
    row = client.get(reverse("units:list")).content.decode()
    assert "区发改委、区发改局" in row and "区发改委、区发改委" not in row
    page = client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    aliases = page[page.index("别名") :]
    assert "区发改局" in aliases[:200] and "区发改委" not in aliases[:200]


def test_detail_lists_the_units_tasks_with_its_role(client, office):
    unit = UnitFactory(name="区财政局")
    UnitAliasFactory(unit=unit, name="财政局")
    UnitGroupFactory(name="区政府各部门").members.add(unit)
    campaign = CampaignFactory(title="机关效能年")
    TaskAssignmentFactory(unit=unit, role="lead", task=TaskFactory(campaign=campaign, title="预算绩效管理"))
    TaskAssignmentFactory(unit=unit, role="support", task=TaskFactory(campaign=campaign, title="政府采购"))

    response = client.get(reverse("units:detail", args=[unit.pk]))
    content = response.content.decode()
    for text in ("区财政局", "财政局", "区政府各部门", "机关效能年", "预算绩效管理", "政府采购"):
        assert text in content
    roles = {a.task.title: a.role for a in response.context["assignments"]}
    assert roles == {"预算绩效管理": "lead", "政府采购": "support"}


def test_unknown_unit_is_404(client, office):
    assert client.get(reverse("units:detail", args=[999999])).status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(client, office, django_assert_num_queries):
    def grow(count):
        for _ in range(count):
            unit = UnitFactory()
            UnitAliasFactory(unit=unit)
            TaskAssignmentFactory(unit=unit)

    grow(2)
    expected = count_queries(client, reverse("units:list"))
    grow(18)
    with django_assert_num_queries(expected):
        client.get(reverse("units:list"))


def test_detail_query_count_does_not_grow(client, office, django_assert_num_queries):
    unit = UnitFactory()

    def grow(count):
        for _ in range(count):
            TaskAssignmentFactory(unit=unit, task=TaskFactory(campaign=CampaignFactory()))

    grow(2)
    url = reverse("units:detail", args=[unit.pk])
    expected = count_queries(client, url)
    grow(18)
    with django_assert_num_queries(expected):
        client.get(url)


def test_detail_counts_what_the_unit_owed_filed_and_missed_from_the_ledger(client, reporting):
    import datetime

    from django.utils import timezone

    from tasks import services
    from tasks.assignments import assignment_add

    r = reporting
    assignment_add(task=r.other_task, unit=r.lead, role="support")  # put on it now: owes nothing earlier
    url = reverse("units:detail", args=[r.lead.pk])
    client.force_login(r.office)
    due = r.campaign.periods.filter(due_at__lte=timezone.now()).count()
    # Task 2 adds this period only, once it is due.
    due += r.period.due_at <= timezone.now()
    totals = client.get(url).context["totals"]
    assert (totals["owed"], totals["filed"], totals["missing"]) == (due, 0, due)

    services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.past, progress="已完成", percent_complete=50,
        submit=True, expected_version=None, now=r.past.due_at - datetime.timedelta(hours=1),
    )  # fmt: skip
    response = client.get(url)
    totals = response.context["totals"]
    assert (totals["owed"], totals["filed"], totals["on_time"], totals["missing"]) == (due, 1, 1, due - 1)
    rows = {a.task.number: a.figures for a in response.context["assignments"]}
    assert rows["2"]["owed"] == rows["2"]["missing"] == (r.period.due_at <= timezone.now())
    assert f'data-owed="{due}" data-filed="1" data-missing="{due - 1}"' in response.content.decode()


def test_detail_pages_the_units_tasks_and_totals_all_of_them(client, reporting, monkeypatch):
    from tasks import unit_selectors
    from tasks.assignments import assignment_add

    r = reporting
    monkeypatch.setattr(unit_selectors, "TASKS_PER_PAGE", 1)
    assignment_add(task=r.other_task, unit=r.lead, role="support", from_first_period=True)
    url = reverse("units:detail", args=[r.lead.pk])
    client.force_login(r.office)
    first, second = client.get(url), client.get(url, {"page": 2})
    assert [a.task.number for a in first.context["assignments"]] == ["1"]
    assert [a.task.number for a in second.context["assignments"]] == ["2"]
    assert first.context["totals"] == second.context["totals"]
    assert first.context["totals"]["owed"] == sum(
        a.figures["owed"] for response in (first, second) for a in response.context["assignments"]
    )
    assert client.get(url, {"page": 3}).status_code == 404
