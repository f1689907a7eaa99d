"""A unit's side of reporting: its workspace, the report form, and evidence downloads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions, selectors, services
from .forms import ReportForm, add_service_error


def workspace(request):
    units = selectors.workspace(request.user)
    return render(request, "tasks/workspace.html", {"units": units, "now": timezone.now()})


def _initial(page) -> dict:
    if page.report is None:
        return ReportForm.initial_from(selectors.report_prefill(page.task, page.unit, page.period), page.indicators)
    report = page.report
    values = {
        name: getattr(report, name)
        for name in (
            "progress",
            "problems",
            "next_steps",
            "percent_complete",
            "needs_coordination",
            "coordination_request",
        )
    }
    return {
        **ReportForm.initial_from({**values, "indicator_values": page.indicator_values}, page.indicators),
        "version": report.version,
    }


def report_edit(request, code, number, unit, period):
    page = selectors.report_page(request.user, code, number, unit, period)
    concurrent = False
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, indicators=page.indicators)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.report_save(
                    user=request.user,
                    task=page.task,
                    unit=page.unit,
                    period=page.period,
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
    else:
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
    """Evidence is served only through here, to those who may read what it is attached to."""
    attachment = get_object_or_404(permissions.attachments_visible_to(request.user), pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )
