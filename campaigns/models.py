import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Paths under /campaigns/ that a campaign code must not take.
RESERVED_CODES = {"import", "new", "export"}


def validate_campaign_code(value):
    if value in RESERVED_CODES:
        raise ValidationError(_("“%(value)s” is reserved; choose another code."), params={"value": value})


class Campaign(models.Model):
    """A campaign (专项行动) launched by an official document, run by a supervision office."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Short identifier used in addresses and commands, e.g. efficiency-2026."),
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens.")),
            validate_campaign_code,
        ],
    )
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The office that runs the campaign; sheets name it as text, which need not be a unit.
    office_name = models.CharField(_("office"), max_length=200, blank=True)
    office_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("office unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="run_campaigns",
    )
    cadence = models.CharField(_("reporting cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    due_weekday = models.PositiveSmallIntegerField(_("due weekday"), choices=Weekday.choices, default=Weekday.FRIDAY)
    due_time = models.TimeField(_("due time"), default=datetime.time(18, 0))
    # A returned report is to be fixed and resubmitted within this many working days (by the due time).
    fix_within_workdays = models.PositiveSmallIntegerField(_("fix within (working days)"), default=2)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_dates_ordered"),
            models.CheckConstraint(condition=Q(due_weekday__lte=6), name="campaign_due_weekday_valid"),
        ]
        indexes = [models.Index(fields=["status", "-start_date"], name="campaign_status_start_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:detail", args=[self.code])


class Phase(models.Model):
    """A stage of a campaign with its own dates, e.g. 学习教育阶段 (Feb 9 – Feb 28)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "start_date"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="phase_unique_name_per_campaign"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="phase_dates_ordered"),
        ]

    def __str__(self):
        return self.name


class Section(models.Model):
    """A heading that groups a campaign's tasks, e.g. （一）强规范，推动政府系统全面依法履职尽责."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="sections", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "id"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["campaign", "title"], name="section_unique_title_per_campaign")]

    def __str__(self):
        return self.title


class ReportingPeriod(models.Model):
    """One reporting period of a campaign (a week by default), due at a fixed moment.

    Periods are derived from the campaign's cadence by campaigns.services, never typed in.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods", verbose_name=_("campaign"))
    number = models.PositiveIntegerField(_("number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    due_at = models.DateTimeField(_("due at"))
    # When the period opened in the reporting ledger (its obligations created); None until then.
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "number"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="period_unique_number_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "start_date"], name="period_unique_start_per_campaign"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="period_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="period_due_at_idx"),
            # What opens next: begun periods not yet opened (a page asks on every load).
            models.Index(fields=["start_date"], condition=Q(opened_at__isnull=True), name="period_to_open_idx"),
        ]

    def __str__(self):
        return _("Period %(number)s (%(start)s – %(end)s)") % {
            "number": self.number,
            "start": self.start_date,
            "end": self.end_date,
        }


class CampaignImport(models.Model):
    """An uploaded task breakdown sheet, kept between preview and confirmation.

    Confirming moves the status from previewed to applied with a compare-and-set, so a second
    click or a resubmitted form applies the sheet once.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        # Refused at a configured limit (size, compression, rows, columns, cell length).
        REFUSED = "refused", pgettext_lazy("import status", "Refused")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    code = models.SlugField(_("campaign code"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports", verbose_name=_("campaign")
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign import")
        verbose_name_plural = _("campaign imports")

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        """Its preview (what it will create and change, or its problems), where it is confirmed."""
        return reverse("campaigns:import-preview", args=[self.pk])
