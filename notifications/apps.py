from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The inbox, people's channels and the outbox that sends by email and group-chat robot.
    Below everything that notifies: it imports only common, units and accounts."""

    name = "notifications"
    verbose_name = _("Notifications")
