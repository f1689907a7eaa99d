"""A lead unit's requests on a task, which the supervision office decides: to close it off
(申请办结, CompletionRequest) and to move its deadline (延期申请, ExtensionRequest). Models of the
tasks app (tasks.models imports them); the rules are tasks.services'."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class LeadUnitRequest(models.Model):
    """What completion and extension requests share: a lead unit asks, the office decides."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True, max_length=1000)

    class Meta:
        abstract = True


class CompletionRequest(LeadUnitRequest):
    """A lead unit's application to close a task off (申请办结); the office approves (销号) or rejects."""

    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="completion_requests", verbose_name=_("task")
    )
    summary = models.TextField(_("completion summary"), max_length=2000)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("completion request")
        verbose_name_plural = _("completion requests")
        constraints = [
            # One open application per task: a double click or a second tab cannot file two.
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="completion_one_pending_per_task"
            ),
        ]

    def __str__(self):
        return f"{self.task.number} · {self.get_status_display()}"


class ExtensionRequest(LeadUnitRequest):
    """A lead unit's application to move a task's deadline (延期申请)."""

    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("task")
    )
    current_deadline = models.DateField(_("current deadline"))
    requested_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"), max_length=1000)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="extension_one_pending_per_task"
            ),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=F("current_deadline")), name="extension_moves_deadline_later"
            ),
        ]

    def __str__(self):
        return f"{self.task.number} · {self.requested_deadline} · {self.get_status_display()}"
