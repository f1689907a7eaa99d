"""Units are told what became of their work: reviews, leaders' instructions, decided requests."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import Delivery, Notification
from tasks import services

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def told(kind=None):
    """username → titles of the notifications they got (of a kind)."""
    notifications = Notification.objects.select_related("recipient").order_by("pk")
    if kind:
        notifications = notifications.filter(kind=kind)
    result = {}
    for n in notifications:
        result.setdefault(n.recipient.username, []).append(n.title)
    return result


def submitted(r, unit=None, period=None):
    unit, period = unit or r.lead, period or r.period
    liaison = r.lead_liaison if unit == r.lead else r.support_liaison
    return services.report_save(
        user=liaison, task=r.task, unit=unit, period=period, progress="完成阶段性调研",
        percent_complete=40, expected_version=None, submit=True,
    )  # fmt: skip


def test_a_returned_report_reaches_the_liaison_and_the_head_with_the_reason_once(
    reporting, login, django_capture_on_commit_callbacks
):
    r = reporting
    report = submitted(r)
    with django_capture_on_commit_callbacks() as callbacks:
        response = login(r.office).post(
            reverse("tasks:review-decide", args=[report.pk]), {"decision": "return", "comment": "数据口径不一致"}
        )
    assert response.status_code == 302
    assert set(told("report_returned")) == {"lead_liaison", "lead_head"}  # not the supporting unit, not other units
    notification = Notification.objects.get(recipient=r.lead_liaison)
    assert "推进重大项目建设" in notification.title and "数据口径不一致" in notification.body
    assert notification.link == reverse(
        "tasks:report", args=[r.campaign.code, r.task.number, r.lead.pk, r.period.number]
    )
    assert notification.deliveries.get().channel == "email"
    # Handed to the workers after commit: the deliveries together (a hundred per message), and
    # the task's light (lights.tasks).
    assert Delivery.objects.count() == 2 and len(callbacks) == 2

    # A retry of the same decision is refused and tells nobody again.
    login(r.office).post(
        reverse("tasks:review-decide", args=[report.pk]), {"decision": "return", "comment": "数据口径不一致"}
    )
    assert Notification.objects.count() == 2
    page = login(r.lead_liaison).get(reverse("notifications:inbox")).content.decode()
    assert "数据口径不一致" in page


def test_an_accepted_report_reaches_the_liaison_and_a_second_review_after_resubmission_is_told_again(reporting):
    r = reporting
    report = submitted(r)
    services.report_review(user=r.office, report_id=report.pk, accept=False, comment="请补充附件")
    services.report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.period, progress="已补充",
        percent_complete=50, expected_version=report.version + 1, submit=True,
    )  # fmt: skip
    services.report_review(user=r.office, report_id=report.pk, accept=True)
    assert told() == {
        "lead_liaison": [
            f"报送被退回：{r.task}（第{r.period.number}期）",
            f"报送已审核通过：{r.task}（第{r.period.number}期）",
        ],
        "lead_head": [f"报送被退回：{r.task}（第{r.period.number}期）"],
    }


def test_accepting_several_reports_tells_each_unit_in_a_fixed_number_of_queries(
    reporting, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    r = reporting
    one = [submitted(r)]
    with CaptureQueriesContext(connection) as few:
        services.reports_accept(user=r.office, campaign=r.campaign, report_ids=[report.pk for report in one])
    many = [submitted(r, period=r.past), submitted(r, unit=r.support), submitted(r, unit=r.support, period=r.past)]
    with django_assert_max_num_queries(len(few)):
        services.reports_accept(user=r.office, campaign=r.campaign, report_ids=[report.pk for report in many])
    assert {user: len(titles) for user, titles in told("report_accepted").items()} == {
        "lead_liaison": 2,
        "support_liaison": 2,
    }
    services.reports_accept(
        user=r.office, campaign=r.campaign, report_ids=[report.pk for report in one + many]
    )  # all accepted already
    assert Notification.objects.count() == 4


def test_a_leaders_instruction_reaches_the_liaisons_of_the_units_on_the_task_once_per_form(reporting):
    import uuid

    r = reporting
    token = uuid.uuid4()
    services.leader_comment_add(user=r.leader, task=r.task, text="要加快进度，月底前见成效", token=token)
    services.leader_comment_add(
        user=r.leader, task=r.task, text="要加快进度，月底前见成效", token=token
    )  # a double click
    assert set(told("leader_comment")) == {"lead_liaison", "support_liaison"}  # not 区审计局 of task 2
    assert Notification.objects.count() == 2
    assert "要加快进度" in Notification.objects.get(recipient=r.support_liaison).body


def test_a_decided_application_to_close_off_is_told_with_its_reason(reporting, login):
    r = reporting
    request = services.completion_request_create(user=r.lead_head, task=r.task, unit=r.lead, summary="已全部完成")
    response = login(r.office).post(
        reverse("tasks:completion-decide", args=[request.pk]), {"decision": "reject", "comment": "缺少验收材料"}
    )
    assert response.status_code == 302
    assert set(told("completion_decided")) == {"lead_liaison", "lead_head"}  # the liaison, and the head who applied
    assert "缺少验收材料" in Notification.objects.get(recipient=r.lead_liaison).body
    with pytest.raises(ValidationError):
        services.completion_request_decide(user=r.office, request_id=request.pk, approve=True)
    assert Notification.objects.count() == 2


def test_a_decided_extension_is_told_with_the_new_deadline(reporting):
    r = reporting
    new_deadline = r.task.deadline + datetime.timedelta(days=30)
    request = services.extension_request_create(
        user=r.lead_liaison, task=r.task, unit=r.lead, requested_deadline=new_deadline, reason="征地手续未完成"
    )
    services.extension_request_decide(user=r.office, request_id=request.pk, approve=True)
    assert told("extension_decided") == {"lead_liaison": [f"延期申请已批准：{r.task}，新时限 {new_deadline}"]}


def test_nothing_is_told_when_the_decision_fails(reporting):
    r = reporting
    report = submitted(r)
    with pytest.raises(ValidationError):
        services.report_review(user=r.office, report_id=report.pk, accept=False, comment="")
    with pytest.raises(PermissionDenied):
        services.report_review(user=UserFactory(), report_id=report.pk, accept=True)
    assert not Notification.objects.exists()


def test_an_extension_settled_by_closing_the_task_off_is_told_as_rejected(reporting):
    r = reporting
    extension = services.extension_request_create(
        user=r.lead_liaison, task=r.task, unit=r.lead, requested_deadline=r.task.deadline + datetime.timedelta(days=30),
        reason="征地手续未完成",
    )  # fmt: skip
    completion = services.completion_request_create(user=r.lead_head, task=r.task, unit=r.lead, summary="已全部完成")
    services.completion_request_decide(user=r.office, request_id=completion.pk, approve=True)
    extension.refresh_from_db()
    assert extension.status == "rejected"
    assert told("extension_decided") == {"lead_liaison": [f"延期申请未批准：{r.task}"]}
    assert "任务已销号" in Notification.objects.get(kind="extension_decided").body
    assert set(told("completion_decided")) == {"lead_liaison", "lead_head"}
