from django.shortcuts import render

from . import selectors


def unit_list(request):
    query = request.GET.get("q", "")
    units = selectors.unit_list(request.user, query)
    return render(request, "units/unit_list.html", {"units": units, "query": query})


def unit_detail(request, pk):
    unit = selectors.unit_detail(pk)
    assignments = selectors.unit_tasks(request.user, unit)
    return render(request, "units/unit_detail.html", {"unit": unit, "assignments": assignments})
