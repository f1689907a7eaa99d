from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# These models were made in the supervision app and keep its tables (moved by state-only
# migrations, so existing databases keep their rows). A notification may name the task and the
# unit it is about, by string reference: this app imports neither tasks nor campaigns.


class Notification(models.Model):
    """One message to one person, shown in their inbox and sent on their channels.

    `key` names the job, the subject, the level and the recipient: the database refuses a second
    notification with the same key, so a re-run, a retry or two beats at once send nothing twice.
    """

    key = models.CharField(max_length=200, unique=True, verbose_name=_("key"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("task")
    )
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        db_table = "supervision_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
            # The inbox: a recipient's notifications, latest first.
            models.Index(
                models.F("recipient"),
                models.F("created_at").desc(),
                models.F("id").desc(),
                name="notification_latest_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """Where it is opened: a POST there marks it read and follows its link (see notifications.views)."""
        return reverse("notifications:notification", args=[self.pk])


class ChannelPreference(models.Model):
    """Where a user wants notifications besides the in-app inbox."""

    class WebhookFormat(models.TextChoices):
        GENERIC = "generic", _("Generic JSON")
        DINGTALK = "dingtalk", _("DingTalk robot")
        WECOM = "wecom", _("WeCom robot")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference", verbose_name=_("user")
    )
    email = models.BooleanField(_("by email"), default=True)
    webhook_url = models.URLField(_("group-chat robot address"), blank=True)
    webhook_format = models.CharField(
        _("robot message format"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )

    class Meta:
        db_table = "supervision_channelpreference"
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")

    def __str__(self):
        return str(self.user)

    def clean(self):
        # Every way of saving an address (settings page, admin, service) refuses one the server
        # must not call; sending checks again (notifications.webhooks).
        from .webhooks import WebhookRefused, check_webhook_url

        if self.webhook_url:
            try:
                check_webhook_url(self.webhook_url)
            except WebhookRefused as error:
                raise ValidationError({"webhook_url": error.messages}) from None


class Delivery(models.Model):
    """The outbox: one notification on one channel, with its sending state and retries."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Group-chat robot")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # Set when a worker claims the delivery; a claim older than the lease is taken to be dead.
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-id"]
        db_table = "supervision_delivery"
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.notification} · {self.channel} · {self.status}"
