"""Writes for tasks: reporting, review, completion and extension, leader comments.

Every function here is one user action, atomic, and checks the actor's right through
accounts.access. A refused action raises PermissionDenied (→ 403) or ValidationError with
a message for the user; nothing is half-saved. Assignments, and the object permissions derived
from them, are written by tasks.assignments.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts import access
from campaigns import periods
from campaigns.models import ReportingPeriod

from . import messages as task_messages
from . import similarity
from .changes import tasks_changed
from .evidence import check_evidence_files, discard_stored_files_on_failure, store_evidence
from .ledger import states as ledger_states
from .ledger import sync as ledger
from .ledger.check import Scope
from .models import (
    Attachment,
    CompletionRequest,
    Decision,
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    LeaderComment,
    ProgressReport,
    Task,
)


class ConcurrentUpdate(ValidationError):
    """Someone else saved the same object since the form was opened (another tab, a double click)."""


def _locked(model, pk):
    """The row, locked for this transaction; an unknown id is a refusal, not a server error."""
    found = model.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise ValidationError(_("It no longer exists."))
    return found


# ---- reports ------------------------------------------------------------------------------


def _too_long(model, name: str, value: str) -> str | None:
    """The refusal of a text over its model field's max_length (TextFields do not check it)."""
    limit = model._meta.get_field(name).max_length
    if limit and len(value) > limit:
        return _("At most %(limit)s characters; this text has %(length)s.") % {"limit": limit, "length": len(value)}
    return None


@discard_stored_files_on_failure
@transaction.atomic
def report_save(
    *,
    user,
    task: Task,
    unit,
    period: ReportingPeriod,
    indicator_values: dict[int, Decimal] | None = None,
    files=(),
    expected_version: int | None,
    submit: bool,
    now: datetime.datetime | None = None,
    **content,
) -> ProgressReport:
    """Save a unit's report for a period as a draft, or submit it.

    `content`: the report's fields, by name, those of ProgressReport.CONTENT_FIELDS (progress,
    problems, next_steps, percent_complete, needs_coordination, coordination_request); one left
    out is stored empty (its model default). `expected_version` is the version the form was
    opened with (None for a new report): if the report changed since, ConcurrentUpdate is raised
    and nothing is saved — one report, no lost update, whatever the number of tabs or clicks.
    """
    if unknown := set(content) - set(ProgressReport.CONTENT_FIELDS):
        raise TypeError(f"report_save() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    content = {
        name: content[name] if name in content else ProgressReport._meta.get_field(name).get_default()
        for name in ProgressReport.CONTENT_FIELDS
    }
    now = now or timezone.now()
    task = Task.objects.select_related("campaign").get(pk=task.pk)  # the caller's copy may predate a close-off
    if period.campaign_id != task.campaign_id:
        raise PermissionDenied
    if not access.can(user, "report", (task, unit)):
        if unit.pk in access.workspace_unit_ids(user) and ledger.was_on_task(task, unit):
            # The unit's own people are told why (the task closed off, the unit taken off), not
            # refused as strangers.
            raise ValidationError(ledger.not_owed_reason(task, unit, period))
        raise PermissionDenied
    if not periods.has_begun(period, now):
        raise ValidationError(_("This reporting period has not begun yet."))
    # What the unit owes for the period (locked), or a refusal saying why it owes nothing.
    obligation = ledger.owed(task, unit, period, now=now)
    errors = {}
    if not 0 <= content["percent_complete"] <= 100:
        errors["percent_complete"] = _("Percent complete must be between 0 and 100.")
    if submit and not content["progress"].strip():
        errors["progress"] = _("Describe the progress of this period before submitting.")
    if content["needs_coordination"] and not content["coordination_request"].strip():
        errors["coordination_request"] = _("Say what needs coordination.")
    for name, value in content.items():
        if isinstance(value, str) and (message := _too_long(ProgressReport, name, value)):
            errors[name] = message
    if errors:
        raise ValidationError(errors)

    if expected_version is None:
        # The obligation is locked: a report filed for it meanwhile has linked itself (ledger.record).
        if obligation.report_id is not None:
            raise ConcurrentUpdate(_("This report was created meanwhile (in another tab?). Reload the page."))
        report = ProgressReport(task=task, unit=unit, period=period)
    else:
        # Lock the row, then compare versions: a stale form cannot overwrite a newer save.
        report = ProgressReport.objects.select_for_update().filter(task=task, unit=unit, period=period).first()
        if report is None or report.version != expected_version:
            raise ConcurrentUpdate(_("This report was changed meanwhile (in another tab?). Reload the page."))
        if not report.is_editable_state:
            raise ValidationError(
                ledger_states.refusal(obligation.state, ledger_states.SUBMIT if submit else ledger_states.SAVE)
            )
        report.version += 1
    # Every file and the report's quota are checked before anything is stored.
    evidence = check_evidence_files(
        files, attached=Attachment.objects.filter(report=report) if report.pk else Attachment.objects.none()
    )
    stale_before = report.stale
    for name, value in content.items():
        setattr(report, name, value)
    if submit:
        report.status = ProgressReport.Status.SUBMITTED
        report.submitted_at, report.submitted_by = now, user
        report.is_late = now > period.due_at
        # 内容雷同: against the unit's previous period on the task, never this report's own last
        # submission (a fix after a return is compared with the period before, like the first).
        similarity.judge(report, period_number=period.number)
    else:
        # A returned report being fixed is the unit's draft again: nobody else sees half-done edits.
        report.status = ProgressReport.Status.DRAFT
    report._change_reason = "submit" if submit else "save"
    report._history_user = user
    try:
        # No savepoint of its own: on an error this service's transaction (or savepoint) goes whole.
        report.save()
    except IntegrityError:
        # The unique task × unit × period: a report written without the ledger's lock.
        raise ConcurrentUpdate(_("This report was created meanwhile (in another tab?). Reload the page.")) from None
    event = ledger_states.SUBMIT if submit else ledger_states.SAVE
    ledger.record(
        obligation, report, event, now=now, due_at=period.due_at, campaign=task.campaign, stale_before=stale_before
    )
    _save_indicator_values(report, indicator_values or {}, new=expected_version is None)
    store_evidence(evidence, user=user, now=now, report=report)
    if submit:  # a draft changes nothing others see; a submission may change the task's light
        tasks_changed([task.pk], now=now)
    return report


def _save_indicator_values(report: ProgressReport, values: dict[int, Decimal], *, new: bool) -> None:
    """The report's values of its task's indicators (ids of other tasks' are ignored; None removes
    a value): one query reads the indicators with the report's current values, then one insert,
    one update and one delete at most, whatever the number of indicators."""
    if not values:
        return
    indicators = Indicator.objects.filter(task_id=report.task_id, pk__in=list(values))
    if new:  # a report just created has no values yet
        current = {pk: (None, None) for pk in indicators.values_list("pk", flat=True)}
    else:
        current = {
            pk: (value_pk, value)
            for pk, value_pk, value in indicators.annotate(
                current=FilteredRelation("values", condition=Q(values__report=report))
            ).values_list("pk", "current__pk", "current__value")
        }
    created, changed, removed = [], [], []
    for indicator_id, (value_pk, stored) in current.items():
        value = values[indicator_id]
        if value is None:
            if value_pk is not None:
                removed.append(value_pk)
        elif value_pk is None:
            created.append(IndicatorValue(report=report, indicator_id=indicator_id, value=value))
        elif value != stored:
            changed.append(IndicatorValue(pk=value_pk, value=value))
    if created:
        IndicatorValue.objects.bulk_create(created)
    if changed:
        IndicatorValue.objects.bulk_update(changed, ["value"])
    if removed:
        IndicatorValue.objects.filter(pk__in=removed).delete()


@transaction.atomic
def report_review(*, user, report_id: int, accept: bool, comment: str = "", now=None) -> ProgressReport:
    """The office accepts a submitted report, or returns it to the unit with a comment."""
    if not access.can(user, "review"):
        raise PermissionDenied
    report = _locked(ProgressReport, report_id)
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted report can be reviewed; this one is “%(status)s”.")
            % {"status": report.get_status_display()}
        )
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Say why the report is returned.")})
    if message := _too_long(ProgressReport, "review_comment", comment):
        raise ValidationError({"comment": message})
    report.status = ProgressReport.Status.ACCEPTED if accept else ProgressReport.Status.RETURNED
    report.review_comment = comment
    report.reviewed_at, report.reviewed_by = now or timezone.now(), user
    report.version += 1
    report._change_reason = "accept" if accept else "return"
    report._history_user = user
    report.save()
    ledger.record_reviews([report], ledger_states.ACCEPT if accept else ledger_states.RETURN, now=report.reviewed_at)
    tasks_changed([report.task_id], now=report.reviewed_at)
    task_messages.reports_reviewed([report], now=report.reviewed_at)
    return report


@transaction.atomic
def reports_accept(*, user, campaign, report_ids, now=None) -> list[ProgressReport]:
    """The office accepts several submitted reports of a campaign at once; returns those accepted now.

    Only the campaign's reports that the user may see and that are still submitted are taken
    (an id of another campaign's report is ignored, as the queue never offered it): the rows are locked and
    the state re-read under the lock, so a double submit or two tabs accept each report once
    (the second finds them accepted and takes none). A fixed number of queries, whatever the
    number of reports.
    """
    if not access.can(user, "review"):
        raise PermissionDenied
    now = now or timezone.now()
    visible = (
        access.visible_to(user, ProgressReport).filter(pk__in=list(report_ids), task__campaign=campaign).values("pk")
    )
    reports = list(
        ProgressReport.objects.select_for_update()
        .filter(pk__in=visible, status=ProgressReport.Status.SUBMITTED)
        .order_by("pk")
    )
    for report in reports:
        report.status = ProgressReport.Status.ACCEPTED
        report.review_comment = ""
        report.reviewed_at, report.reviewed_by, report.updated_at = now, user, now
        report.version += 1
    # One UPDATE and one insert of history rows, with the same reason as a single acceptance
    # (the task timeline shows "Report accepted" for each).
    bulk_update_with_history(
        reports, ProgressReport, ["status", "review_comment", "reviewed_at", "reviewed_by", "version", "updated_at"],
        default_user=user, default_change_reason="accept", default_date=now,
    )  # fmt: skip
    ledger.record_reviews(reports, ledger_states.ACCEPT, now=now)
    tasks_changed({report.task_id for report in reports}, now=now)
    task_messages.reports_reviewed(reports, now=now)
    return reports


@transaction.atomic
def attachment_remove(*, user, attachment_id: int, now=None) -> Attachment:
    """A unit removes evidence from its own report while the report is a draft or returned.

    The row stays, marked removed with who and when (the history keeps it; pages, downloads and
    the quota leave it out). The file stays too when the office may have seen it (uploaded before
    the last submission); a file nobody outside the unit ever saw is deleted once this commits,
    so adding and removing cannot fill the disk.
    """
    now = now or timezone.now()
    report_id = Attachment.objects.filter(pk=attachment_id).values_list("report_id", flat=True).first()
    if report_id is None:  # unknown, removed already, or evidence of a completion request
        raise ValidationError(_("It no longer exists."))
    # The report first: a submit at the same moment waits, and then finds the evidence as it is.
    report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report_id)
    attachment = _locked(Attachment, attachment_id)
    if not access.can(user, "report", report):
        raise PermissionDenied
    if not report.is_editable_state:
        raise ValidationError(_("Evidence can be removed only while the report is a draft or has been returned."))
    attachment.removed_at, attachment.removed_by = now, user
    attachment.save(update_fields=["removed_at", "removed_by"])
    if report.submitted_at is None or attachment.uploaded_at > report.submitted_at:
        name, storage = attachment.file.name, attachment.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    return attachment


# ---- completion and extension ---------------------------------------------------------------


def _locked_task_for_lead(user, task, unit) -> Task:
    """Re-read the task under a row lock (the caller's copy may be stale) and check that the
    user acts for one of its lead units."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.OPEN:
        raise ValidationError(_("The task is closed off."))
    if not access.can(user, "lead", (task, unit)):
        raise PermissionDenied
    return task


@discard_stored_files_on_failure
@transaction.atomic
def completion_request_create(*, user, task: Task, unit, summary: str, files=(), now=None) -> CompletionRequest:
    """A lead unit applies to close the task off (申请办结)."""
    now = now or timezone.now()
    task = _locked_task_for_lead(user, task, unit)
    if not summary.strip():
        raise ValidationError({"summary": _("Summarise what was achieved.")})
    if message := _too_long(CompletionRequest, "summary", summary):
        raise ValidationError({"summary": message})
    evidence = check_evidence_files(files, attached=Attachment.objects.none())
    try:
        with transaction.atomic():
            request = CompletionRequest.objects.create(
                task=task, unit=unit, summary=summary, requested_by=user, requested_at=now
            )
    except IntegrityError:
        raise ValidationError(_("An application to close this task is already waiting for a decision.")) from None
    store_evidence(evidence, user=user, now=now, completion_request=request)
    return request


def _decide(model, request_id: int, *, user, approve: bool, comment: str, now):
    """The office's decision on a pending request, taken once: the row is locked and re-checked.

    The task is locked before the request, in every decision, so that closing a task off and
    deciding its extension at the same moment wait for each other instead of deadlocking; a
    task closed meanwhile (here or in the admin) takes no more decisions.
    """
    if not access.can(user, "decide"):
        raise PermissionDenied
    task_id = model.objects.filter(pk=request_id).values_list("task_id", flat=True).first()
    if task_id is None:
        raise ValidationError(_("It no longer exists."))
    task = Task.objects.select_for_update().get(pk=task_id)
    request = _locked(model, request_id)
    if request.status != Decision.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if task.status != Task.Status.OPEN:
        raise ValidationError(_("The task has been closed off; its requests can no longer be decided."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Give the reason for rejecting.")})
    if message := _too_long(model, "decision_comment", comment):
        raise ValidationError({"comment": message})
    request.status = Decision.APPROVED if approve else Decision.REJECTED
    request.decided_by, request.decided_at, request.decision_comment = user, now, comment
    request.save()
    request.task = task  # the locked, current copy
    return request


@transaction.atomic
def completion_request_decide(
    *, user, request_id: int, approve: bool, comment: str = "", now=None
) -> CompletionRequest:
    """The office closes the task off (销号) or rejects the application with a reason."""
    now = now or timezone.now()
    request = _decide(CompletionRequest, request_id, user=user, approve=approve, comment=comment, now=now)
    if approve:
        task = request.task
        task.status, task.closed_at = Task.Status.CLOSED, now
        task._change_reason = "closed off"
        task._history_user = user
        task.save()
        # Nothing is owed for periods not yet due when the task closed (unless already filed).
        ledger.reconcile(Scope(task_ids=frozenset({task.pk})))
        tasks_changed([task.pk], now=now)
        # A closed task has no deadline to move: an extension still waiting is settled with it,
        # so it does not linger in the office's list.
        for extension in ExtensionRequest.objects.select_for_update().filter(task=task, status=Decision.PENDING):
            extension.status, extension.decided_by, extension.decided_at = Decision.REJECTED, user, now
            extension.decision_comment = _("The task was closed off.")
            extension.save()
            # Decided like any other: its unit is told, not left to find it rejected.
            extension.task = task
            task_messages.request_decided(extension, now=now)
    task_messages.request_decided(request, now=now)
    return request


def extension_deadline_bounds(task: Task, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The earliest and latest deadline an extension of the task may ask for: after the current
    deadline (and after today), and at most EXTENSION_MAX_DAYS_AFTER_CAMPAIGN_END days after the
    campaign's end (or after the current deadline when that is later)."""
    current = task.deadline or today
    earliest = max(current, today) + datetime.timedelta(days=1)
    latest = max(task.campaign.end_date, current) + datetime.timedelta(
        days=settings.EXTENSION_MAX_DAYS_AFTER_CAMPAIGN_END
    )
    return earliest, latest


@transaction.atomic
def extension_request_create(
    *, user, task: Task, unit, requested_deadline: datetime.date, reason: str, today: datetime.date | None = None
) -> ExtensionRequest:
    """Before the deadline, a lead unit applies to move it (延期申请)."""
    today = today or timezone.localdate()
    task = _locked_task_for_lead(user, task, unit)
    if task.deadline is None:
        raise ValidationError(_("The task has no deadline to extend."))
    if not task.extension_open(today):
        raise ValidationError(_("The deadline has passed; an extension must be requested before it."))
    earliest, latest = extension_deadline_bounds(task, today)
    if requested_deadline < earliest:
        raise ValidationError(
            {
                "requested_deadline": _("The new deadline must be later than the current one (%(date)s).")
                % {"date": task.deadline}
            }
        )
    if requested_deadline > latest:
        raise ValidationError({"requested_deadline": _("The new deadline can be at most %(date)s.") % {"date": latest}})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if message := _too_long(ExtensionRequest, "reason", reason):
        raise ValidationError({"reason": message})
    try:
        with transaction.atomic():
            return ExtensionRequest.objects.create(
                task=task,
                unit=unit,
                current_deadline=task.deadline,
                requested_deadline=requested_deadline,
                reason=reason,
                requested_by=user,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(_("An extension request for this task is already waiting for a decision.")) from None


@transaction.atomic
def extension_request_decide(*, user, request_id: int, approve: bool, comment: str = "", now=None) -> ExtensionRequest:
    """Approval moves the deadline; the original deadline stays recorded on the task."""
    request = _decide(
        ExtensionRequest, request_id, user=user, approve=approve, comment=comment, now=now or timezone.now()
    )
    if approve:
        task = request.task
        if task.deadline and request.requested_deadline <= task.deadline:
            # The deadline was moved meanwhile (a re-import, the admin) past what was asked.
            raise ValidationError(
                _("The task's deadline is already %(date)s; this request would not move it later.")
                % {"date": task.deadline}
            )
        if task.original_deadline is None:
            task.original_deadline = task.deadline
        task.deadline = request.requested_deadline
        task._change_reason = "extension approved"
        task._history_user = user
        task.save()
        tasks_changed([task.pk], now=request.decided_at)
    task_messages.request_decided(request, now=request.decided_at)
    return request


@transaction.atomic
def leader_comment_add(*, user, task: Task, text: str, token: uuid.UUID | None = None) -> LeaderComment:
    """A leader's comment (批示). `token` comes from the rendered form: the same form posted twice
    (a double click, a retry, two requests at once) saves one comment and returns it both times."""
    if not access.can(user, "comment"):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("The comment is empty.")})
    if message := _too_long(LeaderComment, "text", text.strip()):
        raise ValidationError({"text": message})
    try:
        with transaction.atomic():
            comment = LeaderComment.objects.create(task=task, author=user, text=text.strip(), token=token)
    except IntegrityError:
        # The unique token: this form was saved already (by a parallel request, which the
        # database made this one wait for). That comment is the answer.
        existing = LeaderComment.objects.filter(token=token).first()
        if token is None or existing is None:
            raise
        if (existing.author_id, existing.task_id) != (user.pk, task.pk):
            raise PermissionDenied from None  # a token not of this form: made up, not a double click
        return existing
    task_messages.leader_commented(comment)
    return comment
