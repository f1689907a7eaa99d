"""Traffic lights (红黄绿灯): each task's colour by its campaign's rules, why, and since when.

A light is derived data: lights.services.refresh computes it from the task and the reporting
ledger and stores it (TaskLight), so lists and dashboards of thousands of tasks filter and count
by colour in SQL. Each week's light is kept too (TaskLightWeek), so a task's history shows when
it turned red and when it recovered. Reasons are stored as codes with parameters and put into
words in the reader's language when shown (lights.explain).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Light(models.TextChoices):
    RED = "red", pgettext_lazy("light", "Red")
    YELLOW = "yellow", pgettext_lazy("light", "Yellow")
    GREEN = "green", pgettext_lazy("light", "Green")
    CLOSED = "closed", pgettext_lazy("light", "Closed")


# Worst first: lists sort by it, a task's light is its worst reason's.
SEVERITY = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.CLOSED: 3}


class LightRule(models.Model):
    """A campaign's thresholds, tuned by the office (the defaults apply to a campaign without one)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="light_rule", verbose_name=_("campaign")
    )
    red_missing_periods = models.PositiveSmallIntegerField(
        _("red: reports missing in a row"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Red when a unit's report is missing for this many due periods in a row."),
    )
    yellow_within_workdays = models.PositiveSmallIntegerField(
        _("yellow: deadline within (working days)"),
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text=_("Yellow when the deadline is this many working days away or fewer."),
    )
    yellow_behind_points = models.PositiveSmallIntegerField(
        _("yellow: behind time by more than (points)"),
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Yellow when the lead units' progress lags the time elapsed by more than this many points."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    DEFAULTS = {"red_missing_periods": 2, "yellow_within_workdays": 5, "yellow_behind_points": 20}

    class Meta:
        verbose_name = _("light rule")
        verbose_name_plural = _("light rules")
        constraints = [
            models.CheckConstraint(condition=Q(red_missing_periods__gte=1), name="lightrule_missing_at_least_one"),
            models.CheckConstraint(condition=Q(yellow_behind_points__lte=100), name="lightrule_points_at_most_100"),
        ]

    def __str__(self):
        return str(self.campaign)


class TaskLight(models.Model):
    """A task's light now, with its reasons (worst first) and since when it has had this colour."""

    # Not related_name "light": lights.selectors.with_light annotates tasks with `light` (closed off
    # wins over the stored row), and an annotation may not share a name with a relation.
    task = models.OneToOneField(
        "tasks.Task", primary_key=True, on_delete=models.CASCADE, related_name="stored_light", verbose_name=_("task")
    )
    # The task's campaign, kept in the row: dashboards count lights per campaign.
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    light = models.CharField(_("light"), max_length=10, choices=Light.choices)
    # [{"code": ..., "light": ..., "params": {...}}, ...], worst first (lights.rules.Reason).
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    since = models.DateTimeField(_("since"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("task light")
        verbose_name_plural = _("task lights")
        indexes = [
            # Counting and listing a campaign's tasks by colour (the dashboards' cards and lists).
            models.Index(fields=["campaign", "light"], name="tasklight_campaign_light_idx"),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.light}"


class TaskLightWeek(models.Model):
    """A task's light in a reporting period (the campaign's current one when it was computed):
    the last computation of that week stands for it."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="light_weeks")
    period = models.ForeignKey("campaigns.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    light = models.CharField(_("light"), max_length=10, choices=Light.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        ordering = ["task", "period"]
        verbose_name = _("weekly light")
        verbose_name_plural = _("weekly lights")
        constraints = [models.UniqueConstraint(fields=["task", "period"], name="tasklightweek_unique_task_period")]
        indexes = [
            # The weekly trend of a campaign's lights (lights.selectors.weekly_counts).
            models.Index(fields=["campaign", "period", "light"], name="tasklightweek_trend_idx"),
        ]

    def __str__(self):
        return f"{self.task_id} · {self.period_id}: {self.light}"


class PeriodLights(models.Model):
    """How many tasks of the period's campaign had each light in that period: its TaskLightWeek
    rows counted, a row a period, which is what the weekly trends read (lights.selectors
    .weekly_counts) instead of a row per task and week. Recounted by the writers of the weeks
    (lights.weeks.recount) after they write them, in their transaction."""

    period = models.OneToOneField(
        "campaigns.ReportingPeriod", on_delete=models.CASCADE, primary_key=True, related_name="+",
        verbose_name=_("reporting period"),
    )  # fmt: skip
    red = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lights of a period")
        verbose_name_plural = _("lights of periods")

    def __str__(self):
        return f"{self.period_id}: {self.red}/{self.yellow}/{self.green}/{self.closed}"


class Attention(models.Model):
    """The office's mark on a task "for leader attention" (需领导关注): it starts the task at yellow."""

    task = models.OneToOneField(
        "tasks.Task", on_delete=models.CASCADE, related_name="attention", verbose_name=_("task")
    )
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(_("marked at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leader attention mark")
        verbose_name_plural = _("leader attention marks")

    def __str__(self):
        return str(self.task_id)
