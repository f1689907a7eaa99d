from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .numbering import sort_key


class Task(models.Model):
    """A numbered key task (重点工作) of a campaign, possibly a sub-item (5.2) of another."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Closed off")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="tasks", verbose_name=_("campaign")
    )
    section = models.ForeignKey(
        "campaigns.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("section"),
    )
    number = models.CharField(_("number"), max_length=20)
    # Natural order of numbers (see tasks.numbering.sort_key), kept in the row so lists sort in SQL.
    sort_key = models.CharField(max_length=80, editable=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_items",
        verbose_name=_("parent task"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("work content"), blank=True)
    phase = models.ForeignKey(
        "campaigns.Phase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("phase"),
    )
    leaders = models.ManyToManyField(
        "units.Leader", blank=True, related_name="tasks", verbose_name=_("responsible leaders")
    )
    units = models.ManyToManyField(
        "units.Unit", through="TaskAssignment", related_name="tasks", verbose_name=_("units")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["campaign", "sort_key"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="task_unique_number_per_campaign"),
            models.CheckConstraint(condition=~Q(number=""), name="task_number_not_empty"),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | Q(status="open", closed_at__isnull=True),
                name="task_closed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "sort_key"], name="task_campaign_sort_idx"),
            models.Index(fields=["status", "deadline"], name="task_status_deadline_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = sort_key(self.number)
        super().save(*args, **kwargs)

    @property
    def depth(self):
        return self.number.count(".")


class TaskAssignment(models.Model):
    """A unit's part in a task: lead unit (牵头单位, accountable) or supporting unit (配合单位)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        SUPPORT = "support", _("Supporting unit")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("task"))
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["task", "role", "sort_order"]
        verbose_name = _("task assignment")
        verbose_name_plural = _("task assignments")
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="assignment_unique_unit_per_task")]
        indexes = [models.Index(fields=["unit", "role"], name="assignment_unit_role_idx")]

    def __str__(self):
        return f"{self.task.number} · {self.unit} · {self.get_role_display()}"


class Milestone(models.Model):
    """A dated checkpoint inside a task (时间节点), e.g. '9月底前完成…'."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("task"))
    due_date = models.DateField(_("due date"))
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        ordering = ["task", "due_date"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return f"{self.due_date} {self.description}"


class ProgressReport(models.Model):
    """A unit's report on one task for one reporting period (进展报表)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("task"))
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit")
    )
    period = models.ForeignKey(
        "campaigns.ReportingPeriod", on_delete=models.CASCADE, related_name="reports", verbose_name=_("period")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    progress = models.TextField(_("progress this period"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    needs_coordination = models.BooleanField(_("needs coordination"), default=False)
    coordination_request = models.TextField(_("coordination needed"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Optimistic concurrency: a save names the version it read and fails if another got there first.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["task", "unit", "-period"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="report_unique_task_unit_period"),
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="report_percent_at_most_100"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="report_submitted_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="report_period_status_idx"),
            models.Index(fields=["unit", "period"], name="report_unit_period_idx"),
        ]

    def __str__(self):
        return f"{self.task.number} · {self.unit} · {self.period}"
