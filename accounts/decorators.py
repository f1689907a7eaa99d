from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import is_leader, is_office


def office_required(view):
    """Only supervision-office staff (and superusers) may use the view; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_office(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def office_or_leader_required(view):
    """Supervision-office staff and leaders (who see every campaign) may use the view; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (is_office(request.user) or is_leader(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
