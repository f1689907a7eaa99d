"""Importing a campaign's task breakdown workbook: the campaign, its phases, sections, tasks and
unit assignments, from the command line or through upload → preview → confirm."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CampaignImport, Phase, Section
from campaigns.periods import local_today
from campaigns.services import ensure_reporting_periods, periods_past_due
from common.naming import name_key
from common.workbook import ImportRefused, Issue, WorkbookError, WorkbookRefused
from tasks.resources import TaskResource
from units.resolution import UnitDirectory

from ..ledger import sync as ledger
from ..ledger.check import Scope
from .changes import TaskDescriber, campaign_changes, lookalikes, new_task_units
from .reading import CampaignWorkbook, read_campaign_workbook


class CampaignImportError(ImportRefused):
    """The campaign workbook was refused; nothing was written."""


@dataclass
class TaskChange:
    row: int
    number: str
    title: str
    action: str  # new | update | unchanged
    changed: list[str] = field(default_factory=list)
    diffs: list[dict] = field(default_factory=list)  # [{field, old, new}] of an updated task
    lead_units: list[str] = field(default_factory=list)  # of a new task
    support_units: list[str] = field(default_factory=list)
    deadline: str = ""


@dataclass
class CampaignImportResult:
    """What an import did (or, for a dry run, would do)."""

    campaign_code: str
    campaign_title: str
    campaign_action: str  # new | update | unchanged
    dry_run: bool
    tasks: list[TaskChange] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    new_leaders: list[str] = field(default_factory=list)
    missing_from_sheet: list[str] = field(default_factory=list)
    campaign_changes: list[dict] = field(default_factory=list)  # [{field, old, new}]
    warnings: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for task in self.tasks if task.action == action)

    def as_dict(self) -> dict:
        return {
            "campaign": self.campaign_code,
            "title": self.campaign_title,
            "campaign_action": self.campaign_action,
            "dry_run": self.dry_run,
            "tasks": len(self.tasks),
            "tasks_new": self.count("new"),
            "tasks_updated": self.count("update"),
            "tasks_unchanged": self.count("unchanged"),
            "sub_items": sum(1 for task in self.tasks if "." in task.number),
            "phases": len(self.phases),
            "sections": len(self.sections),
            "new_leaders": self.new_leaders,
            "missing_from_sheet": self.missing_from_sheet,
            "task_rows": [task.__dict__ for task in self.tasks],
            "campaign_changes": self.campaign_changes,
            "warnings": self.warnings,
        }


def campaign_code_for(title: str, start_date: datetime.date | None) -> str:
    """A stable code for a campaign imported without one: the same title gives the same code."""
    digest = hashlib.sha1(name_key(title).encode()).hexdigest()[:6]
    return f"c{start_date.year if start_date else 'x'}-{digest}"


def campaign_import(
    data: bytes, *, filename: str = "", code: str | None = None, dry_run: bool = False
) -> CampaignImportResult:
    """Create or update a campaign, its phases, sections, tasks and unit assignments from a
    breakdown workbook. All or nothing: any problem raises CampaignImportError listing every
    issue, and nothing is written. A dry run goes through the same steps and rolls back.
    """
    try:
        book = read_campaign_workbook(data, filename=filename)
    except WorkbookError as error:
        raise CampaignImportError(error.issues, refused_at_limit=isinstance(error, WorkbookRefused)) from None
    if any(issue.sheet == book.task_sheet and issue.row is None for issue in book.issues) or not book.info.title:
        # Without the task table or the campaign itself there is nothing to check row by row.
        raise CampaignImportError(book.issues)
    with transaction.atomic():
        result, issues = _apply(book, code=code, dry_run=dry_run)
        issues = book.issues + issues
        if issues or dry_run:
            transaction.set_rollback(True)
    if issues:
        raise CampaignImportError(sorted(issues, key=lambda i: (i.sheet, i.row or 0, i.column)))
    return result


def _apply(book: CampaignWorkbook, *, code: str | None, dry_run: bool):
    info = book.info
    issues: list[Issue] = []
    campaign = _find_campaign(info, code)
    action = "new" if campaign is None else "update"
    if campaign is None:
        campaign = Campaign(code=code or campaign_code_for(info.title, info.start_date))
    directory = UnitDirectory()
    before = _campaign_state(campaign) if campaign.pk else None
    campaign.title = info.title
    campaign.document_number = info.document_number
    campaign.issuing_body = info.issuing_body
    campaign.issue_date = info.issue_date
    campaign.start_date = info.start_date
    campaign.end_date = info.end_date
    campaign.office_name = info.office
    campaign.office_unit = directory.resolve_one(info.office) if info.office else None
    campaign.cadence = info.cadence
    campaign.due_weekday = info.due_weekday
    campaign.due_time = info.due_time
    try:
        campaign.full_clean()
    except ValidationError as error:
        # A check constraint's message gives only its name: when the reading has already named the
        # campaign's problem by its column (the dates' order), it is not repeated.
        explained = any(issue.sheet != book.task_sheet for issue in book.issues)
        for name, messages in error.message_dict.items():
            if name == "__all__" and explained:
                continue
            field_name = str(Campaign._meta.get_field(name).verbose_name) if name != "__all__" else ""
            issues.extend(Issue(message, sheet="活动信息", column=field_name) for message in messages)
        return None, issues
    refusals, warnings = lookalikes(campaign)
    if refusals:
        return None, [Issue(message, sheet="活动信息", column=column) for column, message in refusals]
    campaign.save()
    if before == _campaign_state(campaign):
        action = "unchanged"
    changes_of_campaign = campaign_changes(before, campaign)
    if action == "new" and (due := periods_past_due(campaign, local_today())):
        # Every unit owes the campaign's periods from its first (issue 9's rule for a first
        # import): a campaign begun months ago starts with all of them missing.
        warnings.append(_(
            "The campaign began on %(start)s: %(count)s reporting periods are already past their due day, and every unit on its tasks will owe those reports at once (reminders and supervision notices follow)."
        ) % {"start": campaign.start_date.isoformat(), "count": due})  # fmt: skip

    phases = _sync_phases(campaign, book)
    sections = _sync_sections(campaign, book)
    resource = TaskResource(
        campaign=campaign, sections=sections, phases=phases, directory=directory, first_import=action == "new"
    )
    outcome = resource.import_data(
        book.tasks, dry_run=False, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True
    )
    for invalid in outcome.invalid_rows:
        row = book.tasks[invalid.number - 1][0]  # number counts dataset rows from 1
        for column, messages in invalid.error_dict.items():
            for message in messages:
                issues.append(book.locate(row, column if column != "__all__" else None, message))
    for line, row_errors in outcome.row_errors():
        row = book.tasks[line - 1][0]
        for error in row_errors:
            issues.append(book.locate(row, None, _("The row could not be saved: %(error)s") % {"error": error.error}))
    if outcome.base_errors:
        issues.extend(Issue(str(error.error), sheet=book.task_sheet) for error in outcome.base_errors)

    result = CampaignImportResult(
        campaign_code=campaign.code,
        campaign_title=campaign.title,
        campaign_action=action,
        dry_run=dry_run,
        phases=[phase.name for phase in phases.values()],
        sections=[section.title for section in sections.values()],
        new_leaders=resource.new_leaders,
        campaign_changes=changes_of_campaign,
        warnings=warnings,
    )
    describer = TaskDescriber(resource.diffs)
    for row_result, (row, number, _parent, _section, title, *_rest) in zip(outcome.rows, book.tasks, strict=False):
        kind = {"new": "new", "update": "update", "skip": "unchanged"}.get(
            row_result.import_type, row_result.import_type
        )
        change = TaskChange(row, number, title, kind, resource.changes.get(number, []))
        change.diffs = describer.diff(resource.diffs.get(number, {}))
        saved = resource.tasks_by_number.get(number)
        if kind == "new" and saved is not None:
            change.lead_units, change.support_units = new_task_units(saved)
            change.deadline = saved.deadline.isoformat() if saved.deadline else ""
        result.tasks.append(change)
    in_sheet = set(book.tasks["number"])
    result.missing_from_sheet = [number for number in resource.tasks_by_number if number not in in_sheet]
    if not issues and not dry_run:
        ensure_reporting_periods(campaign)
        # Periods moved or added: the ledger follows them (a period begun opens on first access).
        ledger.reconcile(Scope(campaign_ids=frozenset({campaign.pk})))
    return result, issues


def _find_campaign(info, code):
    if code:
        return Campaign.objects.filter(code=code).first()
    if info.document_number:
        found = Campaign.objects.filter(document_number=info.document_number).first()
        if found:
            return found
    for campaign in Campaign.objects.filter(start_date=info.start_date) if info.start_date else []:
        if name_key(campaign.title) == name_key(info.title):
            return campaign
    return Campaign.objects.filter(code=campaign_code_for(info.title, info.start_date)).first()


def _campaign_state(campaign):
    names = [
        "code", "title", "document_number", "issuing_body", "issue_date", "start_date", "end_date",
        "office_name", "office_unit_id", "cadence", "due_weekday", "due_time", "status",
    ]  # fmt: skip
    return {name: getattr(campaign, name) for name in names}


def _sync_phases(campaign, book) -> dict:
    """Create or update the sheet's phases, matched by name. A phase the sheet no longer lists is
    kept (tasks and reports may refer to it) but no row of this sheet can name it."""
    existing = {name_key(phase.name): phase for phase in campaign.phases.all()}
    for order, row in enumerate(book.phases, start=1):
        phase = existing.get(name_key(row.name)) or Phase(campaign=campaign, name=row.name)
        if phase.pk is None or (phase.start_date, phase.end_date, phase.sort_order) != (
            row.start_date,
            row.end_date,
            order,
        ):
            phase.start_date, phase.end_date, phase.sort_order = row.start_date, row.end_date, order
            phase.save()
        existing[name_key(row.name)] = phase
    wanted = {name_key(row.name) for row in book.phases}
    return {key: phase for key, phase in existing.items() if key in wanted}


def _sync_sections(campaign, book) -> dict:
    existing = {name_key(section.title): section for section in campaign.sections.all()}
    for order, title in enumerate(book.sections, start=1):
        section = existing.get(name_key(title)) or Section(campaign=campaign, title=title)
        if section.pk is None or section.sort_order != order:
            section.sort_order = order
            section.save()
        existing[name_key(title)] = section
    wanted = {name_key(title) for title in book.sections}
    return {key: section for key, section in existing.items() if key in wanted}


# ---- browser import: upload, preview, confirm ---------------------------------------------


def campaign_import_preview(
    *, user, data: bytes, filename: str, code: str = ""
) -> tuple[CampaignImport, CampaignImportResult | None, list[Issue]]:
    """Keep the upload and dry-run it. The upload is stored even when refused, so the office
    sees what was wrong; only a clean preview can be confirmed."""
    upload = CampaignImport.objects.create(
        uploaded_by=user,
        filename=filename[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        code=code,
    )
    try:
        result = campaign_import(data, filename=filename, code=code or None, dry_run=True)
    except MemoryError:
        # Limits should refuse a file long before this; if one still gets here, the record
        # must not stay "previewed" (confirmable) with no summary.
        error = CampaignImportError([Issue(_("The workbook is too large to be read."))], refused_at_limit=True)
        return _refuse_upload(upload, error), None, error.issues
    except CampaignImportError as error:
        return _refuse_upload(upload, error), None, error.issues
    upload.summary = result.as_dict()
    upload.save(update_fields=["summary"])
    return upload, result, []


def campaign_import_hold(
    *, user, data: bytes, filename: str, issues: list[Issue], typed_code: str = ""
) -> CampaignImport:
    """Keep an upload whose form had a problem of its own (a bad campaign code), so that the
    office fixes the code on the preview page instead of choosing the file again."""
    return CampaignImport.objects.create(
        uploaded_by=user,
        filename=filename[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        status=CampaignImport.Status.FAILED,
        # The code as typed (not valid, so not in `code`), to show it again for correction.
        summary={"issues": [issue.as_dict() for issue in issues], "typed_code": typed_code[:100]},
    )


def campaign_import_recheck(
    *, upload_id: int, user, code: str
) -> tuple[CampaignImport, CampaignImportResult | None, list[Issue]]:
    """Preview a kept upload again with another campaign code, as a new upload record (the
    earlier one stays as it was, so a confirmation in another tab cannot mix the two)."""
    upload = CampaignImport.objects.get(
        pk=upload_id,
        uploaded_by=user,
        status__in=[CampaignImport.Status.PREVIEWED, CampaignImport.Status.FAILED],
    )
    return campaign_import_preview(user=user, data=bytes(upload.content), filename=upload.filename, code=code)


def _refuse_upload(upload: CampaignImport, error: CampaignImportError) -> CampaignImport:
    """A file refused at a limit says so; one with problems in its content is failed. Neither
    is confirmable: confirming claims previewed uploads only."""
    refused = getattr(error, "refused_at_limit", False)
    upload.status = CampaignImport.Status.REFUSED if refused else CampaignImport.Status.FAILED
    upload.summary = {"issues": [issue.as_dict() for issue in error.issues]}
    upload.save(update_fields=["status", "summary"])
    return upload


def campaign_import_confirm(*, upload_id: int, user) -> tuple[CampaignImport, bool]:
    """Apply a previewed upload once. Returns (upload, applied_now).

    The status moves previewed → applied with a compare-and-set inside the same transaction as
    the import: a double click or a second tab finds it applied and writes nothing more.
    """
    try:
        with transaction.atomic():
            claimed = CampaignImport.objects.filter(
                pk=upload_id, uploaded_by=user, status=CampaignImport.Status.PREVIEWED
            ).update(status=CampaignImport.Status.APPLIED, applied_at=timezone.now())
            upload = CampaignImport.objects.get(pk=upload_id)
            if not claimed:
                return upload, False
            result = campaign_import(bytes(upload.content), filename=upload.filename, code=upload.code or None)
            upload.campaign = Campaign.objects.get(code=result.campaign_code)
            upload.summary = result.as_dict()
            upload.save(update_fields=["campaign", "summary"])
    except CampaignImportError as error:
        # The data changed since the preview (a unit was removed, say): the claim rolled back
        # with the import; record why so the preview page shows it.
        CampaignImport.objects.filter(pk=upload_id).update(
            status=CampaignImport.Status.FAILED, summary={"issues": [issue.as_dict() for issue in error.issues]}
        )
        raise
    return upload, True
