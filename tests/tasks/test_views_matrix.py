"""The compliance matrix: each unit on each task, one period, read from the ledger as the office sees it."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks import services
from tasks.assignments import assignment_add, assignment_remove
from tests.factories import ProgressReportFactory, SectionFactory, TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db


def submitted(r, unit, task=None, period=None, **fields):
    fields.setdefault("submitted_at", timezone.now())
    fields.setdefault("status", "submitted")
    return ProgressReportFactory(task=task or r.task, unit=unit, period=period or r.past, **fields)


def matrix_url(r, period=None, **params):
    url = reverse(
        "tasks:matrix", args=[r.campaign.code, period if isinstance(period, int) else (period or r.past).number]
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def cells(response, *, owed_only=True):
    """(task number, unit name) → (shown state, late), for every cell of the page."""
    return {
        (row.task.number, cell.unit.name): (cell.state, cell.late)
        for row in response.context["matrix"].rows
        for cell in row.cells
        if cell.owed or not owed_only
    }


def file(r, unit, task, period, *, submit=True, now=None, progress="本周进展", version=None):
    """The unit's liaison saves (a draft) or submits its report through the service."""
    liaison = {r.lead: r.lead_liaison, r.support: r.support_liaison, r.other: r.other_liaison}[unit]
    return services.report_save(
        user=liaison, task=task, unit=unit, period=period, expected_version=version, submit=submit, now=now,
        progress=progress, percent_complete=40,
    )  # fmt: skip


def send_back(r, report, *, now=None):
    return services.report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充材料", now=now)


def test_matrix_shows_each_cell_state_with_drafts_as_missing_and_late_marked(client, reporting):
    r = reporting
    submitted(r, r.lead, is_late=True, submitted_at=r.past.due_at + timezone.timedelta(hours=3))
    ProgressReportFactory(task=r.task, unit=r.support, period=r.past)  # a draft
    on_time = r.past.due_at - timezone.timedelta(hours=1)
    submitted(r, r.other, task=r.other_task, status="accepted", submitted_at=on_time, reviewed_at=timezone.now())
    for user in (r.office, r.leader):
        client.force_login(user)
        response = client.get(matrix_url(r))
        assert response.status_code == 200
        assert cells(response) == {
            ("1", "区发展和改革局"): ("submitted", True),
            ("1", "区财政局"): ("missing", False),
            ("2", "区审计局"): ("accepted", False),
        }
        totals = response.context["matrix"].totals
        assert (totals["missing"], totals["submitted"], totals["accepted"], totals["late"]) == (1, 1, 1, 1)
        assert totals["draft"] == 0  # a unit's draft is its own business
        # A row lists only its own units: no cell for units on other tasks.
        content = response.content.decode()
        assert content.count('class="matrix-cell') == 3 and "matrix-none" not in content


def test_a_returned_report_being_fixed_is_returned_not_missing_until_its_fix_deadline(client, reporting):
    r = reporting
    # The lead unit's report was returned just now; it is drafting the fix.
    report = file(r, r.lead, r.task, r.past)
    report = send_back(r, report)
    file(r, r.lead, r.task, r.past, submit=False, progress="整改中", version=report.version)
    # The supporting unit's was returned the day after the due moment: two working days to fix it, long gone.
    report = file(r, r.support, r.task, r.past, now=r.past.due_at - datetime.timedelta(hours=1))
    report = send_back(r, report, now=r.past.due_at + datetime.timedelta(days=1))
    file(r, r.support, r.task, r.past, submit=False, progress="整改中", version=report.version)
    # The other unit's fix came in: resubmitted, awaiting review again.
    report = file(r, r.other, r.other_task, r.past)
    report = send_back(r, report)
    file(r, r.other, r.other_task, r.past, version=report.version)
    client.force_login(r.office)
    response = client.get(matrix_url(r))
    assert cells(response) == {
        ("1", "区发展和改革局"): ("returned", True),  # first submitted after the due moment
        ("1", "区财政局"): ("fix_overdue", False),
        ("2", "区审计局"): ("resubmitted", True),
    }
    totals = response.context["matrix"].totals
    assert (totals["missing"], totals["returned"], totals["fix_overdue"], totals["resubmitted"]) == (0, 1, 1, 1)
    assert "整改中" not in response.content.decode()


def test_a_unit_added_halfway_owes_nothing_before_and_one_taken_off_nothing_after(client, reporting):
    r = reporting
    newcomer = UnitFactory(name="区住房和城乡建设局")
    assignment_add(task=r.task, unit=newcomer, role="support")  # today: it owes from this period on
    client.force_login(r.office)
    before = client.get(matrix_url(r))
    assert cells(before, owed_only=False)[("1", newcomer.name)] == ("not_owed", False)
    assert (("1", newcomer.name)) not in cells(before)
    assert before.context["matrix"].totals["missing"] == 3  # the three units on the tasks from the start
    assert cells(client.get(matrix_url(r, r.period)))[("1", newcomer.name)][0] in ("not_due", "missing")

    # Taken off today: what it owed stays; a period not begun yet it no longer owes.
    assignment_remove(task=r.task, unit=r.support)
    assert cells(client.get(matrix_url(r)))[("1", "区财政局")] == ("missing", False)
    following = client.get(matrix_url(r, r.period.number + 1))
    assert cells(following, owed_only=False)[("1", "区财政局")] == ("not_owed", False)
    assert cells(following)[("1", "区发展和改革局")] == ("not_due", False)


def test_matrix_pages_by_rows_and_filters_by_section_and_state(client, reporting, assign, monkeypatch):
    monkeypatch.setattr("tasks.selectors.matrix.PAGE_SIZE", 2)
    r = reporting
    section = SectionFactory(campaign=r.campaign, title="（二）优化环境")
    r.other_task.section = section
    r.other_task.save()
    third = TaskFactory(campaign=r.campaign, number="3", title="第三项")
    assign(third, r.other, "lead")
    TaskFactory(campaign=r.campaign, number="4", title="标题任务，无责任单位")
    submitted(r, r.other, task=r.other_task, status="accepted", reviewed_at=timezone.now())
    client.force_login(r.office)

    def numbers(response):
        assert response.status_code == 200
        return [row.task.number for row in response.context["matrix"].rows]

    first = client.get(matrix_url(r))
    assert numbers(first) == ["1", "2"] and first.context["matrix"].page.has_next()
    assert numbers(client.get(matrix_url(r, page=2))) == ["3"]
    assert numbers(client.get(matrix_url(r, page=99))) == ["3"]  # past the end: the last page
    assert numbers(client.get(matrix_url(r, page="x"))) == ["1", "2"]
    assert numbers(client.get(matrix_url(r, section=section.pk))) == ["2"]
    assert numbers(client.get(matrix_url(r, section="x"))) == ["1", "2"]  # nonsense: no filter
    assert client.get(matrix_url(r, section=999999)).status_code == 404
    # Each total narrows the table to the tasks with such a cell; the totals stay the period's.
    narrowed = client.get(matrix_url(r, state="accepted"))
    assert numbers(narrowed) == ["2"] and narrowed.context["matrix"].totals["missing"] == 3
    assert 'href="?state=accepted"' in narrowed.content.decode()
    assert numbers(client.get(matrix_url(r, state="missing"))) == ["1", "3"]
    assert numbers(client.get(matrix_url(r, state="nonsense"))) == ["1", "2"]
    assert 'href="?page=2"' in first.content.decode()


def test_a_period_outside_the_campaign_is_not_found(client, reporting):
    r = reporting
    client.force_login(r.office)
    last = r.campaign.periods.order_by("-number").first().number
    for number in (0, last + 1, 99999):
        assert client.get(matrix_url(r, number)).status_code == 404
    assert client.get(matrix_url(r, last)).status_code == 200


def test_matrix_default_opens_the_latest_period_whose_due_moment_passed(client, reporting):
    r = reporting
    client.force_login(r.leader)
    response = client.get(reverse("tasks:matrix-default", args=[r.campaign.code]))
    number = int(response["Location"].rstrip("/").split("/")[-2])
    assert r.past.number <= number <= r.period.number
    assert r.campaign.periods.get(number=number).due_at <= timezone.now()


def test_matrix_is_for_the_office_and_leaders_only(client, reporting):
    r = reporting
    for user in (r.lead_liaison, r.lead_head, r.outsider):
        client.force_login(user)
        assert client.get(matrix_url(r)).status_code == 403


def test_matrix_queries_and_size_do_not_grow_with_tasks_and_units(client, reporting, assign, django_assert_num_queries):
    r = reporting
    client.force_login(r.office)

    def grow(count):
        for _ in range(count):
            task = TaskFactory(campaign=r.campaign)
            for role in ("lead", "support"):
                unit = UnitFactory()
                assign(task, unit, role)
                submitted(r, unit, task=task)

    grow(2)
    client.get(matrix_url(r))  # the first page opens the periods begun (tasks.ledger.read.ensure_open)
    with CaptureQueriesContext(connection) as queries:
        small = client.get(matrix_url(r))
    assert small.status_code == 200
    grow(18)
    with django_assert_num_queries(len(queries)):
        large = client.get(matrix_url(r))
    assert len(large.context["matrix"].rows) == 22
    # 18 rows of two units more: the page grows by its rows' cells, not by every unit of the campaign.
    per_row = (len(large.content) - len(small.content)) / 18
    assert per_row < 1500, per_row
    assert len(re.findall(r'class="matrix-cell', large.content.decode())) == 3 + 40
