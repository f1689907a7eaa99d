"""Writes of the supervision office and of units answering it: urging, notice answers."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from notifications.services import notify
from units.models import Membership, Unit

from .models import SupervisionNotice, Urge

# A second click on "urge" within this window is the same urge.
URGE_DEBOUNCE = datetime.timedelta(minutes=1)


@transaction.atomic
def urge(*, user, unit, task=None, note: str = "", token: uuid.UUID | None = None, now=None) -> tuple[Urge, int]:
    """The office urges a unit (催办): its liaisons and head are told at once; recorded on the
    task's timeline. Returns (urge, notifications sent).

    `token` comes from the rendered form: the same form posted twice, even by two requests at
    the same moment, makes one urge (the database refuses a second row with the token, and the
    notifications are keyed by the urge) and the second post sends nothing."""
    if not access.can(user, "urge"):
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
    link = task.get_absolute_url() if task else reverse("tasks:workspace")
    sent = 0
    recipients = Membership.objects.filter(
        unit=unit, role__in=[Membership.Role.LIAISON, Membership.Role.HEAD], user__is_active=True
    ).select_related("user")
    for membership in recipients:
        sent += bool(
            notify(
                recipient=membership.user,
                key=f"urge:{record.pk}:u{membership.user_id}",
                kind="urge",
                unit=unit,
                task=task,
                link=link,
                now=now,
                title=_("Urged by the supervision office: %(subject)s") % {"subject": task or unit},
                body=note or _("Please report or act on this without delay."),
            )  # fmt: skip
        )
    return record, sent


@transaction.atomic
def notice_answer(*, user, notice_id: int, answer: str, now=None) -> SupervisionNotice:
    """A liaison or head of the unit answers a supervision notice, once."""
    notice = SupervisionNotice.objects.select_for_update().filter(pk=notice_id).first()
    # Refused for one of two reasons, answered differently: not the unit's (403), or answered already.
    if notice is None or not access.can(user, "answer", notice):
        raise PermissionDenied
    if notice.status != SupervisionNotice.Status.OPEN:
        raise ValidationError(_("This notice has already been answered."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    notice.status = SupervisionNotice.Status.ANSWERED
    notice.answer, notice.answered_by, notice.answered_at = answer.strip(), user, now or timezone.now()
    notice.save()
    return notice
