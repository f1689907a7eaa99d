"""The admin asks accounts.access like every page: a staff user who is not a superuser sees in
each changelist exactly the rows visible_to gives (a notification's deliveries follow it), and a
superuser, who administers the system, sees every row."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import access
from notifications.models import Delivery, Notification
from tasks.models import ProgressReport
from tasks.services import report_save

from ..factories import (
    AttachmentFactory,
    CompletionRequestFactory,
    ExtensionRequestFactory,
    LeaderCommentFactory,
    NotificationFactory,
    SupervisionNoticeFactory,
    UrgeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RULED = sorted(
    (model for model in admin.site._registry if model._meta.label_lower in access._RULES),
    key=lambda model: model._meta.label,
)


def _staff_viewing_everything(user):
    """Staff with the view permission on every model: only the access rule narrows the rows."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return type(user).objects.get(pk=user.pk)  # no cached permissions


@pytest.fixture
def rows(reporting):
    """A row of every ruled model, in several hands: a draft and a submitted report, evidence on
    the draft, requests, a leader comment, notices and urges to two units, and notifications with
    deliveries to the office and to others."""
    r = reporting
    draft = report_save(
        user=r.lead_liaison, task=r.task, unit=r.lead, period=r.period, progress="草稿", percent_complete=10,
        expected_version=None, submit=False,
    )  # fmt: skip
    report_save(
        user=r.support_liaison, task=r.task, unit=r.support, period=r.past, progress="已报送", percent_complete=20,
        expected_version=None, submit=True,
    )  # fmt: skip
    AttachmentFactory(report=draft, uploaded_by=r.lead_liaison)
    CompletionRequestFactory(task=r.task, unit=r.lead, requested_by=r.lead_liaison)
    ExtensionRequestFactory(task=r.other_task, unit=r.other, requested_by=r.other_liaison)
    LeaderCommentFactory(task=r.task, author=r.leader)
    for unit, task in ((r.lead, r.task), (r.other, r.other_task)):
        SupervisionNoticeFactory(task=task, unit=unit)
        UrgeFactory(task=task, unit=unit, urged_by=r.office)
    for recipient in (r.office, r.lead_liaison, r.leader, UserFactory()):
        notification = NotificationFactory(recipient=recipient, title=f"给{recipient.username}的通知")
        Delivery.objects.create(notification=notification, channel="email", next_attempt_at=notification.created_at)
    return r


def _changelist_pks(client, model) -> set:
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("model", RULED, ids=lambda model: model._meta.label)
@pytest.mark.parametrize("who", ["office", "leader", "lead_liaison", "other_liaison"])
def test_a_changelist_shows_exactly_the_visible_rows(client, rows, model, who):
    user = _staff_viewing_everything(getattr(rows, who))
    client.force_login(user)
    visible = set(access.visible_to(user, model).values_list("pk", flat=True))
    assert _changelist_pks(client, model) == visible


def test_office_staff_see_only_their_own_notifications_and_deliveries(client, rows):
    office = _staff_viewing_everything(rows.office)
    client.force_login(office)
    own = Notification.objects.get(recipient=office)
    assert _changelist_pks(client, Notification) == {own.pk}
    assert _changelist_pks(client, Delivery) == set(own.deliveries.values_list("pk", flat=True))
    others = Notification.objects.exclude(recipient=office).first()
    change = reverse("admin:notifications_notification_change", args=[others.pk])
    assert client.get(change).status_code == 302  # the admin's "does not exist" redirect
    assert others.title not in client.get(reverse("admin:notifications_notification_changelist")).content.decode()


def test_the_office_sees_no_units_draft_in_the_admin(client, rows):
    office = _staff_viewing_everything(rows.office)
    client.force_login(office)
    drafts = set(ProgressReport.objects.filter(status=ProgressReport.Status.DRAFT).values_list("pk", flat=True))
    assert drafts and not drafts & _changelist_pks(client, ProgressReport)


def test_a_superuser_sees_every_row(client, rows, admin_user):
    client.force_login(admin_user)
    for model in [*RULED, Delivery]:
        assert _changelist_pks(client, model) == set(model._default_manager.values_list("pk", flat=True)), model
