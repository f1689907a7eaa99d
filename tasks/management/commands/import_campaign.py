from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.campaign_import.services import CampaignImportError, campaign_import


class Command(BaseCommand):
    help = (
        "Import a campaign from its task breakdown workbook (.xlsx with 任务分解表, 活动信息, 阶段). "
        "Re-importing updates in place; any problem means nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--code", help="The campaign's code (used in addresses); matched on re-import.")
        parser.add_argument("--dry-run", action="store_true", help="Check and show what would change; write nothing.")

    def handle(self, *args, file: Path, code: str | None, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            result = campaign_import(data, filename=file.name, code=code, dry_run=dry_run)
        except CampaignImportError as error:
            for issue in error.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{file.name}: {len(error.issues)} problem(s); nothing was imported.") from None
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.campaign_code} ({result.campaign_action}): {len(result.tasks)} tasks — "
            f"{result.count('new')} new, {result.count('update')} updated, {result.count('unchanged')} unchanged; "
            f"{len(result.phases)} phases, {len(result.sections)} sections"
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        for change in result.campaign_changes:
            self.stdout.write(f"  {change['field']}: {change['old']} → {change['new']}")
        for task in result.tasks:
            if task.action == "update":
                details = "; ".join(f"{diff['field']}: {diff['old']} → {diff['new']}" for diff in task.diffs)
                self.stdout.write(f"  {task.number} {task.title}: {details or ', '.join(task.changed)}")
        if result.missing_from_sheet:
            self.stdout.write("Kept, but no longer in the sheet: " + ", ".join(result.missing_from_sheet))
