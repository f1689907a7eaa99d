from django.utils import timezone

from accounts import access
from common.workdays import calendar_year_to_enter


def _today():
    return timezone.localdate()


def calendar_notice(request):
    """For the office: the year whose official calendar is unknown and still to be entered.
    (The calendar is common's; who is told is a question of access, so this stays above accounts.)"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not access.can(user, "manage"):
        return {}
    return {"calendar_year_to_enter": calendar_year_to_enter(_today())}
