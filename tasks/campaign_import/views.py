"""Upload → preview → confirm for task breakdown workbooks (office only)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import can_required
from campaigns.forms import CampaignCodeForm, CampaignImportForm
from campaigns.models import CampaignImport
from common.workbook import Issue

from .services import (
    CampaignImportError,
    campaign_import_confirm,
    campaign_import_hold,
    campaign_import_preview,
    campaign_import_recheck,
)

# Names of what an updated task changes, as the preview shows them.
CHANGED_LABELS = {
    "title": gettext_lazy("task name"),
    "description": gettext_lazy("work content"),
    "deadline": gettext_lazy("deadline"),
    "section": gettext_lazy("section"),
    "phase": gettext_lazy("phase"),
    "parent": gettext_lazy("parent task"),
    "units": gettext_lazy("units"),
    "leaders": gettext_lazy("responsible leaders"),
}

UPLOAD_BUTTONS = [("preview", gettext_lazy("Check and preview"), "btn-primary")]


@can_required("import")
def import_upload(request):
    form = CampaignImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record, _result, _issues = campaign_import_preview(
            user=request.user, data=upload.read(), filename=upload.name, code=form.cleaned_data["code"]
        )
        return redirect(record)
    if request.method == "POST" and "file" in form.cleaned_data and set(form.errors) == {"code"}:
        # Only the code is wrong: keep the file, and let the code be fixed on the preview page.
        upload = form.cleaned_data["file"]
        issues = [Issue(str(message), column=str(form.fields["code"].label)) for message in form.errors["code"]]
        record = campaign_import_hold(
            user=request.user,
            data=upload.read(),
            filename=upload.name,
            issues=issues,
            typed_code=request.POST.get("code", ""),
        )
        return redirect(record)
    recent = CampaignImport.objects.filter(uploaded_by=request.user).select_related("campaign")[:10]
    return render(
        request, "campaigns/import_upload.html", {"form": form, "recent": recent, "upload_buttons": UPLOAD_BUTTONS}
    )


@can_required("import")
def import_preview(request, pk, code_form=None):
    record = get_object_or_404(CampaignImport.objects.select_related("campaign"), pk=pk, uploaded_by=request.user)
    summary = record.summary or {}
    rows = [
        {
            **row,
            "changed_labels": [CHANGED_LABELS.get(name, name) for name in row.get("changed", [])],
            "diffs": [
                {**diff, "label": CHANGED_LABELS.get(diff["field"], diff["field"])} for diff in row.get("diffs", [])
            ],
        }
        for row in summary.get("task_rows", [])
    ]
    rechecks = record.status in (CampaignImport.Status.PREVIEWED, CampaignImport.Status.FAILED)
    return render(
        request,
        "campaigns/import_preview.html",
        {
            "record": record,
            "summary": summary,
            "rows": rows,
            "issues": summary.get("issues", []),
            "form": CampaignImportForm(),
            "code_form": (code_form or CampaignCodeForm(initial={"code": record.code or summary.get("typed_code", "")}))
            if rechecks
            else None,
            "upload_buttons": UPLOAD_BUTTONS,
        },
    )


@can_required("import")
@require_POST
def import_recheck(request, pk):
    """Preview the kept file again with another campaign code, without choosing it again."""
    record = get_object_or_404(
        CampaignImport,
        pk=pk,
        uploaded_by=request.user,
        status__in=[CampaignImport.Status.PREVIEWED, CampaignImport.Status.FAILED],
    )
    form = CampaignCodeForm(request.POST)
    if not form.is_valid():
        return import_preview(request, pk, code_form=form)
    new_record, _result, _issues = campaign_import_recheck(
        upload_id=record.pk, user=request.user, code=form.cleaned_data["code"]
    )
    return redirect(new_record)


@can_required("import")
@require_POST
def import_confirm(request, pk):
    upload = get_object_or_404(CampaignImport, pk=pk, uploaded_by=request.user)
    try:
        record, applied_now = campaign_import_confirm(upload_id=pk, user=request.user)
    except CampaignImportError:
        messages.error(request, _("The workbook could not be imported; nothing was written. See the problems below."))
        return redirect(upload)
    if record.campaign is None:
        messages.error(request, _("This upload cannot be imported. Upload a corrected workbook."))
        return redirect(upload)
    if applied_now:
        # No quotes around the title: offices' titles carry their own (“…”活动).
        messages.success(request, _("Campaign imported: %(title)s") % {"title": record.campaign.title})
    else:
        messages.info(request, _("This workbook was already imported; nothing more was written."))
    return redirect(record.campaign)
