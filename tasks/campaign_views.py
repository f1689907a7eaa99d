"""The campaign pages: the list, and a campaign with its phases and tasks."""

from django.http import Http404
from django.shortcuts import render

from .deadlines import mark_overdue
from .models import Task
from .selectors import campaign_page as selectors


def campaign_list(request):
    campaigns = selectors.campaign_list(request.user)
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


def campaign_detail(request, code):
    category = request.GET.get("category", "")
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        raise Http404 from None
    detail = selectors.campaign_detail(request.user, code, category, page)
    mark_overdue(task for group in detail.sections for task in group.tasks)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "detail": detail,
            "campaign": detail.campaign,
            "category": category if category in Task.Category.values else "",
            "categories": Task.Category.choices,
        },
    )
