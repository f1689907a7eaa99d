"""manage.py export KIND --campaign CODE [--period YYYY-Www] [--unit NAME] [--phase NAME]
[--section NAME] [--state STATE] -o FILE.xlsx [--user USERNAME]

Writes one export to a file and records it (exports.services.export_to_path), as the named user
would see it, or as the office without --user. The file appears only when complete (written
next to it, then renamed); bad filters or an empty period stop with a message and no file."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exports.filters import FilterError, parse_filters
from exports.kinds import KINDS, get_kind
from exports.services import export_to_path


class Command(BaseCommand):
    help = (
        "Export the ledger, the weekly summary, the missing-units list or the ranking of a campaign to an .xlsx file."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--campaign", required=True, help="campaign code")
        parser.add_argument("--period", help="reporting period, e.g. 2026-W48 (default: the last due one)")
        parser.add_argument("--unit", help="unit name, short name or alias")
        parser.add_argument("--phase", help="phase name")
        parser.add_argument("--section", help="section title")
        parser.add_argument("--state", help="a state or light to keep")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--user", help="export as this user (default: the office, which sees everything)")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("User “%(user)s” was not found.") % {"user": options["user"]})
        output = options["output"]
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise CommandError(_("Directory “%(directory)s” does not exist.") % {"directory": directory})
        kind = get_kind(options["kind"])
        try:
            filters = parse_filters(
                user,
                campaign=options["campaign"],
                period=options["period"],
                unit=options["unit"],
                phase=options["phase"],
                section=options["section"],
                state=options["state"],
            )
            if not kind.count(user, filters):
                raise CommandError(str(kind.empty_message))
            rows = export_to_path(user=user, kind=kind.name, filters=filters, path=output, mode="command")
        except FilterError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        except PermissionDenied:
            raise CommandError(_("User “%(user)s” may not export this campaign.") % {"user": options["user"]}) from None
        self.stdout.write(_("%(rows)s rows written to %(path)s") % {"rows": rows, "path": output})
