"""Reads of a user's own notifications (accounts.access: a notification is its recipient's alone)."""

from accounts import access

from .models import Notification


def inbox(user):
    # Latest first along notification_latest_idx; the inbox shows a notification's own
    # title, body and time, so nothing is joined.
    return access.visible_to(user, Notification).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return access.visible_to(user, Notification).filter(read_at__isnull=True).count()
