from django.shortcuts import render

from . import selectors


def campaign_list(request):
    campaigns = selectors.campaign_list(request.user)
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns})


def campaign_detail(request, code):
    detail = selectors.campaign_detail(request.user, code)
    return render(request, "campaigns/campaign_detail.html", {"detail": detail, "campaign": detail.campaign})
