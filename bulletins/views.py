"""Bulletin pages: the list, a new draft, a bulletin, editing and publishing (the office), the
.docx and the printable page. Who sees which bulletin is accounts.access (units: published only);
who may draft, edit and publish is the action "edit_bulletin" (the office)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import can_required
from campaigns.models import Campaign

from . import docx, selectors, services
from .forms import BulletinEditForm, BulletinNewForm

PAGE_SIZE = 50
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def bulletin_list(request):
    page = Paginator(selectors.visible(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bulletins/list.html",
        {"page_obj": page, "rows": page.object_list, "can_edit": access.can(request.user, "edit_bulletin")},
    )


@can_required("edit_bulletin")
def bulletin_new(request):
    if request.method == "POST":
        form = BulletinNewForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                bulletin = services.bulletin_draft(
                    campaign=data["campaign"], period_from=data["period_from_period"],
                    period_to=data["period_to_period"], by=request.user,
                )  # fmt: skip
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("The draft has been written from the ledger; check and edit it."))
                return redirect(bulletin)
    else:
        form = BulletinNewForm(user=request.user, initial=_new_initial(request))
    return render(request, "bulletins/new.html", {"form": form})


def _new_initial(request) -> dict:
    """Last week: the last due period of the campaign named in ?campaign=, else last Monday to
    Sunday (the form counts the periods containing both dates)."""
    campaign = access.visible_to(request.user, Campaign).filter(code=request.GET.get("campaign", "")).first()
    if campaign is None:
        monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
        return {"period_from": monday, "period_to": monday + datetime.timedelta(days=6)}
    start, end = selectors.default_range(campaign)
    if start is None:
        return {"campaign": campaign}
    return {"campaign": campaign, "period_from": start.start_date, "period_to": end.end_date}


def bulletin_detail(request, pk):
    bulletin = selectors.bulletin_for(request.user, pk)
    return render(
        request,
        "bulletins/detail.html",
        {
            "bulletin": bulletin,
            "office": settings.BULLETIN_ISSUING_OFFICE,
            "can_edit": bulletin.is_draft and access.can(request.user, "edit_bulletin"),
        },
    )


def _editable(request, pk):
    """The bulletin if the user may see it (else 404) and edit it (else 403)."""
    bulletin = selectors.bulletin_for(request.user, pk)
    if not access.can(request.user, "edit_bulletin"):
        raise PermissionDenied
    return bulletin


def _published_refusal(request, bulletin):
    messages.error(request, _("This bulletin has been published; it can no longer be changed."))
    return redirect(bulletin)


def bulletin_edit(request, pk):
    bulletin = _editable(request, pk)
    if not bulletin.is_draft:
        return _published_refusal(request, bulletin)
    form = BulletinEditForm.for_bulletin(bulletin, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_update(bulletin=bulletin, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The draft has been saved."))
        return redirect(bulletin)
    return render(request, "bulletins/edit.html", {"bulletin": bulletin, "form": form})


@require_POST
def bulletin_refresh(request, pk):
    bulletin = _editable(request, pk)
    try:
        services.bulletin_refresh_figures(bulletin=bulletin, by=request.user)
    except ValidationError:
        return _published_refusal(request, bulletin)
    messages.success(request, _("The figures and generated texts have been read again from the ledger."))
    return redirect(bulletin)


def bulletin_publish(request, pk):
    """GET: the confirmation; POST: publish (a second POST finds it published and changes nothing)."""
    bulletin = _editable(request, pk)
    if request.method != "POST":
        if not bulletin.is_draft:
            return redirect(bulletin)
        return render(request, "bulletins/publish.html", {"bulletin": bulletin})
    was_draft = bulletin.is_draft
    bulletin = services.bulletin_publish(bulletin=bulletin, by=request.user)
    if was_draft:
        messages.success(request, _("Published as issue No. %(number)s.") % {"number": bulletin.number})
    return redirect(bulletin)


def bulletin_docx(request, pk):
    bulletin = selectors.bulletin_for(request.user, pk)
    content = docx.render(bulletin, selectors.attachment_rows(request.user, bulletin))
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, docx.filename(bulletin))
    return response


def bulletin_print(request, pk):
    bulletin = selectors.bulletin_for(request.user, pk)
    rows = selectors.attachment_rows(request.user, bulletin)
    return render(
        request,
        "bulletins/print.html",
        {"bulletin": bulletin, "rows": rows, "office": settings.BULLETIN_ISSUING_OFFICE},
    )
