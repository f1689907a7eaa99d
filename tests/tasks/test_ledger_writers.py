"""Writers outside the services keep the ledger too: the admin closing a task off or reopening it,
a superuser deleting a report, the demo loader. (The autouse check of tests/conftest.py fails any
of these tests whose ledger differs from its sources.)"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tasks.ledger import read, states
from tasks.ledger.check import differences
from tasks.ledger.models import Obligation
from tasks.models import ProgressReport, Task
from tasks.services import report_save

from ..conftest import at

pytestmark = pytest.mark.django_db


def superuser_request(django_user_model):
    request = RequestFactory().post("/admin/")
    request.user = django_user_model.objects.filter(username="root").first() or (
        django_user_model.objects.create_superuser(username="root", password="unused-pass-2026")
    )
    return request


def test_closing_a_task_off_in_the_admin_drops_what_is_not_yet_due_and_reopening_brings_it_back(
    world, django_user_model
):
    read.ensure_open(now=at(2026, 4, 10, 19))
    assert Obligation.objects.filter(task=world.task).count() == 2 * 6
    task_admin = admin.site._registry[Task]
    task = Task.objects.get(pk=world.task.pk)
    task.status, task.closed_at = Task.Status.CLOSED, at(2026, 3, 26, 9)
    task_admin.save_model(superuser_request(django_user_model), task, form=None, change=True)
    assert set(Obligation.objects.filter(task=task).values_list("period__number", flat=True)) == {1, 2, 3}

    task.status, task.closed_at = Task.Status.OPEN, None
    task_admin.save_model(superuser_request(django_user_model), task, form=None, change=True)
    assert Obligation.objects.filter(task=task).count() == 2 * 6


def test_a_superuser_deleting_a_report_in_the_admin_leaves_the_period_owed(world, django_user_model):
    report = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.period, submit=True,
        expected_version=None, progress="进展", now=at(2026, 3, 26, 9),
    )  # fmt: skip
    admin.site._registry[ProgressReport].delete_model(superuser_request(django_user_model), report)
    ob = Obligation.objects.get(task=world.task, unit=world.lead, period=world.period)
    assert (ob.state, ob.report_id, ob.first_submitted_at) == (states.OWED, None, None)
    assert differences() == []


def test_a_superuser_cannot_change_where_a_report_stands_in_the_admin(client, world, django_user_model):
    report = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.period, submit=True,
        expected_version=None, progress="进展", now=at(2026, 3, 26, 9),
    )  # fmt: skip
    client.force_login(django_user_model.objects.create_superuser(username="root", password="unused-pass-2026"))
    url = reverse("admin:tasks_progressreport_change", args=[report.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' in page and 'name="progress"' in page  # the text stays correctable
    assert 'name="status"' not in page and 'name="submitted_at_0"' not in page
    data = {"progress": "更正错别字", "problems": "", "next_steps": "", "percent_complete": 40, "status": "accepted"}
    data.update({"coordination_request": "", "review_comment": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert (report.progress, report.status) == ("更正错别字", ProgressReport.Status.SUBMITTED)
    assert client.get(reverse("admin:tasks_progressreport_add")).status_code == 403


def test_the_demo_loads_with_its_ledger_consistent(demo):
    read.ensure_open()
    assert Obligation.objects.exists()
    assert differences() == []
    assert Obligation.objects.filter(state=states.ACCEPTED).exists()
