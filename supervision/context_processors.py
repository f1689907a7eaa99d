from django.utils import timezone

from accounts import roles

from . import selectors


def inbox(request):
    """The unread count for the header (one query per page, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.unread_count(user)}


def _today():
    return timezone.localdate()


def calendar_notice(request):
    """For the office: the year whose official calendar is unknown and still to be entered."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not roles.is_office(user):
        return {}
    return {"calendar_year_to_enter": selectors.calendar_year_to_enter(_today())}
