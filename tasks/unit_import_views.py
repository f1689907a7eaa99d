"""Unit directory upload for the office: check, or check and import."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import can_required
from common.forms import WorkbookUploadForm
from units.importing import DirectoryImportError, import_unit_directory

BUTTONS = [
    ("check", gettext_lazy("Check only"), "btn-outline-primary"),
    ("import", gettext_lazy("Import"), "btn-primary"),
]


@can_required("import")
def import_units(request):
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    issues, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = "check" in request.POST
        try:
            result = import_unit_directory(upload.read(), filename=upload.name, dry_run=dry_run)
        except DirectoryImportError as error:
            issues = error.issues
        else:
            if not dry_run:
                summary = result.as_dict()
                messages.success(
                    request,
                    _("Units imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                    % {
                        "created": summary["units_created"],
                        "updated": summary["units_updated"],
                        "unchanged": summary["units_unchanged"],
                    },
                )
                return redirect("units:list")
    return render(
        request, "units/import.html", {"form": form, "issues": issues, "result": result, "upload_buttons": BUTTONS}
    )
