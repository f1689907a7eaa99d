"""Reads of a user's own notifications."""

from .models import Notification


def inbox(user):
    return Notification.objects.filter(recipient=user).select_related("task__campaign", "unit")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
