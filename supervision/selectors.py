"""Reads of notices and urges, scoped by who the user is."""

from django.db.models import Q

from accounts import roles
from campaigns.selectors import visible_campaigns_q

from .models import SupervisionNotice, Urge


def notices_visible_to(user):
    """Office staff and leaders see every notice of the campaigns they see; a unit sees its own."""
    notices = SupervisionNotice.objects.filter(visible_campaigns_q(user, prefix="campaign__"))
    if roles.is_office(user) or roles.is_leader(user):
        return notices
    return notices.filter(Q(unit_id__in=roles.member_unit_ids(user)))


def can_answer_notice(user, notice) -> bool:
    """A notice is answered once, by a liaison or head of the unit it was issued to."""
    return notice.status == SupervisionNotice.Status.OPEN and notice.unit_id in roles.member_unit_ids(user)


def urges_visible_to(user):
    """The one rule for urges (催办) and their notes, used by every page that lists them (the task
    timeline, and any later list): a note is addressed to the unit urged, so office staff and
    leaders see every urge (on tasks of campaigns they see), a unit's liaisons and heads only the
    urges of their own units, never another unit's on the same task; anyone else none."""
    campaigns = visible_campaigns_q(user, prefix="task__campaign__")
    # Q(…) | Q() is Q(…), not "everything": an empty rule (the office sees every campaign) stays empty.
    urges = Urge.objects.filter(Q(task__isnull=True) | campaigns) if campaigns else Urge.objects.all()
    if roles.is_office(user) or roles.is_leader(user):
        return urges
    return urges.filter(unit_id__in=roles.member_unit_ids(user))

