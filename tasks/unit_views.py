"""The unit directory and a unit's page with its tasks (they count and list tasks, hence in tasks)."""

from django.shortcuts import render

from . import unit_selectors as selectors
from .deadlines import mark_overdue


def unit_list(request):
    query = request.GET.get("q", "")
    units = selectors.unit_list(request.user, query)
    return render(request, "units/unit_list.html", {"units": units, "query": query})


def unit_detail(request, pk):
    unit = selectors.unit_detail(pk)
    assignments, totals = selectors.unit_page_tasks(request.user, unit, request.GET.get("page") or 1)
    mark_overdue(assignment.task for assignment in assignments)
    return render(request, "units/unit_detail.html", {"unit": unit, "assignments": assignments, "totals": totals})
