"""get_absolute_url: every model with a page names it, the same URL the pages, jobs and
notifications built by hand before, and it opens that page for someone allowed to see it."""

import pytest
from django.urls import reverse

from campaigns.models import CampaignImport
from tasks.forms import ReportForm
from tasks.models import ProgressReport
from tasks.selectors.report_page import report_prefill

from .factories import NotificationFactory, ProgressReportFactory, SupervisionNoticeFactory

pytestmark = pytest.mark.django_db


def test_campaign_task_unit_and_report_pages(reporting, login):
    r = reporting
    report = ProgressReportFactory(task=r.task, unit=r.lead, period=r.period)
    urls = {
        r.campaign.get_absolute_url(): reverse("campaigns:detail", args=[r.campaign.code]),
        r.task.get_absolute_url(): reverse("tasks:detail", args=[r.campaign.code, r.task.number]),
        r.lead.get_absolute_url(): reverse("units:detail", args=[r.lead.pk]),
        report.get_absolute_url(): reverse(
            "tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number]
        ),
        ProgressReport.page_url(r.task, r.support.pk, r.period.number): reverse(
            "tasks:report", args=[r.campaign.code, r.task.number, r.support.pk, r.period.number]
        ),
    }
    for url, by_hand in urls.items():
        assert url == by_hand
    assert r.task.get_absolute_url() == f"/campaigns/{r.campaign.code}/tasks/1/"
    for user, url in [
        (r.lead_liaison, r.campaign.get_absolute_url()),
        (r.lead_liaison, r.task.get_absolute_url()),
        (r.lead_liaison, report.get_absolute_url()),
        (r.support_liaison, ProgressReport.page_url(r.task, r.support.pk, r.period.number)),
        (r.office, r.lead.get_absolute_url()),
    ]:
        assert login(user).get(url).status_code == 200, url


def test_a_sub_items_url_has_its_own_number(reporting):
    from .factories import TaskFactory

    item = TaskFactory(campaign=reporting.campaign, number="1.2", parent=reporting.task)
    assert item.get_absolute_url() == reverse("tasks:detail", args=[reporting.campaign.code, "1.2"])


def test_notice_page(reporting, login):
    notice = SupervisionNoticeFactory(task=reporting.task, unit=reporting.lead)
    assert notice.get_absolute_url() == reverse("supervision:notice", args=[notice.pk])
    assert login(reporting.lead_liaison).get(notice.get_absolute_url()).status_code == 200


def test_notification_opens_by_post_and_follows_its_link(reporting, login):
    notification = NotificationFactory(recipient=reporting.lead_liaison, link=reporting.task.get_absolute_url())
    assert notification.get_absolute_url() == reverse("notifications:notification", args=[notification.pk])
    response = login(reporting.lead_liaison).post(notification.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reporting.task.get_absolute_url()


def test_campaign_import_preview(reporting, login):
    record = CampaignImport.objects.create(
        uploaded_by=reporting.office, filename="任务分解表.xlsx", content=b"", sha256="0" * 64,
        status=CampaignImport.Status.FAILED,
    )  # fmt: skip
    assert record.get_absolute_url() == reverse("campaigns:import-preview", args=[record.pk])
    assert login(reporting.office).get(record.get_absolute_url()).status_code == 200


# ---- the report's fields, declared once ---------------------------------------------------------


def test_the_report_form_has_a_field_for_each_declared_one():
    form = ReportForm()
    assert set(ProgressReport.CONTENT_FIELDS) <= set(form.fields)
    # And no other field of the report: one added to the form alone would never be saved.
    # (`version` is the optimistic lock the form was opened with, not content.)
    report_fields = {field.name for field in ProgressReport._meta.get_fields()} - {"version"}
    assert set(form.fields) & report_fields == set(ProgressReport.CONTENT_FIELDS)
    assert all(ProgressReport._meta.get_field(name) for name in ProgressReport.CONTENT_FIELDS)


def test_the_form_passes_the_declared_fields_to_the_service():
    form = ReportForm(
        {"progress": "进展", "problems": "", "next_steps": "", "percent_complete": 10, "coordination_request": ""}
    )
    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert {name for name in arguments if name in ProgressReport.CONTENT_FIELDS} == set(ProgressReport.CONTENT_FIELDS)
    assert set(arguments) - set(ProgressReport.CONTENT_FIELDS) == {"indicator_values", "files", "expected_version"}


def test_a_new_report_starts_from_the_previous_ones_carried_over_fields(reporting):
    r = reporting
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, problems="用地", next_steps="协调", percent_complete=40,
        needs_coordination=True, coordination_request="请协调用地",
    )  # fmt: skip
    prefill = report_prefill(r.task, r.lead, r.period)
    assert set(prefill) - {"indicator_values"} == set(ProgressReport.CARRIED_OVER_FIELDS)
    assert set(ProgressReport.CARRIED_OVER_FIELDS) == set(ProgressReport.CONTENT_FIELDS) - {"progress"}
    assert prefill["percent_complete"] == 40 and prefill["coordination_request"] == "请协调用地"


def test_report_save_takes_only_declared_fields(reporting):
    from tasks.services import report_save

    with pytest.raises(TypeError, match="colour"):
        report_save(
            user=reporting.lead_liaison, task=reporting.task, unit=reporting.lead, period=reporting.period,
            progress="进展", colour="red", expected_version=None, submit=False,
        )  # fmt: skip
    assert not ProgressReport.objects.exists()
