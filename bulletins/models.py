"""The bulletin (督查通报): the office's weekly (or monthly) paper on how a campaign stands.

Drafted from the ledger (bulletins.figures), edited by the office, then published with an issue
number (第N期) that counts the campaign's published bulletins. Once published it is a document
read by every unit: it is never changed again.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Bulletin(models.Model):
    """One issue of a campaign's bulletin over a range of reporting periods."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("campaign")
    )
    period_from = models.ForeignKey(
        "campaigns.ReportingPeriod", on_delete=models.PROTECT, related_name="+", verbose_name=_("from period")
    )
    period_to = models.ForeignKey(
        "campaigns.ReportingPeriod", on_delete=models.PROTECT, related_name="+", verbose_name=_("to period")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # 第N期: counted per campaign at publication (bulletins.services.bulletin_publish).
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    # The numbers as drafted (JSON, see bulletins.figures.compute): the texts quote them, and a
    # published bulletin keeps them whatever the ledger becomes.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    overview = models.TextField(_("overall situation"), blank=True)
    named_lists = models.TextField(_("units named"), blank=True)
    overdue_text = models.TextField(_("overdue tasks and coordination"), blank=True)
    requirements = models.TextField(_("work requirements"), blank=True)
    # The attachment table (工作台账) as published; empty for a draft, which reads the ledger live.
    attachment = models.JSONField(_("attachment"), default=list, blank=True)
    auto = models.BooleanField(_("drafted by the weekly job"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            # One 第N期 per campaign; drafts have no number yet.
            models.UniqueConstraint(
                fields=["campaign", "number"], condition=Q(number__isnull=False), name="bulletin_unique_number"
            ),
            # The Monday job drafts a range once, however often it runs (an office's own drafts may repeat).
            models.UniqueConstraint(
                fields=["campaign", "period_from", "period_to"], condition=Q(auto=True), name="bulletin_unique_auto"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True) | Q(status="published", number__isnull=False),
                name="bulletin_published_has_number",
            ),
        ]
        indexes = [
            # The list: a campaign's bulletins newest first (and the highest number at publication).
            models.Index(fields=["campaign", "-created_at"], name="bulletin_campaign_created_idx"),
        ]

    def __str__(self):
        if self.number:
            return _("%(title)s No. %(number)s") % {"title": self.title, "number": self.number}
        return self.title

    def get_absolute_url(self):
        return reverse("bulletins:detail", args=[self.pk])

    def clean(self):
        if self.period_from_id and self.period_to_id and self.period_from.start_date > self.period_to.start_date:
            raise ValidationError({"period_to": _("The range must not end before it starts.")})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    # The texts as paragraphs, one per non-empty line (each indented on the page, as in the .docx).
    @property
    def overview_paragraphs(self) -> list[str]:
        return paragraphs(self.overview)

    @property
    def named_lists_paragraphs(self) -> list[str]:
        return paragraphs(self.named_lists)

    @property
    def overdue_paragraphs(self) -> list[str]:
        return paragraphs(self.overdue_text)

    @property
    def requirements_paragraphs(self) -> list[str]:
        return paragraphs(self.requirements)


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
