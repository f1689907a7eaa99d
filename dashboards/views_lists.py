"""The drill-down lists behind every number on the dashboards (being built: issue 10, H3)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from accounts import access


def _allowed(user) -> bool:
    return access.can(user, "oversee") or access.can(user, "workspace")


def task_list(request):
    if not _allowed(request.user):
        raise PermissionDenied
    return HttpResponse("")


def report_list(request):
    if not _allowed(request.user):
        raise PermissionDenied
    return HttpResponse("")


def coordination_list(request):
    if not _allowed(request.user):
        raise PermissionDenied
    return HttpResponse("")
