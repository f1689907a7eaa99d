"""Assessment (考核): a campaign's rule table, versioned; each unit's points per period; recomputations.

A unit's score through a period P is its rule table's base score plus the points of every due
period up to P, with the caps applied to the total (not per period): the bonus lines summed are
capped at `max_bonus`, the deductions summed at `max_deduction`, and the result is kept between
`min_score` and `max_score`. The counts behind each period's points come from the reporting
ledger (tasks.ledger), the tasks and the weekly lights; assessment.services computes and stores
them, assessment.rules turns counts into lines.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

POINTS = {"max_digits": 8, "decimal_places": 2}
SCORE = {"max_digits": 10, "decimal_places": 2}


def points_field(label, default, **kwargs):
    return models.DecimalField(
        label, default=None if default is None else Decimal(default), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
        **POINTS, **kwargs,
    )  # fmt: skip


class RuleSet(models.Model):
    """A version of a campaign's assessment rule table (考核规则). A row is never edited: a change
    is version N+1, so every score can name the table it was computed by. A campaign without a
    row is scored by the defaults (RuleSet.DEFAULTS)."""

    class TieBreak(models.TextChoices):
        ON_TIME_RATE = "on_time_rate", _("Higher on-time rate first, then fewer missing reports")
        SHARED = "shared", _("Equal scores share a rank")

    class ExtensionRule(models.TextChoices):
        ORIGINAL = "original", _("Original deadline, unless the extension was approved before it")
        CURRENT = "current", _("Current deadline (every approved extension counts)")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="rule_sets", verbose_name=_("campaign")
    )
    version = models.PositiveIntegerField(_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    base_score = points_field(_("base score"), "100")
    on_time_points = points_field(_("points per report filed on time"), "0.5")
    late_deduction = points_field(_("deduction per late report"), "1")
    missing_deduction = points_field(_("deduction per missing report"), "2")
    returned_deduction = points_field(_("deduction per return of a report"), "0.5")
    overdue_task_deduction = points_field(_("deduction per task not closed by its deadline"), "3")
    yellow_deduction = points_field(_("deduction per yellow light-week of a task led"), "0.2")
    red_deduction = points_field(_("deduction per red light-week of a task led"), "0.5")
    closed_on_time_points = points_field(_("points per task closed by its deadline"), "2")
    lead_coefficient = models.DecimalField(
        _("lead unit coefficient"), default=Decimal("1.0"), max_digits=4, decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
    )  # fmt: skip
    support_coefficient = models.DecimalField(
        _("supporting unit coefficient"), default=Decimal("0.5"), max_digits=4, decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
    )  # fmt: skip
    max_bonus = points_field(_("most bonus points in total"), "20", null=True, blank=True)
    max_deduction = points_field(_("most deducted points in total"), None, null=True, blank=True)
    min_score = points_field(_("lowest score"), "0", null=True, blank=True)
    max_score = points_field(_("highest score"), None, null=True, blank=True)
    tie_break = models.CharField(_("ties"), max_length=20, choices=TieBreak.choices, default=TieBreak.ON_TIME_RATE)
    extension_rule = models.CharField(
        _("deadline of an extended task"), max_length=20, choices=ExtensionRule.choices, default=ExtensionRule.ORIGINAL
    )

    # The rule fields, in the form's order: what a version is made of (and compared by).
    FIELDS = (
        "base_score", "on_time_points", "late_deduction", "missing_deduction", "returned_deduction",
        "overdue_task_deduction", "yellow_deduction", "red_deduction", "closed_on_time_points", "lead_coefficient",
        "support_coefficient", "max_bonus", "max_deduction", "min_score", "max_score", "tie_break", "extension_rule",
    )  # fmt: skip
    # No row: these. No cap on deductions or on the score (min 0 is the floor).
    DEFAULTS = {
        "base_score": Decimal("100"), "on_time_points": Decimal("0.5"), "late_deduction": Decimal("1"),
        "missing_deduction": Decimal("2"), "returned_deduction": Decimal("0.5"), "overdue_task_deduction": Decimal("3"),
        "yellow_deduction": Decimal("0.2"), "red_deduction": Decimal("0.5"), "closed_on_time_points": Decimal("2"),
        "lead_coefficient": Decimal("1.0"), "support_coefficient": Decimal("0.5"), "max_bonus": Decimal("20"),
        "max_deduction": None, "min_score": Decimal("0"), "max_score": None,
        "tie_break": TieBreak.ON_TIME_RATE, "extension_rule": ExtensionRule.ORIGINAL,
    }  # fmt: skip

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("assessment rules")
        verbose_name_plural = _("assessment rules")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="ruleset_unique_version_per_campaign"),
            models.CheckConstraint(condition=Q(version__gte=1), name="ruleset_version_from_one"),
            models.CheckConstraint(
                condition=Q(min_score__isnull=True)
                | Q(max_score__isnull=True)
                | Q(min_score__lte=models.F("max_score")),
                name="ruleset_score_bounds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · v{self.version}"

    def values(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}


class UnitScore(models.Model):
    """A unit's points in one due period of a campaign, line by line (`lines`: codes and counts,
    put into words when shown, so the reader's language applies), and the ledger's counts behind
    them. Written only by assessment.services.scores_compute."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    period = models.ForeignKey(
        "campaigns.ReportingPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    # The rule table's version the points were computed by (0: the defaults, no table saved).
    rule_version = models.PositiveIntegerField(_("rules version"), default=0)
    points = models.DecimalField(_("points"), default=Decimal(0), **SCORE)  # bonus − deduction
    bonus = models.DecimalField(_("bonus"), default=Decimal(0), **SCORE)  # positive lines summed
    deduction = models.DecimalField(_("deduction"), default=Decimal(0), **SCORE)  # negative lines summed, ≥ 0
    # [{"code", "role", "count", "points_each", "coefficient", "total", "tasks"}], see assessment.rules.
    lines = models.JSONField(_("lines"), default=list, blank=True)
    # The ledger's counts in the period (every role): the ranking's rates and columns read them here.
    owed = models.PositiveIntegerField(default=0, verbose_name=_("owed"))
    on_time = models.PositiveIntegerField(default=0, verbose_name=_("on time"))
    late = models.PositiveIntegerField(default=0, verbose_name=_("late"))
    missing = models.PositiveIntegerField(default=0, verbose_name=_("missing"))
    returned = models.PositiveIntegerField(default=0, verbose_name=_("returned"))  # times returned
    # A fingerprint of the values above (assessment.services): a re-run compares it, not the rows.
    digest = models.CharField(max_length=32, blank=True, verbose_name=_("digest"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["campaign", "unit", "period"]
        verbose_name = _("unit score")
        verbose_name_plural = _("unit scores")
        constraints = [
            # Also the ranking's index (a campaign's rows, summed per unit): no second index to
            # write 30,000 rows into when a rule change recomputes a city campaign.
            models.UniqueConstraint(fields=["campaign", "unit", "period"], name="unitscore_unique_campaign_unit_period")
        ]

    def __str__(self):
        return f"{self.campaign_id} · {self.unit_id} · {self.period_id}: {self.points}"

    def get_absolute_url(self):
        return reverse("assessment:unit", args=[self.campaign.code, self.unit_id])


class Recomputation(models.Model):
    """A recomputation of a campaign's scores that changed them (a rule change, a decision revoked
    and recomputed by the job): who, when, by which rules, and every unit's total before and after."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    version_from = models.PositiveIntegerField(_("rules version before"), default=0)
    version_to = models.PositiveIntegerField(_("rules version after"), default=0)
    # {unit id (as text, JSON keys): total score through the last due period, as text}
    before = models.JSONField(_("totals before"), default=dict, blank=True)
    after = models.JSONField(_("totals after"), default=dict, blank=True)
    changed = models.PositiveIntegerField(_("units changed"), default=0)

    class Meta:
        ordering = ["campaign", "-at", "-pk"]
        verbose_name = _("recomputation")
        verbose_name_plural = _("recomputations")
        indexes = [
            # The rules page's log: a campaign's latest recomputations.
            models.Index(fields=["campaign", "-at"], name="recomputation_campaign_at_idx"),
        ]

    def __str__(self):
        return f"{self.campaign_id} · {self.at:%Y-%m-%d %H:%M}: {self.changed}"
