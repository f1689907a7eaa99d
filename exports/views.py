"""The export page, the download of a stored export, and the office's export log."""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.decorators import can_required

from . import services
from .filters import FilterError
from .forms import ExportForm
from .models import ExportFile, ExportRecord

MY_FILES = 20  # the requester's latest stored exports shown on the page
LOG_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PREFILL = ("kind", "campaign", "period", "unit", "phase", "section", "state")


@can_required("export")
def index(request):
    """GET: the form (prefilled from the query, e.g. a dashboard's 导出台账 link) and the user's
    latest stored files; POST, or GET with `download`: export. The choices of a campaign's
    periods follow the campaign chosen: 刷新选项 (`refresh`) shows them without exporting."""
    exporting = (request.method == "POST" and "refresh" not in request.POST) or "download" in request.GET
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user)
    elif exporting:
        form = ExportForm(request.GET, user=request.user)
    else:
        form = ExportForm(user=request.user, initial={k: request.GET[k] for k in PREFILL if k in request.GET})
    if exporting:
        if form.is_valid():
            return _export(request, form)
        return _page(request, form, status=400)
    return _page(request, form)


def _export(request, form):
    filters = form.cleaned_data["filters"]
    if not access.can(request.user, "export", filters.campaign):
        raise PermissionDenied
    try:
        outcome = services.export_request(user=request.user, kind=form.cleaned_data["kind"], filters=filters)
    except FilterError as error:  # a filter this kind does not read (a state of another kind)
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _page(request, form, status=400)
    except services.NothingToExport as empty:  # a valid request with no rows: said on the page
        form.add_error(None, str(empty))
        return _page(request, form)
    if outcome.is_async:
        messages.info(
            request,
            _("The export is large (%(rows)s rows): it is being written in the background and you will be notified when it is ready.")
            % {"rows": outcome.rows},
        )  # fmt: skip
        return redirect("exports:index")
    handle = open(outcome.file_path, "rb")  # noqa: SIM115 - FileResponse closes it
    # Unlinked while open: the response still streams it, and nothing is left behind on disk.
    os.unlink(outcome.file_path)
    return FileResponse(handle, as_attachment=True, filename=outcome.filename, content_type=XLSX)


def _page(request, form, status=200):
    files = access.visible_to(request.user, ExportFile).select_related("campaign")[:MY_FILES]
    context = {"form": form, "files": files, "now": timezone.now()}
    return render(request, "exports/index.html", context, status=status)


def download(request, pk):
    """A stored export, to its requester only (others: 404); once expired, 410 with a page that says so."""
    export_file = get_object_or_404(access.visible_to(request.user, ExportFile), pk=pk)
    if export_file.is_expired():
        return render(request, "exports/expired.html", {"export_file": export_file}, status=410)
    if export_file.status != ExportFile.Status.READY:
        return render(request, "exports/pending.html", {"export_file": export_file})
    try:
        handle = export_file.file.open("rb")
    except FileNotFoundError:  # removed from storage by hand: as good as expired
        return render(request, "exports/expired.html", {"export_file": export_file}, status=410)
    return FileResponse(handle, as_attachment=True, filename=export_file.filename, content_type=XLSX)


@can_required("manage")
def log(request):
    """The office's audit trail: who exported what, when, with which filters and how many rows."""
    records = access.visible_to(request.user, ExportRecord).select_related("user", "campaign", "file")
    page = Paginator(records, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    from .kinds import KINDS  # when first needed, like exports.services.get_kind

    for record in page.object_list:
        kind = KINDS.get(record.kind)
        record.kind_title = kind.title if kind else record.kind
    return render(request, "exports/log.html", {"page": page})
