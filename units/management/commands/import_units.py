from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from units.importing import DirectoryImportError, import_unit_directory


class Command(BaseCommand):
    help = "Import the unit directory (单位名录) from an .xlsx file: names, aliases, kinds, groups."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            result = import_unit_directory(data, filename=file.name, dry_run=dry_run)
        except DirectoryImportError as error:
            for issue in error.issues:
                self.stderr.write(str(issue))
            raise CommandError(f"{file.name}: {len(error.issues)} problem(s); nothing was imported.") from None
        summary = result.as_dict()
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}units: {summary['units_created']} created, {summary['units_updated']} updated, "
            f"{summary['units_unchanged']} unchanged; groups created: {summary['groups_created']}"
        )
