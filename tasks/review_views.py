"""The office's side: the review queue, the compliance matrix, completion and extension decisions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import can_required
from campaigns.models import Campaign
from common.urls import next_or

from . import services
from .forms import DecisionForm, ReviewForm
from .ledger.states import SHOWN_LABELS
from .selectors import matrix as matrix_selectors
from .selectors import requests as requests_selectors
from .selectors import review, scope

REVIEW_PAGE_SIZE = 25  # rows per page: each carries its full report (hidden details); 25 render quickly


def _back(request, default: str):
    """Where a decision form returns to: its `next` field when it is a path of this site."""
    return redirect(next_or(request, default))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@can_required("review")
def review_home(request):
    """Review starts from a campaign: straight there when only one is active."""
    campaigns = list(review.review_campaigns(request.user))
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


@can_required("review")
def review_queue(request, code):
    state = request.GET.get("state", review.WAITING)
    if state not in review.FILTERS:
        state = ""  # "all", or nonsense: every filed report
    filters = {
        "period_number": _int(request.GET.get("period")),
        "unit_id": _int(request.GET.get("unit")),
        "section_id": _int(request.GET.get("section")),
        "state": state,
    }
    queue = review.review_queue(request.user, code, **filters)
    page = Paginator(queue.rows, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = review.queue_rows(request.user, page.object_list, queue)
    query = request.GET.copy()
    query.pop("page", None)
    # The counts are filters: each links to the table of that state.
    states = [(review.WAITING, _("Awaiting review"), queue.waiting, _state_link(request, queue, review.WAITING))] + [
        (value, SHOWN_LABELS[value], queue.counts.get(value, 0), _state_link(request, queue, value))
        for value in review.REVIEW_STATES
    ]
    return render(
        request,
        "tasks/review_queue.html",
        {
            "queue": queue,
            "campaign": queue.campaign,
            "page": page,
            "rows": rows,
            "filters": filters,
            "states": states,
            "all_states": (sum(queue.counts.values()), _state_link(request, queue, "all")),
            "selectable": any(row.awaiting_review and row.report is not None for row in rows),
            "query": query.urlencode(),
        },
    )


@can_required("review")
@require_POST
def review_accept_selected(request, code):
    """Accept the reports ticked in the queue, in one go."""
    campaign = get_object_or_404(access.visible_to(request.user, Campaign), code=code)
    ids = [pk for pk in (_int(value) for value in request.POST.getlist("report")) if pk is not None]
    default = reverse("tasks:review", args=[campaign.code])
    if not ids:
        messages.error(request, _("Tick the reports to accept first."))
        return _back(request, default)
    accepted = services.reports_accept(user=request.user, campaign=campaign, report_ids=ids)
    if accepted:
        messages.success(
            request,
            ngettext("%(count)s report accepted.", "%(count)s reports accepted.", len(accepted))
            % {"count": len(accepted)},
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


@can_required("review")
@require_POST
def review_decide(request, pk):
    report = scope.visible_report(request.user, pk)
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


@can_required("oversee")
def matrix_default(request, code):
    return redirect("tasks:matrix", code=code, period=matrix_selectors.default_period_number(request.user, code))


@can_required("oversee")
def matrix(request, code, period):
    matrix = matrix_selectors.compliance_matrix(
        request.user, code, period, section_id=_int(request.GET.get("section")), state=request.GET.get("state"),
        page_number=request.GET.get("page"),
    )  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "tasks/matrix.html", {"matrix": matrix, "campaign": matrix.campaign, "query": query.urlencode()}
    )


@can_required("decide")
def requests_list(request):
    pending = requests_selectors.pending_requests(request.user)
    return render(request, "tasks/requests.html", {"pending": pending})


def _decide(request, request_obj, decide, approved_message):
    form = DecisionForm(request.POST)
    task = request_obj.task
    default = reverse("tasks:requests")
    if not form.is_valid():
        if "comment" in form.errors:  # over its length limit: say so
            messages.error(
                request, _("%(task)s: %(reason)s") % {"task": task.number, "reason": " ".join(form.errors["comment"])}
            )
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


@can_required("decide")
@require_POST
def completion_decide(request, pk):
    completion = scope.visible_completion_request(request.user, pk)
    return _decide(request, completion, services.completion_request_decide, _("%(task)s: the task was closed off."))


@can_required("decide")
@require_POST
def extension_decide(request, pk):
    extension = scope.visible_extension_request(request.user, pk)
    return _decide(request, extension, services.extension_request_decide, _("%(task)s: the deadline was extended."))
