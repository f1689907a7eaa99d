"""Writes of the supervision office and of units answering it: urging, notice answers, inbox."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from units.models import Membership, Unit

from . import selectors
from .models import ChannelPreference, Notification, SupervisionNotice, Urge
from .notifications import notify

# A second click on "urge" within this window is the same urge.
URGE_DEBOUNCE = datetime.timedelta(minutes=1)


@transaction.atomic
def urge(*, user, unit, task=None, note: str = "", token: uuid.UUID | None = None, now=None) -> tuple[Urge, int]:
    """The office urges a unit (催办): its liaisons and head are told at once; recorded on the
    task's timeline. Returns (urge, notifications sent).

    `token` comes from the rendered form: the same form posted twice, even by two requests at
    the same moment, makes one urge (the database refuses a second row with the token, and the
    notifications are keyed by the urge) and the second post sends nothing."""
    if not roles.is_office(user):
        raise PermissionDenied
    now = now or timezone.now()
    # Urges of one unit wait for each other, so that the debounce below sees an urge made at the
    # same moment from another form (another tab, its own token) instead of both sending.
    Unit.objects.select_for_update().filter(pk=unit.pk).exists()  # the lock is the point, not the answer
    recent = Urge.objects.filter(unit=unit, task=task, urged_by=user, urged_at__gte=now - URGE_DEBOUNCE)
    if token is not None:
        recent = Urge.objects.filter(Q(pk__in=recent.values("pk")) | Q(token=token))
    if found := recent.first():
        return found, 0
    try:
        with transaction.atomic():
            record = Urge.objects.create(unit=unit, task=task, note=note, urged_by=user, urged_at=now, token=token)
    except IntegrityError:
        # Another request with this form's token got there first (the database made this one
        # wait for it to commit): that urge is this one, already sent.
        found = Urge.objects.filter(token=token).first()
        if token is None or found is None:
            raise
        return found, 0
    link = reverse("tasks:detail", args=[task.campaign.code, task.number]) if task else reverse("tasks:workspace")
    sent = 0
    recipients = Membership.objects.filter(
        unit=unit, role__in=[Membership.Role.LIAISON, Membership.Role.HEAD], user__is_active=True
    ).select_related("user")
    for membership in recipients:
        sent += bool(
            notify(
                recipient=membership.user, key=f"urge:{record.pk}:u{membership.user_id}", kind="urge", unit=unit,
                task=task, link=link, now=now,
                title=_("Urged by the supervision office: %(subject)s") % {"subject": task or unit},
                body=note or _("Please report or act on this without delay."),
            )  # fmt: skip
        )
    return record, sent


@transaction.atomic
def notice_answer(*, user, notice_id: int, answer: str, now=None) -> SupervisionNotice:
    """A liaison or head of the unit answers a supervision notice, once."""
    notice = SupervisionNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or not selectors.can_answer_notice(user, notice):
        # Refused for one of two reasons, answered differently: not the unit's (403), or answered already.
        if notice is None or notice.unit_id not in roles.member_unit_ids(user):
            raise PermissionDenied
        raise ValidationError(_("This notice has already been answered."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    notice.status = SupervisionNotice.Status.ANSWERED
    notice.answer, notice.answered_by, notice.answered_at = answer.strip(), user, now or timezone.now()
    notice.save()
    return notice


def notification_mark_read(*, user, notification_id: int | None = None, now=None) -> int:
    """Mark one (or, without an id, all) of the user's notifications read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now or timezone.now())


def channel_preference_update(*, user, email: bool, webhook_url: str, webhook_format: str) -> ChannelPreference:
    preference, _created = ChannelPreference.objects.get_or_create(user=user)
    preference.email, preference.webhook_url, preference.webhook_format = email, webhook_url, webhook_format
    preference.full_clean()
    preference.save()
    return preference
