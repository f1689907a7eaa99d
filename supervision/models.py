from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class EscalationPolicy(models.Model):
    """How a campaign's overdue ladder climbs; a campaign without one uses the defaults."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="escalation_policy", verbose_name=_("campaign")
    )
    escalate_after_workdays = models.PositiveSmallIntegerField(
        _("escalate after (working days)"),
        default=2,
        help_text=_(
            "Still missing this many working days after the due moment: the leader and the office are told and a supervision notice is issued."
        ),
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
        return sorted(
            {int(x) for x in self.deadline_warning_workdays.replace("，", ",").split(",") if x.strip().isdigit()},
            reverse=True,
        )


class SupervisionNotice(models.Model):
    """A supervision notice (督办单) issued to a unit, to be answered by a date."""

    class Kind(models.TextChoices):
        OVERDUE_REPORTS = "overdue_reports", _("Reports overdue")
        TASK_OVERDUE = "task_overdue", _("Task past its deadline")
        RETURN_NOT_FIXED = "return_not_fixed", _("Returned report not fixed")

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting answer")
        ANSWERED = "answered", _("Answered")

    # What the notice is about, as a unique key: a re-run of the job finds it and issues no second one.
    key = models.CharField(max_length=200, unique=True, verbose_name=_("key"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="notices", verbose_name=_("campaign")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="notices", verbose_name=_("unit"))
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="notices", verbose_name=_("task")
    )
    # A period the campaign's new dates no longer have is removed when nothing was filed for it
    # (campaigns.services.ensure_reporting_periods): a notice issued about it stays, unlinked.
    period = models.ForeignKey(
        "campaigns.ReportingPeriod",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        verbose_name=_("period"),
    )
    body = models.TextField(_("content"))
    issued_at = models.DateTimeField(_("issued at"))
    answer_by = models.DateTimeField(_("answer by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # When the leaders and the office were told it went unanswered (notice_followup): the job
    # reads only notices not followed up yet, so a re-run finds nothing to do.
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        indexes = [
            models.Index(fields=["status", "answer_by"], name="notice_status_answer_by_idx"),
            # The notices list: the latest first, everyone's (office, leaders) or a unit's.
            models.Index(F("issued_at").desc(), F("id").desc(), name="notice_issued_idx"),
            models.Index(F("unit"), F("issued_at").desc(), F("id").desc(), name="notice_unit_issued_idx"),
            # notice_followup: open notices not followed up yet, by answer-by (few rows).
            models.Index(
                fields=["answer_by"],
                condition=Q(status="open", followed_up_at__isnull=True),
                name="notice_to_follow_up_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(answered_at__isnull=False), name="notice_answered_has_time"
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_kind_display()} · {self.issued_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("supervision:notice", args=[self.pk])


class Urge(models.Model):
    """The office urging a unit by hand (催办), on a task or in general; shown on the task timeline."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="urges", verbose_name=_("unit"))
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="urges", verbose_name=_("task")
    )
    note = models.TextField(_("note"), blank=True)
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("urged by")
    )
    urged_at = models.DateTimeField(_("urged at"))
    # One per rendered urge form: a double click or two parallel posts of the same form urge once
    # (the database refuses the second). Empty for urges made elsewhere (the shell, a job).
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False, verbose_name=_("token"))

    class Meta:
        ordering = ["-urged_at"]
        verbose_name = _("urge")
        verbose_name_plural = _("urges")

    def __str__(self):
        return f"{self.unit} · {self.urged_at:%Y-%m-%d %H:%M}"
