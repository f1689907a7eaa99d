from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportFile(models.Model):
    """A large export written by a background job into a stored file, downloaded from the inbox.

    It is its requester's alone (accounts.access), built with the requester's visibility at build
    time, and deleted from storage once it expires (the row stays, status expired, so its link
    answers "expired" rather than "not found").
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired (deleted)")

    PENDING = (Status.QUEUED, Status.RUNNING)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_files", verbose_name=_("requested by")
    )
    kind = models.CharField(_("export kind"), max_length=30)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="export_files", verbose_name=_("campaign")
    )
    # Filters.as_ids(): the job rebuilds the filters from ids (tasks take ids, not objects).
    filters = models.JSONField(_("filter ids"), default=dict)
    # A digest of kind + filters: the same request while one is pending is the same file.
    filters_key = models.CharField(max_length=64, verbose_name=_("filters key"))
    description = models.CharField(_("export filters"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows written"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    error = models.TextField(_("failure reason"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("job started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("job finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        constraints = [
            # A double click, a retry or two tabs: one pending job per user and request.
            models.UniqueConstraint(
                fields=["requested_by", "kind", "filters_key"],
                condition=Q(status__in=["queued", "running"]),
                name="exportfile_one_pending_per_request",
            ),
            # A ready file can be downloaded until it expires: it must say when.
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(expires_at__isnull=False), name="exportfile_ready_expires"
            ),
        ]
        indexes = [
            # The cleanup job: ready files past their expiry, and stale queued/running ones.
            models.Index(fields=["status", "expires_at"], name="exportfile_cleanup_idx"),
            # "My exports" on the export page: a requester's latest files.
            models.Index(models.F("requested_by"), models.F("created_at").desc(), name="exportfile_mine_idx"),
        ]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("exports:download", args=[self.pk])

    def is_expired(self, now=None) -> bool:
        if self.status == self.Status.EXPIRED:
            return True
        return self.status == self.Status.READY and self.expires_at <= (now or timezone.now())


class ExportRecord(models.Model):
    """One export, for the office's audit log: who exported what, when, and how many rows.

    Written for every export, from the browser (at once or by a background job) and from the
    shell (`manage.py export`, where `user` is empty when it ran as the office).
    """

    class Mode(models.TextChoices):
        SYNC = "sync", _("Downloaded at once")
        ASYNC = "async", _("Background job")
        COMMAND = "command", _("Command line")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="export_records",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("export kind"), max_length=30)
    # Kept when the campaign is deleted: the audit trail outlives what it names.
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="export_records",
        verbose_name=_("campaign"),
    )
    filters = models.JSONField(_("filter ids"), default=dict)
    description = models.CharField(_("export filters"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    mode = models.CharField(_("export mode"), max_length=10, choices=Mode.choices)
    created_at = models.DateTimeField(_("exported at"), default=timezone.now)
    file = models.ForeignKey(
        ExportFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="records", verbose_name=_("file")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        indexes = [
            # The audit log, latest first, paged.
            models.Index(models.F("created_at").desc(), models.F("id").desc(), name="exportrecord_latest_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
