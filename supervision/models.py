from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A local exception to the national working-day calendar: a local holiday, or a working day
    the office declares (e.g. a make-up day not yet in the library)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date} {self.note}"


class CalendarWarning(models.Model):
    """A day on which the app logged that the official calendar of a year is unknown: the log
    says so once a day, not once per call or per job run."""

    year = models.PositiveSmallIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "day"], name="calendar_warning_once_a_day")]

    def __str__(self):
        return f"{self.year} @ {self.day}"


class EscalationPolicy(models.Model):
    """How a campaign's overdue ladder climbs; a campaign without one uses the defaults."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="escalation_policy", verbose_name=_("campaign")
    )
    escalate_after_workdays = models.PositiveSmallIntegerField(
        _("escalate after (working days)"),
        default=2,
        help_text=_("Still missing this many working days after the due moment: the leader and the office are told and a supervision notice is issued."),
    )
    answer_within_workdays = models.PositiveSmallIntegerField(_("notice answer time (working days)"), default=3)
    deadline_warning_workdays = models.CharField(
        _("deadline warnings (working days before)"), max_length=50, default="5,1"
    )

    class Meta:
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self):
        return str(self.campaign)

    @property
    def warning_days(self) -> list[int]:
        return sorted({int(x) for x in self.deadline_warning_workdays.replace("，", ",").split(",") if x.strip().isdigit()}, reverse=True)


class SupervisionNotice(models.Model):
    """A supervision notice (督办单) issued to a unit, to be answered by a date."""

    class Kind(models.TextChoices):
        OVERDUE_REPORTS = "overdue_reports", _("Reports overdue")
        TASK_OVERDUE = "task_overdue", _("Task past its deadline")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting answer")
        ANSWERED = "answered", _("Answered")

    # What the notice is about, as a unique key: a re-run of the job finds it and issues no second one.
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="notices")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="notices", verbose_name=_("unit"))
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    period = models.ForeignKey(
        "campaigns.ReportingPeriod", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    body = models.TextField(_("content"))
    issued_at = models.DateTimeField(_("issued at"))
    answer_by = models.DateTimeField(_("answer by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        indexes = [models.Index(fields=["status", "answer_by"], name="notice_status_answer_by_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(answered_at__isnull=False), name="notice_answered_has_time"
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()} · {self.issued_at:%Y-%m-%d}"


class Urge(models.Model):
    """The office urging a unit by hand (催办), on a task or in general; shown on the task timeline."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="urges", verbose_name=_("unit"))
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="urges")
    note = models.TextField(_("note"), blank=True)
    urged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    urged_at = models.DateTimeField(_("urged at"))
    # One per rendered urge form: a double click or two parallel posts of the same form urge once
    # (the database refuses the second). Empty for urges made elsewhere (the shell, a job).
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-urged_at"]
        verbose_name = _("urge")
        verbose_name_plural = _("urges")

    def __str__(self):
        return f"{self.unit} · {self.urged_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One message to one person, shown in their inbox and sent on their channels.

    `key` names the job, the subject, the level and the recipient: the database refuses a second
    notification with the same key, so a re-run, a retry or two beats at once send nothing twice.
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    task = models.ForeignKey("tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self):
        return self.title


class ChannelPreference(models.Model):
    """Where a user wants notifications besides the in-app inbox."""

    class WebhookFormat(models.TextChoices):
        GENERIC = "generic", _("Generic JSON")
        DINGTALK = "dingtalk", _("DingTalk robot")
        WECOM = "wecom", _("WeCom robot")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preference")
    email = models.BooleanField(_("by email"), default=True)
    webhook_url = models.URLField(_("group-chat robot address"), blank=True)
    webhook_format = models.CharField(
        _("robot message format"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")

    def __str__(self):
        return str(self.user)

    def clean(self):
        # Every way of saving an address (settings page, admin, service) refuses one the server
        # must not call; sending checks again (supervision.webhooks).
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

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # Set when a worker claims the delivery; a claim older than the lease is taken to be dead.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.notification} · {self.channel} · {self.status}"
