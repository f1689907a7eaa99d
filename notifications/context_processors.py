from . import selectors


def inbox(request):
    """The unread count for the header (one query per page, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.unread_count(user)}
