"""The office's side: the review queue, the compliance matrix, completion and extension decisions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import office_or_leader_required, office_required
from campaigns.selectors import campaigns_visible_to

from . import review_selectors, selectors, services
from .forms import DecisionForm, ReviewForm

REVIEW_PAGE_SIZE = 50


def _back(request, default: str):
    """Where a decision form returns to: its `next` field when it is a path of this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@office_required
def review_home(request):
    """Review starts from a campaign: straight there when only one is active."""
    campaigns = list(review_selectors.review_campaigns(request.user))
    if len(campaigns) == 1:
        return redirect("tasks:review", code=campaigns[0].code)
    return render(request, "tasks/review_home.html", {"campaigns": campaigns})


def _state_link(request, queue, state: str) -> str:
    """The queue's address filtered to one state ("all" for every state), other filters kept."""
    query = request.GET.copy()
    query.pop("page", None)
    query["state"] = state
    if queue.period is not None:
        query["period"] = queue.period.number
    return "?" + query.urlencode()


@office_required
def review_queue(request, code):
    state = request.GET.get("state", review_selectors.SUBMITTED)
    if state not in review_selectors.REVIEW_STATES:
        state = ""
    filters = {
        "period_number": _int(request.GET.get("period")),
        "unit_id": _int(request.GET.get("unit")),
        "section_id": _int(request.GET.get("section")),
        "state": state,
    }
    queue = review_selectors.review_queue(request.user, code, **filters)
    page = Paginator(queue.reports, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The counts are filters: each links to the table of that state.
    states = [
        (value, selectors.STATE_LABELS[value], queue.counts.get(value, 0), _state_link(request, queue, value))
        for value in review_selectors.REVIEW_STATES
    ]
    return render(
        request,
        "tasks/review_queue.html",
        {
            "queue": queue,
            "campaign": queue.campaign,
            "page": page,
            "filters": filters,
            "states": states,
            "all_states": (sum(queue.counts.values()), _state_link(request, queue, "all")),
            "selectable": any(report.status == review_selectors.SUBMITTED for report in page.object_list),
            "query": query.urlencode(),
        },
    )


@office_required
@require_POST
def review_accept_selected(request, code):
    """Accept the reports ticked in the queue, in one go."""
    campaign = get_object_or_404(campaigns_visible_to(request.user), code=code)
    ids = [pk for pk in (_int(value) for value in request.POST.getlist("report")) if pk is not None]
    default = reverse("tasks:review", args=[campaign.code])
    if not ids:
        messages.error(request, _("Tick the reports to accept first."))
        return _back(request, default)
    accepted = services.reports_accept(user=request.user, campaign=campaign, report_ids=ids)
    if accepted:
        messages.success(
            request,
            ngettext("%(count)s report accepted.", "%(count)s reports accepted.", len(accepted)) % {"count": len(accepted)},
        )
    if len(accepted) < len(set(ids)):
        skipped = len(set(ids)) - len(accepted)
        messages.warning(
            request,
            ngettext(
                "%(count)s report was not waiting for review any more (decided meanwhile?).",
                "%(count)s reports were not waiting for review any more (decided meanwhile?).",
                skipped,
            )
            % {"count": skipped},
        )
    return _back(request, default)


@office_required
@require_POST
def review_decide(request, pk):
    report = selectors.visible_report(request.user, pk)
    default = reverse("tasks:review", args=[report.task.campaign.code]) + f"?period={report.period.number}"
    form = ReviewForm(request.POST)
    if not form.is_valid():
        if "comment" in form.errors:  # over its length limit: say so, naming the report
            reason = " ".join(form.errors["comment"])
            messages.error(
                request,
                _("%(task)s · %(unit)s: %(reason)s")
                % {"task": report.task.number, "unit": report.unit.display_name, "reason": reason},
            )
        else:
            messages.error(request, _("Choose to accept or to return the report."))
        return _back(request, default)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.report_review(
            user=request.user, report_id=report.pk, accept=accept, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(
            request,
            _("%(task)s · %(unit)s: %(reason)s")
            % {"task": report.task.number, "unit": report.unit.display_name, "reason": _refusal(error)},
        )
    else:
        message = _("%(task)s · %(unit)s: accepted.") if accept else _("%(task)s · %(unit)s: returned to the unit.")
        messages.success(request, message % {"task": report.task.number, "unit": report.unit.display_name})
    return _back(request, default)


@office_or_leader_required
def matrix_default(request, code):
    return redirect("tasks:matrix", code=code, period=selectors.default_period_number(request.user, code))


@office_or_leader_required
def matrix(request, code, period):
    matrix = selectors.compliance_matrix(request.user, code, period)
    return render(request, "tasks/matrix.html", {"matrix": matrix, "campaign": matrix.campaign})


@office_required
def requests_list(request):
    pending = selectors.pending_requests(request.user)
    return render(request, "tasks/requests.html", {"pending": pending})


def _decide(request, request_obj, decide, approved_message):
    form = DecisionForm(request.POST)
    task = request_obj.task
    default = reverse("tasks:requests")
    if not form.is_valid():
        if "comment" in form.errors:  # over its length limit: say so
            messages.error(request, _("%(task)s: %(reason)s") % {"task": task.number, "reason": " ".join(form.errors["comment"])})
        else:
            messages.error(request, _("Choose to approve or to reject the request."))
        return _back(request, default)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decide(user=request.user, request_id=request_obj.pk, approve=approve, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, _("%(task)s: %(reason)s") % {"task": task.number, "reason": _refusal(error)})
    else:
        message = approved_message if approve else _("%(task)s: the request was rejected.")
        messages.success(request, message % {"task": task.number})
    return _back(request, default)


@office_required
@require_POST
def completion_decide(request, pk):
    completion = selectors.visible_completion_request(request.user, pk)
    return _decide(request, completion, services.completion_request_decide, _("%(task)s: the task was closed off."))


@office_required
@require_POST
def extension_decide(request, pk):
    extension = selectors.visible_extension_request(request.user, pk)
    return _decide(request, extension, services.extension_request_decide, _("%(task)s: the deadline was extended."))
