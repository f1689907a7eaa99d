"""Reads of a user's own notifications (accounts.access: a notification is its recipient's alone)."""

from accounts import access

from .models import Notification


def inbox(user):
    return access.visible_to(user, Notification).select_related("task__campaign", "unit")


def unread_count(user) -> int:
    return access.visible_to(user, Notification).filter(read_at__isnull=True).count()
