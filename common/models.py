from django.db import models
from django.utils.translation import gettext_lazy as _

# Both models were made in the supervision app and keep its tables (moved by state-only
# migrations, so existing databases keep their rows).


class CalendarOverride(models.Model):
    """A local exception to the national working-day calendar: a local holiday, or a working day
    the office declares (e.g. a make-up day not yet in the library)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        db_table = "supervision_calendaroverride"
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
        db_table = "supervision_calendarwarning"
        constraints = [models.UniqueConstraint(fields=["year", "day"], name="calendar_warning_once_a_day")]

    def __str__(self):
        return f"{self.year} @ {self.day}"
