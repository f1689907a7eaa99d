"""The campaign dashboard and the office overview: for those who oversee (the office and leaders,
as accounts.access says); anyone else is refused (403), and a campaign the user does not see, or
a period outside it, is not found (404)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.decorators import can_required

from .selectors.campaign import DEFAULT_DIRECTION, campaign_dashboard
from .selectors.charts import LIGHTS
from .selectors.overview import office_overview

# The per-unit table's columns, in order (dashboards.selectors.campaign.SORTS sorts by each).
COLUMNS = {
    "unit": _("Unit"),
    "led": _("Tasks led"),
    "supported": _("Tasks supported"),
    "on_time": _("On-time rate"),
    "missing": _("Not reported"),
    "returned": _("Returned"),
    "overdue": _("Overdue tasks led"),
}


def _columns(request, sort: str, direction: str) -> list[dict]:
    """Each column's header: its sort link (the other direction when it is the sorted one) and
    its aria-sort. Sorting is a plain link, so it works without JavaScript."""
    columns = []
    for key, label in COLUMNS.items():
        query = request.GET.copy()
        sorted_ = key == sort
        query["sort"] = key
        query["dir"] = ("asc" if direction == "desc" else "desc") if sorted_ else DEFAULT_DIRECTION.get(key, "desc")
        columns.append(
            {
                "key": key,
                "label": label,
                "query": query.urlencode(),
                "sorted": sorted_,
                "aria": "ascending" if direction == "asc" else "descending",
            }
        )
    return columns


def _with(request, **params) -> str:
    query = request.GET.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


@can_required("oversee")
def campaign(request, code):
    now = timezone.now()
    dashboard = campaign_dashboard(
        request.user,
        code,
        now=now,
        period_id=request.GET.get("period"),
        sort=request.GET.get("sort"),
        direction=request.GET.get("dir"),
        all_units=request.GET.get("units") == "all",
    )
    if not access.can(request.user, "oversee", dashboard.campaign):
        raise PermissionDenied
    return render(
        request,
        "dashboards/campaign.html",
        {
            "dashboard": dashboard,
            "campaign": dashboard.campaign,
            "columns": _columns(request, dashboard.sort, dashboard.direction),
            "all_units_query": _with(request, units="all"),
            # The office tunes the campaign's light rules (lights:rules); others only read the lights.
            "can_tune_lights": access.can(request.user, "manage"),
        },
    )


@can_required("oversee")
def overview(request):
    return render(
        request,
        "dashboards/overview.html",
        {"overview": office_overview(request.user, now=timezone.now()), "lights": LIGHTS},
    )
