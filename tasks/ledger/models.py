"""The reporting ledger's tables: what each unit owes, and from when until when it is on a task.

An `Obligation` is one report a unit owes: a task, a unit, a period. It exists from the moment
the period opens (tasks.ledger.sync.open_periods) for every unit then on the task, so a missing
report is a row in state "owed", not an absence. The unit's report (ProgressReport) is a
separate row, its own document with its own workflow and history; the obligation is the
office's ledger of it: its state and the timeliness of the first submission and of the fix.
`AssignmentTerm` records the periods in which a unit is on a task, so that a unit added halfway
owes nothing earlier and a unit removed keeps what it owed before.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AssignmentTerm(models.Model):
    """A unit's time on a task: from a period (the one current when it was put on the task; the
    campaign's first for the first import) until it was taken off (`ended_at`). Written only by
    tasks.assignments, with the assignment; never deleted by a removal."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="terms", verbose_name=_("task"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=10)
    first_period_number = models.PositiveIntegerField(_("owes from period"))
    started_at = models.DateTimeField(_("put on the task at"))
    ended_at = models.DateTimeField(_("taken off the task at"), null=True, blank=True)

    class Meta:
        ordering = ["task", "unit", "started_at"]
        verbose_name = _("assignment term")
        verbose_name_plural = _("assignment terms")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"], condition=Q(ended_at__isnull=True), name="term_one_open_per_task_unit"
            )
        ]

    def __str__(self):
        return f"{self.task_id} · {self.unit_id} · {self.first_period_number}–"


class Obligation(models.Model):
    """One report a unit owes on a task for a period, and where it stands (see tasks.ledger.states)."""

    class State(models.TextChoices):
        OWED = "owed", _("Owed")  # nothing filed: not yet due, or missing once due
        DRAFT = "draft", _("Draft")  # a first draft, not submitted
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned, awaiting a fix")  # the fix's drafts included
        RESUBMITTED = "resubmitted", _("Resubmitted")
        ACCEPTED = "accepted", _("Accepted")

    # The task's campaign, kept in the row: every total is per campaign.
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="obligations", verbose_name=_("task"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="obligations", verbose_name=_("unit"))
    period = models.ForeignKey(
        "campaigns.ReportingPeriod", on_delete=models.CASCADE, related_name="obligations",
        verbose_name=_("reporting period"),
    )  # fmt: skip
    # The period's number, kept in the row: which of a unit's reports on a task came later is then
    # one index range (task, unit, number) rather than a join to every period (open coordination
    # requests: "no later filed report"). A period keeps its number for good
    # (campaigns.services.ensure_reporting_periods matches periods by number).
    period_number = models.PositiveIntegerField(_("period number"))
    role = models.CharField(_("role"), max_length=10, blank=True)
    report = models.OneToOneField(
        "tasks.ProgressReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="obligation",
        verbose_name=_("progress report"),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OWED)
    # The first submission and whether it came after the period's due moment (kept for good).
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    first_late = models.BooleanField(_("first submission late"), null=True, blank=True)
    # The last return, the fix's deadline, the fix and whether it came after that deadline.
    returns = models.PositiveSmallIntegerField(_("times returned"), default=0)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    fix_due_at = models.DateTimeField(_("fix due at"), null=True, blank=True)
    fix_submitted_at = models.DateTimeField(_("fix submitted at"), null=True, blank=True)
    fix_late = models.BooleanField(_("fix late"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Whether its report is an open coordination request (tasks.ledger.coordination): derived,
    # stored because every dashboard reads it and deriving it scans every request ever made.
    # A database default too: seed_scale and other bulk writers COPY rows without naming it.
    coordination_open = models.BooleanField(
        _("open coordination request"), default=False, db_default=False, editable=False
    )

    class Meta:
        ordering = ["period", "task", "unit"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="obligation_unique_task_unit_period"),
            models.CheckConstraint(
                condition=Q(state__in=["owed", "draft"]) | Q(first_submitted_at__isnull=False),
                name="obligation_filed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | Q(fix_due_at__isnull=False), name="obligation_returned_has_fix_due"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "period", "state"], name="obligation_campaign_period_idx"),
            models.Index(fields=["unit", "period"], name="obligation_unit_period_idx"),
            models.Index(fields=["period", "state"], name="obligation_period_state_idx"),
            models.Index(fields=["state", "fix_due_at"], name="obligation_state_fix_due_idx"),
            # What awaits review, per campaign and period (the review home, the queue's periods):
            # few rows of many, so a partial index.
            models.Index(
                fields=["campaign", "period"],
                condition=Q(state__in=["submitted", "resubmitted"]),
                name="obligation_awaiting_review_idx",
            ),
            # A unit's filed reports on a task in period order: whether a later one exists
            # (tasks.ledger.read_tasks.later_filed_exists, behind open coordination requests).
            models.Index(
                fields=["task", "unit", "period_number"],
                condition=Q(state__in=["submitted", "returned", "resubmitted", "accepted"]),
                name="obligation_filed_order_idx",
            ),
            # The open coordination requests, per campaign and task: a few hundred rows of a million.
            models.Index(
                fields=["campaign", "task"], condition=Q(coordination_open=True), name="obligation_coordination_idx"
            ),
            # A unit's reports returned for a fix, earliest fix deadline first (its workspace).
            models.Index(
                fields=["unit", "fix_due_at"], condition=Q(state="returned"), name="obligation_unit_returned_idx"
            ),
            # A campaign's fixes overdue (tasks.ledger.read_summary: fix_due_at <= now, by campaign).
            models.Index(
                fields=["campaign", "fix_due_at"],
                condition=Q(state="returned"),
                name="obligation_camp_returned_idx",
            ),
        ]

    def __str__(self):
        return f"{self.task_id} · {self.unit_id} · {self.period_id}: {self.state}"


class SummaryCounts(models.Model):
    """The counts a summary row holds of the obligations it sums (tasks.ledger.summary)."""

    owed = models.PositiveIntegerField(default=0)  # every obligation
    unfiled = models.PositiveIntegerField(default=0)  # owed or a draft: missing once the period is due
    on_time = models.PositiveIntegerField(default=0)  # first submission by the due moment
    late = models.PositiveIntegerField(default=0)  # first submission after it
    returned = models.PositiveIntegerField(default=0)  # returned now, awaiting a fix
    resubmitted = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    awaiting_review = models.PositiveIntegerField(default=0)  # submitted or resubmitted
    returns = models.PositiveIntegerField(default=0)  # times returned, all obligations together
    fix_late = models.PositiveIntegerField(default=0)  # fixes resubmitted after their deadline
    stale = models.PositiveIntegerField(default=0)  # filed reports flagged 内容雷同

    COUNTS = (
        "owed", "unfiled", "on_time", "late", "returned", "resubmitted", "accepted", "awaiting_review", "returns",
        "fix_late", "stale",
    )  # fmt: skip

    class Meta:
        abstract = True


class PeriodUnitSummary(SummaryCounts):
    """How a unit stands in one period, per role: the counts of its obligations there (one row per
    period × unit × role with at least one obligation). It is the ledger summed, kept by every
    writer of the ledger in the same transaction (tasks.ledger.summary), so that the dashboards
    read hundreds of rows instead of counting a million obligations. `ledger_check` recomputes it
    from the obligations and compares."""

    # No single-column indexes on the keys: the composite ones below lead with each of them.
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    # A period deleted takes its obligations with it (a database cascade): its rows go the same way.
    period = models.ForeignKey("campaigns.ReportingPeriod", on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    role = models.CharField(_("role"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("period summary of a unit")
        verbose_name_plural = _("period summaries of units")
        constraints = [
            # The key every writer updates by (a submission's delta, a recompute's upsert).
            models.UniqueConstraint(fields=["period", "unit", "role"], name="summary_unique_period_unit_role"),
        ]
        indexes = [
            # A campaign's rows, by period: rates_by_campaign, rates_by_week, rates_by_unit of campaigns.
            models.Index(fields=["campaign", "period"], name="summary_campaign_period_idx"),
            # One unit's rows in a campaign: rates_by_unit(unit_ids=…) for the unit's home page.
            models.Index(fields=["unit", "campaign"], name="summary_unit_campaign_idx"),
        ]

    def __str__(self):
        return f"{self.period_id} · {self.unit_id} · {self.role}: {self.owed}"


class PeriodSummary(SummaryCounts):
    """The summary per period × unit added up over every unit and role of the period: one row a
    period, what a campaign's weekly trend reads (tasks.ledger.read_summary.rates_by_week) instead
    of a few hundred rows a week. Kept by the same writers in the same transactions
    (tasks.ledger.summary), and checked by `ledger_check` against the rows it adds up."""

    period = models.OneToOneField(
        "campaigns.ReportingPeriod", on_delete=models.CASCADE, primary_key=True, related_name="+",
        verbose_name=_("reporting period"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("period summary")
        verbose_name_plural = _("period summaries")

    def __str__(self):
        return f"{self.period_id}: {self.owed}"
