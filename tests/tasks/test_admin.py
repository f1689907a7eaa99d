"""The admin keeps the permission rule: office staff with admin access see no unit's drafts
(list, change page, history, historical versions) and cannot rewrite what units filed."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from demo.loader import office_staff_group
from tasks.models import ProgressReport
from tasks.services import report_review, report_save

from ..factories import AttachmentFactory, CompletionRequestFactory, ExtensionRequestFactory, LeaderCommentFactory

pytestmark = pytest.mark.django_db

SECRETS = ["草稿机密甲", "草稿机密乙", "草稿机密丙", "草稿附件丁"]


def _demo_like(user):
    """Staff with the demo office account's admin rights: not a superuser."""
    user.is_staff = True
    user.save()
    user.groups.add(office_staff_group())
    return user


def _save(r, unit, liaison, text, *, submit, version=None, period=None):
    return report_save(
        user=liaison,
        task=r.task,
        unit=unit,
        period=period or r.past,
        progress=text,
        percent_complete=40,
        expected_version=version,
        submit=submit,
    )


@pytest.fixture
def drafts(reporting):
    """Draft text in every shape the admin could show: a draft, a draft later submitted (only in
    history), a returned report being fixed (a draft again), and evidence on a draft."""
    r = reporting
    draft = _save(r, r.lead, r.lead_liaison, SECRETS[0], submit=False, period=r.period)
    earlier = _save(r, r.support, r.support_liaison, SECRETS[1], submit=False)
    submitted = _save(r, r.support, r.support_liaison, "已报送的进展", submit=True, version=earlier.version)
    returned = _save(r, r.lead, r.lead_liaison, "第一次报送", submit=True)
    report_review(user=r.office, report_id=returned.pk, accept=False, comment="请补充材料")
    returned.refresh_from_db()
    fixing = _save(r, r.lead, r.lead_liaison, SECRETS[2], submit=False, version=returned.version)
    AttachmentFactory(report=draft, original_name=f"{SECRETS[3]}.pdf", uploaded_by=r.lead_liaison)
    CompletionRequestFactory(task=r.task, unit=r.lead, requested_by=r.lead_liaison)
    ExtensionRequestFactory(task=r.task, unit=r.lead, requested_by=r.lead_liaison)
    LeaderCommentFactory(task=r.task, author=r.leader)
    return {"draft": draft, "submitted": submitted, "fixing": fixing}


def _admin_pages():
    """Every changelist, change page, history page and historical version of every registered model."""
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        yield reverse("admin:%s_%s_changelist" % info)
        if any(f.name == "status" for f in model._meta.fields):
            for value in ("draft", "returned"):
                yield reverse("admin:%s_%s_changelist" % info) + f"?status__exact={value}"
        history = getattr(model, "history", None)  # django-simple-history's manager, if tracked
        for obj in model._default_manager.all():
            yield reverse("admin:%s_%s_change" % info, args=[obj.pk])
            yield reverse("admin:%s_%s_history" % info, args=[obj.pk])
            if history is None:
                continue
            for record in history.filter(**{model._meta.pk.attname: obj.pk}):
                try:
                    yield reverse("admin:%s_%s_simple_history" % info, args=[obj.pk, record.history_id])
                except NoReverseMatch:
                    pass


def test_no_admin_page_shows_a_draft_to_office_staff(client, reporting, drafts):
    client.force_login(_demo_like(reporting.office))
    pages = list(_admin_pages())
    leaking, broken = [], []
    for url in pages:
        response = client.get(url)
        if response.status_code >= 500:
            broken.append(url)
        if any(secret in response.content.decode() for secret in SECRETS):
            leaking.append(url)
    print(f"admin pages crawled: {len(pages)}; showing a draft: {len(leaking)}", *leaking, sep="\n")
    assert leaking == [] and broken == []


def test_drafts_are_not_reachable_by_id_or_in_history(client, reporting, drafts):
    client.force_login(_demo_like(reporting.office))
    draft = drafts["draft"]
    change = client.get(reverse("admin:tasks_progressreport_change", args=[draft.pk]), follow=True)
    assert SECRETS[0] not in change.content.decode()
    history = client.get(reverse("admin:tasks_progressreport_history", args=[draft.pk]))
    assert history.status_code == 404
    record = draft.history.first()
    version = client.get(reverse("admin:tasks_progressreport_simple_history", args=[draft.pk, record.history_id]))
    assert version.status_code == 404
    # A submitted report's history lists its submission, not the draft saved before it.
    submitted = drafts["submitted"]
    history = client.get(reverse("admin:tasks_progressreport_history", args=[submitted.pk]))
    assert history.status_code == 200
    draft_record = submitted.history.get(history_change_reason="save")
    version = client.get(
        reverse("admin:tasks_progressreport_simple_history", args=[submitted.pk, draft_record.history_id])
    )
    assert version.status_code == 404


def test_office_staff_cannot_rewrite_a_report_in_the_admin(client, reporting, drafts):
    client.force_login(_demo_like(reporting.office))
    report = drafts["submitted"]
    report_review(user=reporting.office, report_id=report.pk, accept=True)
    url = reverse("admin:tasks_progressreport_change", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200 and "已报送的进展" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only: no save button
    data = {
        "task": report.task_id,
        "unit": report.unit_id,
        "period": report.period_id,
        "status": "accepted",
        "progress": "改写后的内容",
        "percent_complete": 100,
        "version": report.version,
    }
    assert client.post(url, data).status_code == 403
    # Nor through "revert" on a historical version (simple_history's form view saves on POST).
    record = report.history.filter(history_change_reason="submit").first()
    revert = reverse("admin:tasks_progressreport_simple_history", args=[report.pk, record.history_id])
    assert client.post(revert, data).status_code == 403
    assert (
        client.post(reverse("admin:tasks_progressreport_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    )
    report.refresh_from_db()
    assert report.progress == "已报送的进展" and report.status == ProgressReport.Status.ACCEPTED


@pytest.mark.parametrize(
    "model_name", ["progressreport", "attachment", "completionrequest", "extensionrequest", "leadercomment"]
)
def test_filed_records_are_read_only_for_office_staff_and_editable_by_superusers(
    client, reporting, drafts, model_name, django_user_model
):
    client.force_login(_demo_like(reporting.office))
    from django.apps import apps

    model = apps.get_model("tasks", model_name)
    obj = model.objects.exclude(**({"status": "draft"} if model_name == "progressreport" else {})).first()
    if model_name == "attachment":
        obj = AttachmentFactory(report=drafts["submitted"], uploaded_by=reporting.support_liaison)
    page = client.get(reverse(f"admin:tasks_{model_name}_change", args=[obj.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse(f"admin:tasks_{model_name}_add")).status_code == 403

    superuser = django_user_model.objects.create_superuser(username="root", password="unused-pass-2026")
    client.force_login(superuser)
    page = client.get(reverse(f"admin:tasks_{model_name}_change", args=[obj.pk]))
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()


def test_superusers_see_drafts(client, reporting, drafts, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(username="root", password="unused-pass-2026"))
    page = client.get(reverse("admin:tasks_progressreport_change", args=[drafts["draft"].pk]))
    assert SECRETS[0] in page.content.decode()


def test_the_office_still_keeps_tasks_in_the_admin(client, reporting):
    client.force_login(_demo_like(reporting.office))
    task = reporting.task
    url = reverse("admin:tasks_task_change", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()


def test_ids_that_are_not_ids_are_not_found(client, reporting, drafts):
    client.force_login(_demo_like(reporting.office))
    report = drafts["submitted"]
    assert client.get(reverse("admin:tasks_progressreport_history", args=["x"])).status_code == 404
    url = reverse("admin:tasks_progressreport_simple_history", args=[report.pk, "x"])
    assert client.get(url).status_code == 404
