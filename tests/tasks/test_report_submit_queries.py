"""Saving and submitting a report is one POST of a fixed, small number of queries: the view, the
service (optimistic lock, evidence quota, the ledger's transition, history) and the messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.ledger.models import Obligation
from tasks.models import IndicatorValue, ProgressReport
from tests.factories import IndicatorFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

# Twenty for the report itself, plus the task's traffic light recomputed in the same transaction
# (issue 10, lights.services.refresh through tasks.changes: seven statements, whatever the task).
LIGHT_REFRESH = 7
# On submission, the unit's previous filed report read for 内容雷同 (tasks.similarity), and the
# period × unit summary moved by the obligation's difference (tasks.ledger.summary.add).
STALE_AND_SUMMARY = 2
MAX_QUERIES = 20 + LIGHT_REFRESH + STALE_AND_SUMMARY


def form(r, indicators, **overrides):
    data = {
        "progress": "完成项目前期手续，召开推进会一次。",
        "problems": "资金缺口较大",
        "next_steps": "下周开工。",
        "percent_complete": "40",
        "coordination_request": "",
        "version": "",
        "submit": "",
    }
    data.update({f"indicator_{indicator.pk}": "3.5" for indicator in indicators})
    data.update(overrides)
    return data


def url(r):
    return reverse("tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number])


def post(client, r, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(r), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return queries


@pytest.mark.parametrize("indicator_count", [0, 3])
def test_submitting_a_new_report_with_a_previous_one_takes_at_most_twenty_queries(client, reporting, indicator_count):
    r = reporting
    indicators = [IndicatorFactory(task=r.task) for _n in range(indicator_count)]
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, problems="资金缺口较大", status="accepted", submitted_at=r.past.due_at
    )
    client.force_login(r.lead_liaison)
    client.get(url(r))  # the form is opened first (periods open, sessions and the like settle)

    queries = post(client, r, form(r, indicators))

    report = ProgressReport.objects.get(task=r.task, unit=r.lead, period=r.period)
    assert report.status == ProgressReport.Status.SUBMITTED and report.problems == "资金缺口较大"
    assert report.history.get().history_change_reason == "submit"
    assert IndicatorValue.objects.filter(report=report).count() == indicator_count
    assert Obligation.objects.get(task=r.task, unit=r.lead, period=r.period).state == "submitted"
    assert len(queries) <= MAX_QUERIES, "\n".join(q["sql"][:200] for q in queries.captured_queries)


def test_saving_a_draft_then_submitting_it_takes_at_most_twenty_queries_each(client, reporting):
    r = reporting
    indicators = [IndicatorFactory(task=r.task) for _n in range(2)]
    client.force_login(r.lead_liaison)
    client.get(url(r))

    draft_form = {key: value for key, value in form(r, indicators).items() if key != "submit"}
    draft = post(client, r, {**draft_form, "save": ""})
    report = ProgressReport.objects.get(task=r.task, unit=r.lead, period=r.period)
    assert report.status == ProgressReport.Status.DRAFT
    submitted = post(client, r, form(r, indicators, version=str(report.version), percent_complete="50"))

    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED and report.percent_complete == 50
    assert list(report.history.values_list("history_change_reason", flat=True)) == ["submit", "save"]
    assert Obligation.objects.get(task=r.task, unit=r.lead, period=r.period).state == "submitted"
    for queries in (draft, submitted):
        assert len(queries) <= MAX_QUERIES, "\n".join(q["sql"][:200] for q in queries.captured_queries)
