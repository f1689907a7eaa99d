"""View sugar over accounts.access: a page that only some may open refuses the others with 403."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from . import access


def can_required(action: str):
    """The view needs `access.can(user, action)`; others get 403."""
    if action not in access.ACTIONS:
        raise ValueError(f"unknown action {action!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not access.can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
