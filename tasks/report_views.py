"""A unit's side of reporting: its workspace, the report form, and evidence downloads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access

from . import services
from .forms import ReportForm, add_service_error
from .models import Attachment, ProgressReport
from .selectors import report_page as report_page_selectors
from .selectors import workspace as workspace_selectors


def workspace(request):
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    found = workspace_selectors.workspace(request.user, page=page)
    return render(
        request,
        "tasks/workspace.html",
        {
            "units": found.units,
            "now": timezone.now(),
            "page": found.page,
            "pages": found.pages,
            "returned_more": found.returned_more,
        },  # fmt: skip
    )


def _initial(page) -> dict:
    if page.report is None:
        prefill = report_page_selectors.report_prefill(page.task, page.unit, page.period)
        return ReportForm.initial_from(prefill, page.indicators)
    report = page.report
    values = {name: getattr(report, name) for name in ProgressReport.CONTENT_FIELDS}
    return {
        **ReportForm.initial_from({**values, "indicator_values": page.indicator_values}, page.indicators),
        "version": report.version,
    }


def report_edit(request, code, number, unit, period):
    concurrent = False
    if request.method == "POST":
        # A save needs only what the service takes; the whole page is read if the form comes back.
        target = report_page_selectors.report_target(request.user, code, number, unit, period)
        form = ReportForm(request.POST, request.FILES, indicators=target.indicators)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.report_save(
                    user=request.user,
                    task=target.task,
                    unit=target.unit,
                    period=target.period,
                    submit=submit,
                    **form.service_arguments(),
                )
            except services.ConcurrentUpdate as error:
                # Nothing was saved: the form comes back with what the user typed, beside the
                # report as it is now, so nothing is lost.
                concurrent = True
                add_service_error(form, error)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if submit:
                    messages.success(request, _("The report was submitted to the supervision office."))
                else:
                    messages.success(request, _("The draft was saved. Only your unit can see it until you submit it."))
                return redirect(request.path)
        page = report_page_selectors.report_page(request.user, code, number, unit, period)
    else:
        page = report_page_selectors.report_page(request.user, code, number, unit, period)
        form = ReportForm(initial=_initial(page), indicators=page.indicators)
    return render(
        request,
        "tasks/report_form.html",
        {
            "page": page,
            "task": page.task,
            "report": page.report,
            "form": form,
            "show_form": page.can_edit or form.is_bound,
            "concurrent": concurrent,
            "now": timezone.now(),
        },
    )


def attachment_download(request, pk):
    """Evidence is served only through here, to those who may read what it is attached to.

    PDFs and images open in the browser, other kinds are downloaded; the content type is the one
    tasks.evidence found in the file, not the one the upload claimed, and nosniff stops the
    browser guessing another. Images and downloads are served as an opaque document
    (`Content-Security-Policy: sandbox`), so no script of a crafted file runs in the app's origin.
    PDFs cannot be: Chromium refuses to start its PDF viewer in a sandboxed document (its bug
    413851) and would show "blocked" instead of the scan. A PDF's scripts run inside the browser's
    own viewer, not in the app's origin, so for PDFs only framing is forbidden."""
    attachment = get_object_or_404(access.visible_to(request.user, Attachment), pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.opens_in_browser,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    is_pdf = attachment.content_type == "application/pdf"
    response["Content-Security-Policy"] = "frame-ancestors 'none'" if is_pdf else "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_remove(request, pk):
    """A unit removes evidence from its draft or returned report; back to the report form."""
    attachment = get_object_or_404(
        access.visible_to(request.user, Attachment)
        .filter(report__isnull=False)
        .select_related("report__task__campaign", "report__period"),
        pk=pk,
    )
    report = attachment.report
    try:
        services.attachment_remove(user=request.user, attachment_id=attachment.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” was removed from the report.") % {"name": attachment.original_name})
    return redirect(report)
