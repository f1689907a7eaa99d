from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from .numbering import sort_key


class Task(models.Model):
    """A numbered key task (重点工作) of a campaign, possibly a sub-item (5.2) of another."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Closed off")

    class Category(models.TextChoices):
        """Classes of major projects (重大项目)."""

        CONTINUING = "continuing", _("Continuing construction")
        NEW = "new", _("Newly started")
        PRELIMINARY = "preliminary", _("Preliminary work")
        INVESTMENT = "investment", _("Investment attraction")

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
    sort_key = models.CharField(max_length=80, editable=False, verbose_name=_("sort key"))
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
    # The deadline before the first approved extension; the current one is `deadline`.
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    category = models.CharField(_("class"), max_length=20, choices=Category.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["sort_key", "created_at", "updated_at"],
        verbose_name=_("task change"),
        verbose_name_plural=_("task changes"),
    )

    class Meta:
        ordering = ["campaign", "sort_key"]
        permissions = [
            ("report_task", _("Can report progress on the task")),
            ("lead_task", _("Can act as lead unit of the task")),
        ]
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
            models.Index(fields=["category"], name="task_category_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = sort_key(self.number)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The campaign's code is in the URL: lists of tasks select_related("campaign") (or come
        # from campaign.tasks, which knows it), else each link costs a query.
        return reverse("tasks:detail", args=[self.campaign.code, self.number])

    def extension_open(self, today) -> bool:
        """Whether an extension may be asked for (延期申请): it has a deadline, not yet passed."""
        return self.deadline is not None and today <= self.deadline

    @property
    def depth(self):
        return self.number.count(".")


class TaskAssignment(models.Model):
    """A unit's part in a task: lead unit (牵头单位, accountable) or supporting unit (配合单位)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        SUPPORT = "support", _("Supporting unit")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("task"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords(verbose_name=_("assignment change"), verbose_name_plural=_("assignment changes"))

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
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit"))
    period = models.ForeignKey(
        "campaigns.ReportingPeriod", on_delete=models.CASCADE, related_name="reports", verbose_name=_("period")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Text limits (characters): a weekly report is read on one screen, not a document pasted in
    # (112,000 characters were once accepted). TextField does not enforce max_length itself: the
    # forms read it for the maxlength attribute and counter, and services.report_save checks it.
    progress = models.TextField(_("progress this period"), blank=True, max_length=2000)
    problems = models.TextField(_("problems"), blank=True, max_length=1000)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=1000)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    needs_coordination = models.BooleanField(_("needs coordination"), default=False)
    coordination_request = models.TextField(_("coordination needed"), blank=True, max_length=1000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Submitted after the period's due moment; by how much is submitted_at − period.due_at.
    is_late = models.BooleanField(_("late"), default=False)
    # 内容雷同: on submission its text was the same, or nearly, as the unit's previous filed report
    # on the task (tasks.similarity); `similarity` is how alike, in percent (None: nothing to compare).
    # A database default too: bulk loads (seed_scale's COPY) write reports without naming it.
    stale = models.BooleanField(_("same as the previous report"), default=False, db_default=False)
    similarity = models.PositiveSmallIntegerField(_("similarity to the previous report (%)"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True, max_length=1000)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    # Optimistic concurrency: a save names the version it read and fails if another got there first.
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at", "version"],
        verbose_name=_("report change"),
        verbose_name_plural=_("report changes"),
    )

    # What a unit writes in its report, declared once: the form's fields, what
    # tasks.services.report_save takes and stores, the report page's initial values, the
    # timeline's list of changes (tasks.selectors.timeline) and, later, exports read it from here.
    # Adding a field to the model and to this tuple is all it takes (plus its place in the
    # report form's template).
    CONTENT_FIELDS = (
        "progress", "problems", "next_steps", "percent_complete", "needs_coordination", "coordination_request",
    )  # fmt: skip
    # What a new report starts from, copied from the unit's previous report: all but the period's progress.
    CARRIED_OVER_FIELDS = tuple(name for name in CONTENT_FIELDS if name != "progress")

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
            # A task's reports by the time they were filed: what was filed on a leader's tasks since
            # their last visit (dashboards.selectors.leader) reads a range per task, not every report.
            # (Open coordination requests are kept on the ledger: tasks.ledger.coordination.)
            models.Index(fields=["task", "submitted_at"], name="report_task_submitted_idx"),
        ]

    def __str__(self):
        return f"{self.task.number} · {self.unit} · {self.period}"

    def get_absolute_url(self):
        return self.page_url(self.task, self.unit_id, self.period.number)

    @staticmethod
    def page_url(task: Task, unit_id: int, period_number: int) -> str:
        """The page of a unit's report on a task for a period, whether the report exists yet or not
        (the page of a missing one is where it is filed)."""
        return reverse("tasks:report", args=[task.campaign.code, task.number, unit_id, period_number])

    @property
    def late_by(self):
        """How long after the due moment the report came in (a timedelta), or None."""
        if self.is_late and self.submitted_at:
            return self.submitted_at - self.period.due_at
        return None

    @property
    def is_editable_state(self):
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class TaskUserObjectPermission(UserObjectPermissionBase):
    """django-guardian object permission on a task for one user (direct foreign key: fast)."""

    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)


class TaskGroupObjectPermission(GroupObjectPermissionBase):
    """django-guardian object permission on a task for a unit's group (direct foreign key)."""

    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)


def evidence_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never used as a path.
    import uuid

    return f"evidence/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class CurrentAttachmentManager(models.Manager):
    """Attachments not removed by their unit. The default manager, so that every page, prefetch,
    download and quota (report.attachments, access.visible_to) leaves removed ones out."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Attachment(models.Model):
    """Evidence attached to a progress report or a completion request (photos, scans, documents).

    Files live in private storage and are served only through a view that checks permissions.
    A unit may remove evidence from its report while it is a draft or returned: the row stays,
    with who removed it and when (`Attachment.all_objects` reads it), so the history keeps it.
    """

    report = models.ForeignKey(
        ProgressReport,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("report"),
    )
    completion_request = models.ForeignKey(
        "CompletionRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("completion request"),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("removed by"),
    )

    # Kinds the browser shows itself (its PDF viewer, images): opened in the browser (sandboxed,
    # see report_views.attachment_download); every other kind is downloaded.
    PREVIEWED = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"})

    objects = CurrentAttachmentManager()
    # Second, so that `objects` (without removed evidence) stays the default manager.
    all_objects = models.Manager()  # noqa: DJ012 (ruff reads a plain Manager after a custom one as a field)

    class Meta:
        ordering = ["uploaded_at", "id"]
        base_manager_name = "all_objects"
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, completion_request__isnull=True)
                | Q(report__isnull=True, completion_request__isnull=False),
                name="attachment_has_one_owner",
            )
        ]

    def __str__(self):
        return self.original_name

    @property
    def opens_in_browser(self) -> bool:
        return self.content_type in self.PREVIEWED


class LeaderComment(models.Model):
    """A leader's instruction or comment on a task (批示), seen by its units and the office."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="leader_comments", verbose_name=_("task"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("comment"), max_length=1000)
    # One per rendered comment form: a double click, a retry or two parallel posts of the same
    # form save one comment (the database refuses the second). Empty for comments made elsewhere.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False, verbose_name=_("token"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("leader comment")
        verbose_name_plural = _("leader comments")

    def __str__(self):
        return self.text[:40]


class Indicator(models.Model):
    """A quantitative target of a task, e.g. 计划投资 5 亿元; reports record the value reached."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("task"))
    name = models.CharField(_("indicator"), max_length=100)
    measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["task", "sort_order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["task", "name"], name="indicator_unique_name_per_task")]

    def __str__(self):
        return f"{self.name}（{self.target}{self.measure}）"


class IndicatorValue(models.Model):
    """The value of an indicator reached so far, as one report states it."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("value reached"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_unique_per_report")
        ]

    def __str__(self):
        return f"{self.indicator.name}: {self.value}"


# The reporting ledger's tables live with the ledger (tasks/ledger/), and the lead units' requests
# in tasks/lead_requests.py; Django finds models here.
from .lead_requests import CompletionRequest, Decision, ExtensionRequest, LeadUnitRequest  # noqa: E402, F401
from .ledger.models import AssignmentTerm, Obligation, PeriodUnitSummary  # noqa: E402, F401
