"""Reporting, review, completion, extension and comments, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from campaigns.periods import current_period
from tasks.models import Attachment, CompletionRequest, Decision, ExtensionRequest, ProgressReport, Task
from tasks.selectors.report_page import report_prefill
from tasks.services import (
    ConcurrentUpdate,
    completion_request_create,
    completion_request_decide,
    extension_request_create,
    extension_request_decide,
    leader_comment_add,
    report_review,
    report_save,
)

from ..conftest import at
from ..factories import IndicatorFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def save(world, user=None, unit=None, *, submit=False, version=None, now=None, **fields):
    values = {"progress": "完成项目评审3个。", "percent_complete": 40, **fields}
    return report_save(
        user=user or world.lead_liaison,
        task=world.task,
        unit=unit or world.lead,
        period=world.period,
        expected_version=version,
        submit=submit,
        now=now or at(2026, 3, 26, 10),
        **values,
    )


# ---- periods and prefill --------------------------------------------------------------------


def test_current_period_follows_the_calendar_in_shanghai(world):
    # Friday 27 March 23:30 in Shanghai is still period 4, though it is already 15:30 UTC.
    assert current_period(world.campaign, at(2026, 3, 27, 23, 30)).number == 4
    assert current_period(world.campaign, at(2026, 3, 28, 0, 30)).number == 5
    assert current_period(world.campaign, at(2027, 1, 5, 9)) is None


def test_prefill_carries_over_the_previous_report(world):
    indicator = IndicatorFactory(task=world.task)
    report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.previous_period,
        progress="上周进展", problems="用地指标不足", next_steps="协调自然资源局", percent_complete=30,
        indicator_values={indicator.pk: 12}, expected_version=None, submit=True, now=at(2026, 3, 20, 9),
    )  # fmt: skip
    prefill = report_prefill(world.task, world.lead, world.period)
    assert prefill["problems"] == "用地指标不足" and prefill["percent_complete"] == 30
    assert prefill["indicator_values"] == {indicator.pk: 12}
    assert "progress" not in prefill  # this period's progress is new every week
    assert report_prefill(world.task, world.support, world.period) == {}


# ---- drafts, submission, lateness ----------------------------------------------------------------


def test_draft_then_submit_on_time(world):
    draft = save(world)
    assert draft.status == ProgressReport.Status.DRAFT and draft.version == 1 and draft.submitted_at is None

    submitted = save(world, submit=True, version=1, progress="修改后的进展")
    assert submitted.pk == draft.pk and submitted.version == 2
    assert submitted.status == ProgressReport.Status.SUBMITTED
    assert submitted.submitted_by == world.lead_liaison and not submitted.is_late and submitted.late_by is None
    assert ProgressReport.objects.count() == 1


def test_a_report_after_the_due_moment_is_kept_and_marked_late_by_how_much(world):
    report = save(world, submit=True, now=at(2026, 3, 27, 20, 30))  # due 18:00
    assert report.status == ProgressReport.Status.SUBMITTED
    assert report.is_late and report.late_by == datetime.timedelta(hours=2, minutes=30)


def test_a_submitted_report_is_read_only_until_returned(world):
    save(world, submit=True)
    with pytest.raises(ValidationError):
        save(world, version=1, progress="再改")
    assert ProgressReport.objects.get().progress == "完成项目评审3个。"


def test_empty_submission_and_bad_percent_are_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as caught:
        save(world, submit=True, progress="  ")
    assert "progress" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        save(world, percent_complete=101)
    assert "percent_complete" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        save(world, needs_coordination=True, coordination_request="")
    assert "coordination_request" in caught.value.message_dict
    assert not ProgressReport.objects.exists()


def test_the_database_refuses_percent_over_100_too(world):
    report = save(world)
    report.percent_complete = 120
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


def test_stale_form_gets_a_conflict_and_loses_nothing(world):
    save(world)  # version 1, e.g. opened in two tabs
    save(world, version=1, progress="第一个标签页")  # → version 2
    with pytest.raises(ConcurrentUpdate):
        save(world, version=1, progress="第二个标签页")
    assert ProgressReport.objects.get().progress == "第一个标签页"
    with pytest.raises(ConcurrentUpdate):
        save(world, version=None, progress="又一个新建")  # a second "new report" from a stale tab
    assert ProgressReport.objects.count() == 1


# ---- who may report ---------------------------------------------------------------------------


def test_units_report_only_for_themselves_on_their_tasks(world):
    with pytest.raises(PermissionDenied):
        save(world, user=world.support_liaison, unit=world.lead)  # another unit's report
    with pytest.raises(PermissionDenied):
        save(world, user=world.other_liaison, unit=world.other)  # a unit not on the task
    with pytest.raises(PermissionDenied):
        save(world, user=world.office)
    assert save(world, user=world.support_liaison, unit=world.support).unit == world.support
    assert save(world, user=world.lead_head).unit == world.lead  # heads may report too
    assert ProgressReport.objects.count() == 2


def test_no_report_for_a_closed_task_or_a_period_of_another_campaign(world):
    from ..factories import ReportingPeriodFactory

    with pytest.raises(PermissionDenied):
        report_save(
            user=world.lead_liaison, task=world.task, unit=world.lead, period=ReportingPeriodFactory(),
            progress="x", percent_complete=1, expected_version=None, submit=False,
        )  # fmt: skip
    Task.objects.filter(pk=world.task.pk).update(status=Task.Status.CLOSED, closed_at=at(2026, 3, 1, 9))
    world.task.refresh_from_db()
    with pytest.raises(ValidationError, match="该任务已于2026-03-01销号，第4期无需报送。"):  # told why (tasks.ledger)
        save(world)
    assert not ProgressReport.objects.exists()


# ---- evidence -------------------------------------------------------------------------------------


def test_evidence_is_checked_by_content(world):
    good = [SimpleUploadedFile("会议纪要.pdf", PDF), SimpleUploadedFile("现场.png", PNG)]
    report = save(world, files=good)
    assert sorted(a.content_type for a in report.attachments.all()) == ["application/pdf", "image/png"]
    attachment = report.attachments.get(content_type="application/pdf")
    assert attachment.original_name == "会议纪要.pdf" and "会议纪要" not in attachment.file.name

    with pytest.raises(ValidationError) as caught:
        save(world, version=1, files=[SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf at all")])
    assert "伪装.pdf" in str(caught.value)
    with pytest.raises(ValidationError):
        save(world, version=1, files=[SimpleUploadedFile("脚本.exe", b"MZ\x90\x00")])
    assert Attachment.objects.count() == 2 and ProgressReport.objects.get().version == 1


def test_a_bad_attachment_on_a_new_report_saves_nothing(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        save(world, submit=True, files=[SimpleUploadedFile("大文件.pdf", PDF + b"0" * 2048)])
    assert "大文件.pdf" in str(caught.value)
    assert not ProgressReport.objects.exists() and not Attachment.objects.exists()


# ---- review ------------------------------------------------------------------------------------------


def test_office_returns_with_a_comment_then_accepts_the_fixed_report(world):
    report = save(world, submit=True)
    with pytest.raises(ValidationError):
        report_review(user=world.office, report_id=report.pk, accept=False, comment="")
    returned = report_review(user=world.office, report_id=report.pk, accept=False, comment="请补充投资完成数据")
    assert returned.status == ProgressReport.Status.RETURNED and returned.review_comment == "请补充投资完成数据"

    fixed = save(world, version=returned.version, submit=True, progress="补充：完成投资1.2亿元")
    accepted = report_review(user=world.office, report_id=fixed.pk, accept=True)
    assert accepted.status == ProgressReport.Status.ACCEPTED and accepted.reviewed_by == world.office
    with pytest.raises(ValidationError):
        report_review(user=world.office, report_id=fixed.pk, accept=True)  # already reviewed


def test_only_the_office_reviews(world):
    report = save(world, submit=True)
    for user in (world.lead_liaison, world.lead_head, world.leader, world.outsider):
        with pytest.raises(PermissionDenied):
            report_review(user=user, report_id=report.pk, accept=True)
    with pytest.raises(ValidationError):
        report_review(
            user=world.office, report_id=save(world, user=world.support_liaison, unit=world.support).pk, accept=True
        )


def test_history_records_who_did_what(world):
    report = save(world)
    save(world, version=1, submit=True)
    report_review(user=world.office, report_id=report.pk, accept=False, comment="补充")
    reasons = list(report.history.order_by("history_date").values_list("history_change_reason", "status"))
    assert reasons == [("save", "draft"), ("submit", "submitted"), ("return", "returned")]


# ---- completion -------------------------------------------------------------------------------------


def test_lead_unit_applies_for_completion_and_the_office_closes_the_task_off(world):
    with pytest.raises(PermissionDenied):
        completion_request_create(user=world.support_liaison, task=world.task, unit=world.support, summary="完成")
    request = completion_request_create(
        user=world.lead_liaison,
        task=world.task,
        unit=world.lead,
        summary="全部完成",
        files=[SimpleUploadedFile("验收.pdf", PDF)],
    )
    assert request.attachments.count() == 1
    with pytest.raises(ValidationError):  # a second application while one waits
        completion_request_create(user=world.lead_head, task=world.task, unit=world.lead, summary="再次申请")

    with pytest.raises(PermissionDenied):
        completion_request_decide(user=world.lead_liaison, request_id=request.pk, approve=True)
    completion_request_decide(user=world.office, request_id=request.pk, approve=True)
    world.task.refresh_from_db()
    assert world.task.status == Task.Status.CLOSED and world.task.closed_at is not None
    assert CompletionRequest.objects.get().status == Decision.APPROVED
    with pytest.raises(ValidationError, match="销号"):
        save(world)  # no more reports on a closed task, and the unit is told why
    assert world.task.history.first().history_change_reason == "closed off"


def test_rejected_completion_needs_a_reason_and_leaves_the_task_open(world):
    request = completion_request_create(user=world.lead_liaison, task=world.task, unit=world.lead, summary="完成")
    with pytest.raises(ValidationError):
        completion_request_decide(user=world.office, request_id=request.pk, approve=False)
    completion_request_decide(user=world.office, request_id=request.pk, approve=False, comment="佐证材料不足")
    world.task.refresh_from_db()
    assert world.task.status == Task.Status.OPEN
    # After a rejection the lead unit may apply again.
    completion_request_create(user=world.lead_liaison, task=world.task, unit=world.lead, summary="补充材料后再申请")


# ---- extension ---------------------------------------------------------------------------------------


def extend(world, new_date, today=datetime.date(2026, 9, 1), user=None, reason="征地拆迁滞后"):
    return extension_request_create(
        user=user or world.lead_liaison,
        task=world.task,
        unit=world.lead,
        requested_deadline=new_date,
        reason=reason,
        today=today,
    )


def test_extension_keeps_the_original_deadline(world):
    first = extend(world, datetime.date(2026, 11, 30))
    extension_request_decide(user=world.office, request_id=first.pk, approve=True)
    second = extend(world, datetime.date(2026, 12, 20))
    assert second.current_deadline == datetime.date(2026, 11, 30)
    extension_request_decide(user=world.office, request_id=second.pk, approve=True)

    world.task.refresh_from_db()
    assert world.task.deadline == datetime.date(2026, 12, 20)
    assert world.task.original_deadline == datetime.date(2026, 10, 31)
    deadlines = [record.deadline for record in world.task.history.order_by("history_date")]
    assert deadlines[-3:] == [datetime.date(2026, 10, 31), datetime.date(2026, 11, 30), datetime.date(2026, 12, 20)]


@pytest.mark.parametrize(
    "new_date, today, field",
    [
        (datetime.date(2026, 10, 30), datetime.date(2026, 9, 1), "requested_deadline"),  # before the current deadline
        (datetime.date(2026, 10, 31), datetime.date(2026, 9, 1), "requested_deadline"),  # not later
        (datetime.date(2026, 12, 31), datetime.date(2026, 11, 2), None),  # the deadline has passed
    ],
)
def test_bad_extension_dates_are_refused(world, new_date, today, field):
    with pytest.raises(ValidationError) as caught:
        extend(world, new_date, today=today)
    if field:
        assert field in caught.value.message_dict
    assert not ExtensionRequest.objects.exists()


def test_only_lead_units_apply_for_extension_and_the_office_decides(world):
    with pytest.raises(PermissionDenied):
        extension_request_create(
            user=world.support_liaison, task=world.task, unit=world.support,
            requested_deadline=datetime.date(2026, 11, 30), reason="x", today=datetime.date(2026, 9, 1),
        )  # fmt: skip
    request = extend(world, datetime.date(2026, 11, 30))
    with pytest.raises(PermissionDenied):
        extension_request_decide(user=world.leader, request_id=request.pk, approve=True)
    extension_request_decide(user=world.office, request_id=request.pk, approve=False, comment="理由不充分")
    world.task.refresh_from_db()
    assert world.task.deadline == datetime.date(2026, 10, 31) and world.task.original_deadline is None


# ---- leader comments --------------------------------------------------------------------------------


def test_leaders_comment_units_do_not(world):
    comment = leader_comment_add(user=world.leader, task=world.task, text="要加快进度，月底前见实效。")
    assert comment.author == world.leader
    with pytest.raises(PermissionDenied):
        leader_comment_add(user=world.lead_liaison, task=world.task, text="x")
    with pytest.raises(ValidationError):
        leader_comment_add(user=world.leader, task=world.task, text="  ")


def test_the_same_comment_form_posted_twice_saves_one_comment(world):
    import uuid

    from tasks.models import LeaderComment

    token = uuid.uuid4()
    first = leader_comment_add(user=world.leader, task=world.task, text="抓紧推进", token=token)
    again = leader_comment_add(user=world.leader, task=world.task, text="抓紧推进", token=token)
    assert again.pk == first.pk and LeaderComment.objects.count() == 1
    leader_comment_add(user=world.leader, task=world.task, text="抓紧推进", token=uuid.uuid4())  # a new form
    assert LeaderComment.objects.count() == 2


# ---- text limits --------------------------------------------------------------------------------------


def test_texts_over_their_limit_are_refused_by_the_services_too(world):
    with pytest.raises(ValidationError) as caught:
        save(world, progress="进" * 2001, problems="问" * 1001, next_steps="计" * 1000)
    assert set(caught.value.message_dict) == {"progress", "problems"}
    assert "2000" in caught.value.message_dict["progress"][0] and "2001" in caught.value.message_dict["progress"][0]
    assert not ProgressReport.objects.exists()
    report = save(world, submit=True, progress="进" * 2000)
    with pytest.raises(ValidationError) as caught:
        report_review(user=world.office, report_id=report.pk, accept=False, comment="退" * 1001)
    assert "comment" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        leader_comment_add(user=world.leader, task=world.task, text="批" * 1001)
    assert "text" in caught.value.message_dict
    request = completion_request_create(user=world.lead_liaison, task=world.task, unit=world.lead, summary="完成")
    with pytest.raises(ValidationError) as caught:
        completion_request_decide(user=world.office, request_id=request.pk, approve=False, comment="驳" * 1001)
    assert "comment" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        extension_request_create(
            user=world.lead_liaison, task=world.task, unit=world.lead, requested_deadline=datetime.date(2026, 11, 30),
            reason="延" * 1001, today=datetime.date(2026, 3, 26),
        )  # fmt: skip
    assert "reason" in caught.value.message_dict


# ---- found by the pages' author ------------------------------------------------------------------


def test_history_records_who_even_outside_a_request(world):
    report = save(world, submit=True)
    assert report.history.first().history_user == world.lead_liaison


def test_a_period_that_has_not_begun_is_refused(world):
    future = world.campaign.periods.get(number=world.period.number + 3)
    with pytest.raises(ValidationError):
        report_save(
            user=world.lead_liaison, task=world.task, unit=world.lead, period=future, progress="x",
            percent_complete=1, expected_version=None, submit=True, now=at(2026, 3, 26, 9),
        )  # fmt: skip
    assert not ProgressReport.objects.exists()


def test_a_returned_report_being_fixed_is_private_until_resubmitted(world):
    from accounts.access import visible_to

    report = save(world, submit=True, progress="第一版")
    returned = report_review(user=world.office, report_id=report.pk, accept=False, comment="补充")
    save(world, version=returned.version, progress="修改中，尚未报送")
    assert not visible_to(world.office, ProgressReport).filter(pk=report.pk).exists()
    assert visible_to(world.lead_liaison, ProgressReport).get(pk=report.pk).review_comment == "补充"
    save(world, version=returned.version + 1, progress="修改完成", submit=True)
    assert visible_to(world.office, ProgressReport).get(pk=report.pk).progress == "修改完成"


def test_deciding_an_unknown_id_is_a_refusal_not_a_crash(world):
    for decide in (report_review, completion_request_decide, extension_request_decide):
        with pytest.raises(ValidationError):
            decide(user=world.office, request_id=999999, approve=True) if decide is not report_review else decide(
                user=world.office, report_id=999999, accept=True
            )
