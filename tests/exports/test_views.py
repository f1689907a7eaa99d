"""The export page, the download of a stored export and the office's export log."""

import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportFile, ExportRecord
from exports.services import exports_cleanup
from notifications.models import Notification
from tests.factories import MembershipFactory
from units.models import Membership

from . import fake_kind as fakes

fake_kind, jobs = fakes.fake_kind, fakes.jobs  # the fixtures, for this module
pytestmark = pytest.mark.django_db

INDEX = reverse("exports:index")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_office_downloads_a_small_export_at_once(reporting, fake_kind, login):
    r = reporting
    response = login(r.office).post(INDEX, {"kind": "fake", "campaign": r.campaign.code, "unit": "区财政局"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"测试导出-{r.campaign.code}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert sheet.max_row == 4 and sheet["B2"].value == "区财政局"
    record = ExportRecord.objects.get()
    assert (record.user, record.mode, record.rows) == (r.office, "sync", 3)


def test_a_link_with_download_exports_and_one_without_fills_the_form(reporting, fake_kind, login):
    r = reporting
    client = login(r.leader)
    response = client.get(INDEX, {"kind": "fake", "campaign": r.campaign.code, "download": "1"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    body(response)
    # The dashboard's link: the form with the campaign chosen and its periods to pick from.
    response = client.get(INDEX, {"kind": "ledger", "campaign": r.campaign.code})
    assert response.status_code == 200 and ExportRecord.objects.count() == 1
    page = response.content.decode()
    assert f'<option value="{r.past.pk}">{r.past}</option>' in page
    assert f'<option value="{r.campaign.code}" selected>' in page


def test_a_large_export_runs_in_the_background_for_its_requester_only(
    reporting, fake_kind, jobs, settings, login, member, django_capture_on_commit_callbacks
):
    r = reporting
    settings.EXPORT_ASYNC_ROWS = 2
    client = login(r.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INDEX, {"kind": "fake", "campaign": r.campaign.code}, follow=True)
    assert "导出内容较大（3 行），已转入后台生成，完成后将通知您" in response.content.decode()
    export_file = ExportFile.objects.get()
    assert export_file.status == "ready" and jobs == [export_file.pk]
    # The inbox link downloads it; the page lists it.
    notification = Notification.objects.get(recipient=r.office, kind="export")
    assert notification.link == reverse("exports:download", args=[export_file.pk])
    assert export_file.filename in client.get(INDEX).content.decode()
    response = client.get(notification.link)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert openpyxl.load_workbook(io.BytesIO(body(response))).active.max_row == 4
    # Another office user may export too, but this file is not theirs.
    colleague = MembershipFactory(role=Membership.Role.OFFICE).user
    assert login(colleague).get(notification.link).status_code == 404
    record = ExportRecord.objects.get()
    assert (record.mode, record.file, record.rows) == ("async", export_file, 3)


def built_in_the_background(r, settings, login, capture):
    """The office asks for an export over the rows limit: built by the job after commit. Returns
    the office's client and the ExportFile."""
    settings.EXPORT_ASYNC_ROWS = 2
    client = login(r.office)
    with capture(execute=True):
        client.post(INDEX, {"kind": "fake", "campaign": r.campaign.code})
    return client, ExportFile.objects.get()


def test_an_expired_export_is_gone(reporting, fake_kind, jobs, settings, login, django_capture_on_commit_callbacks):
    client, export_file = built_in_the_background(reporting, settings, login, django_capture_on_commit_callbacks)
    url = export_file.get_absolute_url()
    storage, name = export_file.file.storage, export_file.file.name
    # Past its expiry, before the cleanup has run: already refused.
    ExportFile.objects.filter(pk=export_file.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410 and "导出文件已过期" in response.content.decode()
    assert exports_cleanup()["expired"] == 1 and not storage.exists(name)
    assert client.get(url).status_code == 410


def test_a_ready_export_whose_file_is_gone_is_gone_too(
    reporting, fake_kind, jobs, settings, login, django_capture_on_commit_callbacks
):
    client, export_file = built_in_the_background(reporting, settings, login, django_capture_on_commit_callbacks)
    export_file.file.storage.delete(export_file.file.name)
    assert client.get(export_file.get_absolute_url()).status_code == 410


def test_a_pending_export_says_so(reporting, login):
    r = reporting
    export_file = ExportFile.objects.create(
        requested_by=r.office, kind="ledger", campaign=r.campaign, filters_key="k", filename="工作台账.xlsx"
    )
    response = login(r.office).get(export_file.get_absolute_url())
    assert response.status_code == 200 and "仍在生成中" in response.content.decode()


def test_an_unknown_unit_is_a_form_error_naming_the_unit(reporting, fake_kind, login):
    r = reporting
    response = login(r.office).post(INDEX, {"kind": "fake", "campaign": r.campaign.code, "unit": "区不存在局"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "未找到单位“区不存在局”" in page and "is-invalid" in page
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"period": "2019-W01"}, "不在该专项行动的报送周期内"),
        ({"campaign": "no-such-campaign"}, "no-such-campaign"),
        ({"state": "nonsense"}, "nonsense"),
    ],
)
def test_bad_filters_are_form_errors_not_500(reporting, fake_kind, login, data, message):
    r = reporting
    response = login(r.office).post(INDEX, {"kind": "fake", "campaign": r.campaign.code, **data})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_refreshing_the_choices_exports_nothing(reporting, fake_kind, login):
    r = reporting
    response = login(r.office).post(INDEX, {"kind": "fake", "campaign": r.campaign.code, "refresh": "1"})
    assert response.status_code == 200 and str(r.past) in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_unit_members_may_not_export(reporting, fake_kind, login):
    r = reporting
    client = login(r.lead_liaison)
    assert client.get(INDEX).status_code == 403
    assert client.post(INDEX, {"kind": "fake", "campaign": r.campaign.code}).status_code == 403
    assert not ExportRecord.objects.exists()


def test_the_export_log_is_the_offices(reporting, fake_kind, login, django_assert_max_num_queries):
    r = reporting
    for user in (r.office, r.leader):
        body(login(user).post(INDEX, {"kind": "fake", "campaign": r.campaign.code}))
    client = login(r.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("exports:log"))
    page = response.content.decode()
    assert response.status_code == 200 and page.count('class="export-record"') == 2
    assert r.campaign.title in page and "即时下载" in page
    assert login(r.leader).get(reverse("exports:log")).status_code == 403
    assert login(r.lead_liaison).get(reverse("exports:log")).status_code == 403


def test_the_page_lists_ones_own_files_in_few_queries(reporting, login, django_assert_max_num_queries):
    r = reporting
    for number in range(5):
        ExportFile.objects.create(
            requested_by=r.office, kind="ledger", campaign=r.campaign, filters_key=str(number),
            filename=f"工作台账-{number}.xlsx", status="failed", error="磁盘已满",
        )  # fmt: skip
    ExportFile.objects.create(
        requested_by=r.leader, kind="ledger", campaign=r.campaign, filters_key="x", filename="领导的台账.xlsx"
    )
    client = login(r.office)
    with django_assert_max_num_queries(15):
        page = client.get(INDEX).content.decode()
    assert page.count('class="export-file"') == 5 and "领导的台账.xlsx" not in page and "磁盘已满" in page


def test_the_navigation_offers_exports_to_those_who_may_export(reporting, login):
    r = reporting
    assert f'href="{INDEX}"' in login(r.office).get(reverse("dashboards:desk")).content.decode()
    assert f'href="{INDEX}"' not in login(r.lead_liaison).get(reverse("tasks:workspace")).content.decode()
    dashboard = login(r.leader).get(reverse("dashboards:campaign", args=[r.campaign.code])).content.decode()
    assert f"{INDEX}?kind=ledger&amp;campaign={r.campaign.code}" in dashboard
    matrix = login(r.office).get(reverse("tasks:matrix", args=[r.campaign.code, r.past.number])).content.decode()
    assert f"{INDEX}?kind=weekly-summary&amp;campaign={r.campaign.code}&amp;period={r.past.pk}" in matrix


def test_an_export_with_no_rows_says_so(reporting, fake_kind, login):
    r = reporting
    fake_kind.rows = 0
    response = login(r.office).post(INDEX, {"kind": "fake", "campaign": r.campaign.code})
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert "没有符合条件的记录" in response.content.decode()
    assert not ExportRecord.objects.exists()


# ---- with the real kinds -------------------------------------------------------------------


def test_the_real_ledger_downloads_at_once_and_in_the_background(
    reporting, jobs, settings, login, django_capture_on_commit_callbacks
):
    r = reporting
    client = login(r.office)
    response = client.post(INDEX, {"kind": "ledger", "campaign": r.campaign.code})
    assert response.status_code == 200, response.content.decode()[:2000]
    titles = [row[2] for row in openpyxl.load_workbook(io.BytesIO(body(response))).active.iter_rows(values_only=True)]
    assert {r.task.title, r.other_task.title} <= set(titles)
    settings.EXPORT_ASYNC_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(INDEX, {"kind": "ledger", "campaign": r.campaign.code})
    export_file = ExportFile.objects.get()
    assert export_file.status == "ready" and export_file.rows == 2
    assert export_file.filename.startswith(f"工作台账-{r.campaign.code}-")
    with export_file.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert {r.task.title, r.other_task.title} <= {row[2] for row in sheet.iter_rows(values_only=True)}
    assert list(ExportRecord.objects.order_by("id").values_list("mode", "rows")) == [("sync", 2), ("async", 2)]


def test_a_state_is_picked_by_name_and_one_the_kind_does_not_read_is_refused(reporting, login):
    r = reporting
    client = login(r.office)
    page = client.get(INDEX).content.decode()
    assert '<optgroup label="工作台账">' in page and '<option value="red">红灯</option>' in page
    response = client.post(INDEX, {"kind": "ledger", "campaign": r.campaign.code, "state": "missing"})
    assert response.status_code == 400 and "状态“missing”不适用于工作台账" in response.content.decode()
    assert not ExportRecord.objects.exists()
