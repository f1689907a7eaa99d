"""The office's side: the review queue, the compliance matrix, completion and extension decisions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import office_or_leader_required, office_required

from . import selectors, services
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
    campaigns = list(selectors.review_campaigns(request.user))
    if len(campaigns) == 1:
        return redirect("tasks:review", code=campaigns[0].code)
    return render(request, "tasks/review_home.html", {"campaigns": campaigns})


@office_required
def review_queue(request, code):
    state = request.GET.get("state", selectors.SUBMITTED)
    if state not in selectors.REVIEW_STATES:
        state = ""
    filters = {
        "period_number": _int(request.GET.get("period")),
        "unit_id": _int(request.GET.get("unit")),
        "section_id": _int(request.GET.get("section")),
        "state": state,
    }
    queue = selectors.review_queue(request.user, code, **filters)
    page = Paginator(queue.reports, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tasks/review_queue.html",
        {
            "queue": queue,
            "campaign": queue.campaign,
            "page": page,
            "filters": filters,
            "states": [
                (value, selectors.STATE_LABELS[value], queue.counts.get(value, 0)) for value in selectors.REVIEW_STATES
            ],
            "query": query.urlencode(),
        },
    )


@office_required
@require_POST
def review_decide(request, pk):
    report = selectors.visible_report(request.user, pk)
    default = reverse("tasks:review", args=[report.task.campaign.code]) + f"?period={report.period.number}"
    form = ReviewForm(request.POST)
    if not form.is_valid():
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
