"""Completion (申请办结 → 销号) and extension (延期申请) in the browser, and leader comments (批示)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tasks.models import CompletionRequest, Decision, ExtensionRequest, LeaderComment, Task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def task_url(r, task=None):
    task = task or r.task
    return reverse("tasks:detail", args=[task.campaign.code, task.number])


def post_completion(client, r, summary="全部完成，已通过验收。", files=(), unit=None):
    url = reverse("tasks:completion-request", args=[r.campaign.code, r.task.number])
    return client.post(url, {"unit": (unit or r.lead).pk, "summary": summary, "files": list(files)})


def post_extension(client, r, deadline, reason="受汛期影响，工期顺延。"):
    url = reverse("tasks:extension-request", args=[r.campaign.code, r.task.number])
    return client.post(url, {"unit": r.lead.pk, "requested_deadline": deadline, "reason": reason})


def decide(client, name, pk, decision, comment=""):
    return client.post(reverse(name, args=[pk]), {"decision": decision, "comment": comment})


def test_the_lead_unit_applies_for_completion_with_evidence_and_the_office_closes_the_task_off(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    content = client.get(task_url(r)).content.decode()
    assert reverse("tasks:completion-request", args=[r.campaign.code, "1"]) in content

    response = post_completion(client, r, files=[SimpleUploadedFile("验收报告.pdf", PDF)])
    assert response.status_code == 302
    request = CompletionRequest.objects.get()
    assert request.status == Decision.PENDING and request.attachments.get().original_name == "验收报告.pdf"

    client.force_login(r.office)
    listing = client.get(reverse("tasks:requests")).content.decode()
    assert "全部完成，已通过验收。" in listing and "验收报告.pdf" in listing
    assert reverse("tasks:completion-decide", args=[request.pk]) in client.get(task_url(r)).content.decode()
    assert decide(client, "tasks:completion-decide", request.pk, "approve").status_code == 302
    r.task.refresh_from_db()
    assert r.task.status == Task.Status.CLOSED and r.task.closed_at

    # Closed off: the report form shows no form, and a post is refused, saying why.
    client.force_login(r.lead_liaison)
    report_url = reverse("tasks:report", args=[r.campaign.code, "1", r.lead.pk, r.period.number])
    assert not client.get(report_url).context["show_form"]
    refused = client.post(report_url, {"progress": "还想报", "percent_complete": 100, "submit": ""})
    assert refused.status_code == 200 and "销号" in refused.content.decode()
    # No more requests from the task page either.
    page = client.get(task_url(r))
    assert page.context["completion_form"] is None and page.context["extension_form"] is None


def test_a_rejected_application_needs_a_reason_and_the_unit_may_apply_again(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_completion(client, r)
    request = CompletionRequest.objects.get()
    client.force_login(r.office)
    response = decide(client, "tasks:completion-decide", request.pk, "reject", " ")
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"
    request.refresh_from_db()
    assert request.status == Decision.PENDING
    decide(client, "tasks:completion-decide", request.pk, "reject", "缺少验收材料")
    request.refresh_from_db()
    assert request.status == Decision.REJECTED and request.decision_comment == "缺少验收材料"
    r.task.refresh_from_db()
    assert r.task.status == Task.Status.OPEN

    client.force_login(r.lead_liaison)
    assert "缺少验收材料" in client.get(task_url(r)).content.decode()  # in the timeline
    assert post_completion(client, r, summary="补齐材料后再次申请").status_code == 302
    assert CompletionRequest.objects.filter(status=Decision.PENDING).count() == 1


def test_a_second_application_while_one_waits_is_refused_on_the_form(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_completion(client, r)
    response = post_completion(client, r, summary="重复点击")
    assert response.status_code == 200
    assert response.context["completion_form"].non_field_errors()
    assert CompletionRequest.objects.count() == 1
    # The form is not shown while a request waits: the refusal is said at the top of the page.
    assert "该任务已有一份办结申请待审批。" in [str(m) for m in get_messages(response.wsgi_request)]


def test_an_empty_summary_or_a_fake_file_is_shown_on_the_form(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    response = post_completion(client, r, summary="  ")
    assert response.context["completion_form"].errors["summary"]
    response = post_completion(client, r, files=[SimpleUploadedFile("照片.jpg", b"not an image at all")])
    assert "照片.jpg" in " ".join(response.context["completion_form"].errors["files"])
    assert not CompletionRequest.objects.exists()


def test_only_a_lead_unit_may_apply(client, reporting):
    r = reporting
    for user in (r.support_liaison, r.office, r.leader, r.other_liaison):
        client.force_login(user)
        assert post_completion(client, r).status_code == 403, user
        assert post_extension(client, r, r.task.deadline + datetime.timedelta(days=30)).status_code == 403, user
        assert task_url(r) and client.get(task_url(r)).context["completion_form"] is None
    client.force_login(r.outsider)
    assert post_completion(client, r).status_code == 404
    assert not CompletionRequest.objects.exists() and not ExtensionRequest.objects.exists()


def test_a_lead_unit_cannot_apply_for_another_unit(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    response = post_completion(client, r, unit=r.support)
    assert response.status_code == 200 and response.context["completion_form"].errors["unit"]
    assert not CompletionRequest.objects.exists()


def test_extension_approval_moves_the_deadline_and_keeps_the_original_visible(client, reporting):
    r = reporting
    original = r.task.deadline
    new = original + datetime.timedelta(days=61)
    client.force_login(r.lead_liaison)
    assert post_extension(client, r, new.isoformat()).status_code == 302
    request = ExtensionRequest.objects.get()
    assert request.current_deadline == original and request.requested_deadline == new

    client.force_login(r.office)
    assert "受汛期影响，工期顺延。" in client.get(reverse("tasks:requests")).content.decode()
    decide(client, "tasks:extension-decide", request.pk, "approve")
    r.task.refresh_from_db()
    assert r.task.deadline == new and r.task.original_deadline == original

    for user in (r.lead_liaison, r.support_liaison, r.leader):
        client.force_login(user)
        content = client.get(task_url(r)).content.decode()
        assert new.isoformat() in content
        assert f"<del>{original.isoformat()}</del>" in content
    campaign_page = client.get(reverse("campaigns:detail", args=[r.campaign.code])).content.decode()
    assert f"<del>{original.isoformat()}</del>" in campaign_page

    # A second extension keeps the first original deadline.
    client.force_login(r.lead_liaison)
    post_extension(client, r, (new + datetime.timedelta(days=10)).isoformat())
    client.force_login(r.office)
    decide(client, "tasks:extension-decide", ExtensionRequest.objects.get(status="pending").pk, "approve")
    r.task.refresh_from_db()
    assert r.task.original_deadline == original


@pytest.mark.parametrize("days", [0, -5])
def test_an_extension_must_move_the_deadline_later(client, reporting, days):
    r = reporting
    client.force_login(r.lead_liaison)
    response = post_extension(client, r, (r.task.deadline + datetime.timedelta(days=days)).isoformat())
    assert response.status_code == 200
    assert response.context["extension_form"].errors["requested_deadline"]
    assert not ExtensionRequest.objects.exists()


def test_an_extension_after_the_deadline_is_refused_with_a_message(client, reporting):
    r = reporting
    Task.objects.filter(pk=r.task.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(r.lead_liaison)
    response = post_extension(client, r, (timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    assert response.status_code == 200 and response.context["extension_form"].non_field_errors()
    # The page offers no extension past the deadline: it says so instead.
    page = client.get(task_url(r))
    assert page.context["extension_form"] is None and "不能再申请延期" in page.content.decode()


def test_a_rejected_extension_leaves_the_deadline(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_extension(client, r, (r.task.deadline + datetime.timedelta(days=30)).isoformat())
    client.force_login(r.office)
    decide(client, "tasks:extension-decide", ExtensionRequest.objects.get().pk, "reject", "理由不充分")
    deadline = r.task.deadline
    r.task.refresh_from_db()
    assert r.task.deadline == deadline and r.task.original_deadline is None
    assert "理由不充分" in client.get(task_url(r)).content.decode()


def test_requests_list_and_decisions_are_for_the_office(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_completion(client, r)
    request = CompletionRequest.objects.get()
    for user in (r.lead_liaison, r.leader, r.outsider):
        client.force_login(user)
        assert client.get(reverse("tasks:requests")).status_code == 403
        assert decide(client, "tasks:completion-decide", request.pk, "approve").status_code == 403
    request.refresh_from_db()
    assert request.status == Decision.PENDING


def test_leader_comments_are_added_by_leaders_and_seen_by_everyone_who_sees_the_task(client, reporting):
    r = reporting
    client.force_login(r.leader)
    url = reverse("tasks:comment", args=[r.campaign.code, "1"])
    assert client.post(url, {"text": "要倒排工期，确保年底前完工。"}).status_code == 302
    assert LeaderComment.objects.get().author == r.leader
    for user in (r.lead_liaison, r.support_head, r.other_liaison, r.office):
        client.force_login(user)
        assert "要倒排工期，确保年底前完工。" in client.get(task_url(r)).content.decode()

    client.force_login(r.lead_liaison)
    assert client.post(url, {"text": "联络员不能批示"}).status_code == 403
    client.force_login(r.outsider)
    assert client.post(url, {"text": "外人"}).status_code == 404
    client.force_login(r.office)  # the office records a leader's instruction
    response = client.post(url, {"text": "  "})
    assert response.status_code == 200 and response.context["comment_form"].errors["text"]
    assert LeaderComment.objects.count() == 1


def test_completion_evidence_is_for_the_office_leaders_and_the_applying_unit(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_completion(client, r, files=[SimpleUploadedFile("验收报告.pdf", PDF)])
    attachment = CompletionRequest.objects.get().attachments.get()
    url = reverse("tasks:attachment", args=[attachment.pk])
    for user, status in [
        (r.lead_liaison, 200), (r.lead_head, 200), (r.office, 200), (r.leader, 200),
        (r.support_liaison, 404), (r.other_liaison, 404), (r.outsider, 404),
    ]:  # fmt: skip
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_pending_completion_and_extension_decision_forms_have_distinct_ids(client, reporting):
    import re
    from collections import Counter

    r = reporting
    client.force_login(r.lead_liaison)
    post_completion(client, r)
    post_extension(client, r, (r.task.deadline + datetime.timedelta(days=30)).isoformat())
    # Give both requests the same primary key (as the first of each kind get on a new database).
    ExtensionRequest.objects.update(id=CompletionRequest.objects.get().pk)
    client.force_login(r.office)
    for url in (reverse("tasks:requests"), task_url(r)):
        page = client.get(url).content.decode()
        ids = Counter(re.findall(r'\bid="([^"]+)"', page))
        assert [i for i, n in ids.items() if n > 1] == [], url
        assert page.count('id="reason-') == 2, url


# ---- bounds and closed tasks (issue 7) ------------------------------------------------------


def test_an_extension_to_the_year_9999_is_refused_on_its_field(client, reporting, settings):
    r = reporting
    client.force_login(r.lead_liaison)
    response = post_extension(client, r, "9999-12-31")
    assert response.status_code == 200
    latest = r.campaign.end_date + datetime.timedelta(days=settings.EXTENSION_MAX_DAYS_AFTER_CAMPAIGN_END)
    assert f"最晚只能为 {latest.isoformat()}" in " ".join(
        response.context["extension_form"].errors["requested_deadline"]
    )
    assert not ExtensionRequest.objects.exists()
    # The last allowed day is accepted, and the date picker offers exactly that range.
    assert post_extension(client, r, latest.isoformat()).status_code == 302
    ExtensionRequest.objects.all().delete()
    widget = client.get(task_url(r)).context["extension_form"].fields["requested_deadline"].widget
    assert widget.attrs["max"] == latest.isoformat()
    assert widget.attrs["min"] == (r.task.deadline + datetime.timedelta(days=1)).isoformat()


def test_the_margin_after_the_campaign_is_configurable(client, reporting, settings):
    r = reporting
    settings.EXTENSION_MAX_DAYS_AFTER_CAMPAIGN_END = 0
    client.force_login(r.lead_liaison)
    response = post_extension(client, r, (r.campaign.end_date + datetime.timedelta(days=1)).isoformat())
    assert response.context["extension_form"].errors["requested_deadline"]
    assert post_extension(client, r, r.campaign.end_date.isoformat()).status_code == 302


def test_an_extension_of_a_task_closed_meanwhile_cannot_be_approved(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_extension(client, r, (r.task.deadline + datetime.timedelta(days=30)).isoformat())
    request = ExtensionRequest.objects.get()
    deadline = r.task.deadline
    # Closed off in the admin while the request waits.
    Task.objects.filter(pk=r.task.pk).update(status=Task.Status.CLOSED, closed_at=timezone.now())
    client.force_login(r.office)
    response = decide(client, "tasks:extension-decide", request.pk, "approve")
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == "1：任务已销号，其申请不能再作决定。"
    r.task.refresh_from_db()
    request.refresh_from_db()
    assert r.task.deadline == deadline and r.task.original_deadline is None
    assert request.status == Decision.PENDING


def test_closing_a_task_off_settles_its_waiting_extension_and_a_second_application_is_refused(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_completion(client, r)
    first = CompletionRequest.objects.get()
    post_extension(client, r, (r.task.deadline + datetime.timedelta(days=30)).isoformat())
    extension = ExtensionRequest.objects.get()
    # A second application, filed before the close-off through the admin, say.
    CompletionRequest.objects.filter(pk=first.pk).update(status=Decision.REJECTED)
    post_completion(client, r, summary="第二次申请")
    second = CompletionRequest.objects.get(status=Decision.PENDING)
    CompletionRequest.objects.filter(pk=second.pk).update(status=Decision.REJECTED)
    CompletionRequest.objects.filter(pk=first.pk).update(status=Decision.PENDING)

    client.force_login(r.office)
    decide(client, "tasks:completion-decide", first.pk, "approve")
    extension.refresh_from_db()
    assert extension.status == Decision.REJECTED and extension.decision_comment == "任务已销号。"
    listing = client.get(reverse("tasks:requests")).content.decode()
    assert reverse("tasks:extension-decide", args=[extension.pk]) not in listing

    CompletionRequest.objects.filter(pk=second.pk).update(status=Decision.PENDING)
    response = decide(client, "tasks:completion-decide", second.pk, "approve")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    second.refresh_from_db()
    assert second.status == Decision.PENDING
    assert (
        reverse("tasks:completion-decide", args=[second.pk])
        not in client.get(reverse("tasks:requests")).content.decode()
    )


def test_an_extension_overtaken_by_a_later_deadline_is_not_approved(client, reporting):
    r = reporting
    client.force_login(r.lead_liaison)
    post_extension(client, r, (r.task.deadline + datetime.timedelta(days=30)).isoformat())
    request = ExtensionRequest.objects.get()
    later = r.task.deadline + datetime.timedelta(days=60)
    Task.objects.filter(pk=r.task.pk).update(deadline=later)  # moved in the admin meanwhile
    client.force_login(r.office)
    response = decide(client, "tasks:extension-decide", request.pk, "approve")
    assert f"任务的完成时限已是 {later.isoformat()}" in [str(m) for m in get_messages(response.wsgi_request)][-1]
    r.task.refresh_from_db()
    request.refresh_from_db()
    assert r.task.deadline == later and request.status == Decision.PENDING
