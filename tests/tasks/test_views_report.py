"""The report form as a unit's liaison uses it: draft, submit, return, resubmit, evidence, races."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tasks.models import Attachment, IndicatorValue, ProgressReport, Task
from tasks.services import report_review
from tests.factories import CampaignFactory, IndicatorFactory, ProgressReportFactory, ReportingPeriodFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def report_url(r, unit=None, period=None, task=None):
    task = task or r.task
    return reverse(
        "tasks:report", args=[task.campaign.code, task.number, (unit or r.lead).pk, (period or r.period).number]
    )


def fields(**overrides):
    data = {
        "progress": "完成项目前期手续，召开推进会一次。",
        "problems": "",
        "next_steps": "下周开工。",
        "percent_complete": "40",
        "coordination_request": "",
        "version": "",
    }
    data.update(overrides)
    return data


def submit(client, url, **overrides):
    return client.post(url, {**fields(**overrides), "submit": ""})


def save(client, url, **overrides):
    return client.post(url, {**fields(**overrides), "save": ""})


def the_report(r, unit=None, period=None):
    return ProgressReport.objects.filter(task=r.task, unit=unit or r.lead, period=period or r.period).first()


def test_a_new_report_is_prefilled_from_the_units_previous_one(client, reporting):
    r = reporting
    ProgressReportFactory(
        task=r.task, unit=r.lead, period=r.past, problems="资金缺口较大", next_steps="争取专项债", percent_complete=35,
        status="accepted", submitted_at=r.past.due_at,
    )  # fmt: skip
    client.force_login(r.lead_liaison)
    response = client.get(report_url(r))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["problems"] == "资金缺口较大"
    assert form.initial["percent_complete"] == 35
    assert not form.initial.get("progress")  # this period's progress is new every time
    content = response.content.decode()
    assert "资金缺口较大" in content
    assert 'name="version"' in content and 'name="submit"' in content


def test_a_saved_draft_comes_back_in_the_form_and_stays_private(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    response = save(client, report_url(r), progress="草稿：正在整理材料")
    assert response.status_code == 302 and response["Location"] == report_url(r)
    report = the_report(r)
    assert report.status == ProgressReport.Status.DRAFT and report.version == 1

    response = client.get(report_url(r))
    assert response.context["form"].initial["progress"] == "草稿：正在整理材料"
    assert response.context["form"].initial["version"] == 1
    assert "草稿：正在整理材料" in response.content.decode()

    # Nobody outside the unit reads a draft: not the office, not the supporting unit's head.
    for user in (r.office, r.support_head):
        client.force_login(user)
        assert (
            "草稿：正在整理材料"
            not in client.get(reverse("tasks:detail", args=[r.campaign.code, "1"])).content.decode()
        )


def test_submitting_makes_the_report_read_only_for_the_unit(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    assert submit(client, report_url(r), progress="本周完成土地报批").status_code == 302
    report = the_report(r)
    assert report.status == ProgressReport.Status.SUBMITTED and not report.is_late

    response = client.get(report_url(r))
    content = response.content.decode()
    assert "本周完成土地报批" in content
    assert not response.context["show_form"]
    assert 'name="submit"' not in content

    # A forged POST with the right version is refused with a message; nothing changes.
    response = submit(client, report_url(r), progress="改过的内容", version=str(report.version))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    report.refresh_from_db()
    assert report.progress == "本周完成土地报批"


def test_a_returned_report_shows_the_comment_and_can_be_fixed_and_resubmitted(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    submit(client, report_url(r), progress="进展一般")
    report_review(user=r.office, report_id=the_report(r).pk, accept=False, comment="请补充投资完成数据")

    response = client.get(report_url(r))
    content = response.content.decode()
    assert "请补充投资完成数据" in content
    assert response.context["show_form"]
    version = response.context["form"].initial["version"]

    assert submit(client, report_url(r), progress="已补充：完成投资1.2亿元", version=str(version)).status_code == 302
    report = the_report(r)
    assert report.status == ProgressReport.Status.SUBMITTED
    assert report.progress == "已补充：完成投资1.2亿元"

    # The workspace listed it under "returned" before; now it does not.
    assert report not in client.get(reverse("tasks:workspace")).context["units"][0].returned


def test_a_submission_after_the_due_moment_is_kept_and_marked_late(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    page = client.get(report_url(r, period=r.past)).content.decode()
    assert 'class="alert alert-info late-warning"' in page  # warned before submitting
    assert submit(client, report_url(r, period=r.past), progress="补报上期进展").status_code == 302
    report = the_report(r, period=r.past)
    assert report.is_late and report.late_by.total_seconds() > 0
    content = client.get(report_url(r, period=r.past)).content.decode()
    assert "late-badge" in content


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("photo.pdf", PNG, "photo.pdf"),  # the content is an image, the name says PDF
        ("notes.txt", b"plain text", "notes.txt"),  # not an accepted kind at all
        ("macro.docm", PDF, "macro.docm"),
    ],
)
def test_evidence_that_is_not_what_it_claims_is_refused_naming_the_file(client, reporting, name, content, says):
    r = reporting
    client.force_login(r.lead_liaison)
    response = client.post(report_url(r), {**fields(), "submit": "", "files": [SimpleUploadedFile(name, content)]})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["files"])  # shown under the file chooser
    assert says in errors
    # Nothing half-saved: no report, no file.
    assert the_report(r) is None
    assert not Attachment.objects.exists()
    # What the user typed is still there.
    assert "完成项目前期手续" in response.content.decode()


def test_a_30_mb_upload_is_refused(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (30 * 1024 * 1024))
    response = client.post(report_url(r), {**fields(), "save": "", "files": [big]})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["files"])
    assert "scan.pdf" in errors and "MB" in errors
    assert the_report(r) is None and not Attachment.objects.exists()


def test_evidence_is_attached_and_offered_for_download(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    files = [SimpleUploadedFile("现场照片.png", PNG), SimpleUploadedFile("批复.pdf", PDF)]
    assert client.post(report_url(r), {**fields(), "save": "", "files": files}).status_code == 302
    attachments = list(the_report(r).attachments.order_by("original_name"))
    assert [a.original_name for a in attachments] == ["批复.pdf", "现场照片.png"]
    content = client.get(report_url(r)).content.decode()
    for attachment in attachments:
        assert reverse("tasks:attachment", args=[attachment.pk]) in content
    assert 'accept=".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx"' in content
    assert "multiple" in content


def test_the_second_of_two_tabs_is_told_the_report_changed_and_nothing_is_lost(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    # Both tabs opened the empty form (no version), both submit.
    assert submit(client, report_url(r), progress="第一个标签页的内容").status_code == 302
    response = submit(client, report_url(r), progress="第二个标签页的内容")
    assert response.status_code == 200
    assert response.context["concurrent"]
    content = response.content.decode()
    assert "第二个标签页的内容" in content  # what the second tab typed is given back
    assert "第一个标签页的内容" in content  # beside what was saved
    assert ProgressReport.objects.filter(task=r.task, unit=r.lead).count() == 1
    assert the_report(r).progress == "第一个标签页的内容"


def test_a_stale_draft_does_not_overwrite_a_newer_save(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    save(client, report_url(r), progress="版本一")
    save(client, report_url(r), progress="版本二", version="1")
    response = save(client, report_url(r), progress="旧标签页", version="1")
    assert response.context["concurrent"]
    assert the_report(r).progress == "版本二"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"percent_complete": "150"}, "percent_complete"),
        ({"percent_complete": "-1"}, "percent_complete"),
        ({"progress": "   "}, "progress"),
        ({"needs_coordination": "on", "coordination_request": ""}, "coordination_request"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(client, reporting, overrides, field):
    r = reporting
    client.force_login(r.lead_liaison)
    response = submit(client, report_url(r), **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert the_report(r) is None


def test_indicator_values_are_recorded_against_their_target(client, reporting):
    r = reporting
    investment = IndicatorFactory(task=r.task, name="计划投资", measure="亿元", target=5)
    client.force_login(r.lead_liaison)
    content = client.get(report_url(r)).content.decode()
    assert "计划投资" in content and "亿元" in content
    assert submit(client, report_url(r), **{f"indicator_{investment.pk}": "1.25"}).status_code == 302
    assert IndicatorValue.objects.get(indicator=investment).value == pytest.approx(1.25)


def test_another_units_report_is_403_and_an_unknown_task_or_foreign_period_404(client, reporting):
    r = reporting
    client.force_login(r.support_liaison)
    # The supporting unit sees the task but may not open or post the lead unit's report.
    assert client.get(report_url(r, unit=r.lead)).status_code == 403
    assert submit(client, report_url(r, unit=r.lead)).status_code == 403
    assert the_report(r) is None
    # Its own report opens.
    assert client.get(report_url(r, unit=r.support)).status_code == 200
    # A task of a campaign it does not see is 404, and so is a period of another campaign.
    elsewhere = CampaignFactory()
    foreign_period = ReportingPeriodFactory(campaign=elsewhere, number=999)
    url = reverse("tasks:report", args=[r.campaign.code, "1", r.support.pk, foreign_period.number])
    assert client.get(url).status_code == 404
    client.force_login(r.outsider)
    assert client.get(report_url(r)).status_code == 404


def test_a_closed_task_shows_no_form_and_refuses_a_post(client, reporting):
    r = reporting
    Task.objects.filter(pk=r.task.pk).update(status="closed", closed_at=r.period.due_at)
    client.force_login(r.lead_liaison)
    response = client.get(report_url(r))
    assert response.status_code == 200 and not response.context["show_form"]
    # The unit's own liaison is told why (the ledger's reason), not refused as a stranger.
    refused = submit(client, report_url(r))
    assert refused.status_code == 200 and "销号" in " ".join(refused.context["form"].non_field_errors())
    assert the_report(r) is None


def test_the_lead_unit_sees_the_supporting_units_report_beside_its_own(client, reporting):
    r = reporting
    ProgressReportFactory(
        task=r.task, unit=r.support, period=r.period, progress="配合单位：资金已拨付", status="submitted",
        submitted_at=timezone.now(),
    )  # fmt: skip
    client.force_login(r.lead_liaison)
    response = client.get(report_url(r))
    others = {row.assignment.unit: row.report for row in response.context["page"].others}
    assert others[r.support].progress == "配合单位：资金已拨付"
    assert "配合单位：资金已拨付" in response.content.decode()

    # Not the other way round: the supporting unit does not see the lead unit's report here.
    submit(client, report_url(r), progress="牵头单位进展")
    client.force_login(r.support_liaison)
    response = client.get(report_url(r, unit=r.support))
    assert not response.context["page"].others
    assert "牵头单位进展" not in response.content.decode()


def test_a_supporting_units_draft_is_not_shown_to_the_lead_unit(client, reporting):
    r = reporting
    ProgressReportFactory(task=r.task, unit=r.support, period=r.period, progress="配合单位草稿")
    client.force_login(r.lead_liaison)
    response = client.get(report_url(r))
    assert "配合单位草稿" not in response.content.decode()
    assert {row.assignment.unit: row.report for row in response.context["page"].others}[r.support] is None


# ---- text limits ------------------------------------------------------------------------------------


def test_text_fields_have_a_limit_a_counter_and_refuse_a_pasted_document(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    content = client.get(report_url(r)).content.decode()
    assert 'maxlength="2000"' in content and 'data-counter-for="id_progress"' in content
    assert 'data-counter-for="id_problems"' in content and "0 / 1000" in content

    response = submit(client, report_url(r), progress="进" * 112_000)  # once accepted as is
    assert response.status_code == 200
    assert "2000" in " ".join(response.context["form"].errors["progress"])
    assert the_report(r) is None


def test_a_line_break_counts_as_one_character_as_in_the_browser(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    text = "一二三四\r\n" * 400  # 2,000 characters in the browser, 2,400 bytes of CR LF on the wire
    assert submit(client, report_url(r), progress=text).status_code == 302
    assert the_report(r).progress == text.replace("\r\n", "\n").strip()


# ---- removing evidence ---------------------------------------------------------------------------------


def test_the_unit_removes_evidence_from_its_draft_but_not_after_submitting(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    files = [SimpleUploadedFile("错传的.pdf", PDF), SimpleUploadedFile("照片.png", PNG)]
    save(client, report_url(r), files=files)
    wrong = the_report(r).attachments.get(original_name="错传的.pdf")
    remove_url = reverse("tasks:attachment-remove", args=[wrong.pk])
    content = client.get(report_url(r)).content.decode()
    assert f'action="{remove_url}"' in content and f'form="remove-attachment-{wrong.pk}"' in content

    response = client.post(remove_url, follow=True)
    assert response.redirect_chain[-1][0] == report_url(r)
    assert any("错传的.pdf" in str(message) for message in response.context["messages"])
    assert [a.original_name for a in the_report(r).attachments.all()] == ["照片.png"]
    assert reverse("tasks:attachment", args=[wrong.pk]) not in client.get(report_url(r)).content.decode()
    assert client.get(reverse("tasks:attachment", args=[wrong.pk])).status_code == 404

    submit(client, report_url(r), version="1")
    kept = the_report(r).attachments.get()
    assert "remove-attachment" not in client.get(report_url(r)).content.decode()
    client.post(reverse("tasks:attachment-remove", args=[kept.pk]))
    assert the_report(r).attachments.count() == 1  # submitted: refused
    assert client.get(reverse("tasks:attachment-remove", args=[kept.pk])).status_code == 405


def test_nobody_else_removes_a_units_evidence(client, reporting):
    r = reporting
    client.force_login(r.support_liaison)
    save(client, report_url(r, unit=r.support), files=[SimpleUploadedFile("财政局.pdf", PDF)])
    attachment = the_report(r, unit=r.support).attachments.get()
    url = reverse("tasks:attachment-remove", args=[attachment.pk])
    for user, status in [(r.lead_liaison, 404), (r.other_liaison, 404), (r.office, 404), (r.leader, 404)]:
        client.force_login(user)  # a draft: nobody else even sees it
        assert client.post(url).status_code == status
    client.force_login(r.support_liaison)
    submit(client, report_url(r, unit=r.support), version="1")
    report_review(user=r.office, report_id=the_report(r, unit=r.support).pk, accept=False, comment="请补充")
    for user in (r.lead_liaison, r.office, r.leader):  # they see the returned report's evidence, may not remove it
        client.force_login(user)
        assert client.post(url).status_code == 403
    assert the_report(r, unit=r.support).attachments.count() == 1


def test_a_return_comment_over_its_limit_is_refused_saying_so(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    submit(client, report_url(r))
    report = the_report(r)
    client.force_login(r.office)
    review = reverse("tasks:review", args=[r.campaign.code]) + f"?period={r.period.number}"
    assert 'maxlength="1000"' in client.get(review).content.decode()
    response = client.post(
        reverse("tasks:review-decide", args=[report.pk]), {"decision": "return", "comment": "退" * 1001}, follow=True
    )
    assert any("1000" in str(message) for message in response.context["messages"])
    report.refresh_from_db()
    assert report.status == ProgressReport.Status.SUBMITTED and report.review_comment == ""


def test_a_period_before_the_unit_was_put_on_the_task_shows_why_instead_of_a_form(client, reporting):
    from tasks.assignments import assignment_add

    r = reporting
    assignment_add(task=r.other_task, unit=r.lead, role="support")  # owes from the current period on
    client.force_login(r.lead_liaison)
    earlier = client.get(report_url(r, task=r.other_task, period=r.past))
    assert earlier.status_code == 200 and not earlier.context["show_form"]
    page = earlier.context["page"]
    assert page.obligation is None and page.state == "not_owed"
    assert str(r.period.number) in page.not_owed and page.not_owed in earlier.content.decode()
    # From the period it was put on the task, the form is there; a period outside the campaign is 404.
    now = client.get(report_url(r, task=r.other_task))
    assert now.context["show_form"] and now.context["page"].obligation is not None
    assert client.get(report_url(r, period=SimpleNamespace(number=9999))).status_code == 404


def test_the_page_shows_the_ledgers_state_and_the_first_and_fix_timeliness(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    url = report_url(r, period=r.past)
    before = client.get(url)
    assert before.context["page"].state == "missing"  # the period is due and nothing was filed
    assert submit(client, url).status_code == 302  # after the due moment: late
    report = the_report(r, period=r.past)
    report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充")
    returned = client.get(url)
    page = returned.context["page"]
    assert page.state == "returned" and page.obligation.first_late
    content = returned.content.decode()
    assert "first-late" in content and "fix-due" in content
    assert submit(client, url, version=str(page.report.version)).status_code == 302
    resubmitted = client.get(url)
    assert resubmitted.context["page"].state == "resubmitted"
    assert "fix-on-time" in resubmitted.content.decode()
