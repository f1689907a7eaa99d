"""The tasks, reports and completion / extension requests a user may see, looked up by the pages.

Tasks follow campaigns.selectors.visible_campaigns_q; reports follow
tasks.permissions.reports_visible_to and nothing else.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from campaigns.selectors import visible_campaigns_q

from ..models import CompletionRequest, ExtensionRequest, ProgressReport, Task
from ..permissions import reports_visible_to


def tasks_visible_to(user):
    """Every task of every campaign the user may see: a unit member sees the campaign's whole list."""
    return Task.objects.filter(visible_campaigns_q(user, prefix="campaign__"))


def visible_task(user, campaign_code: str, number: str) -> Task:
    """A task the user may see, with its campaign; Http404 otherwise."""
    return get_object_or_404(
        tasks_visible_to(user).select_related("campaign"), campaign__code=campaign_code, number=number
    )


def visible_report(user, pk: int) -> ProgressReport:
    return get_object_or_404(reports_visible_to(user).select_related("task__campaign", "unit", "period"), pk=pk)


def visible_completion_request(user, pk: int) -> CompletionRequest:
    return get_object_or_404(CompletionRequest.objects.filter(task__in=tasks_visible_to(user).values("pk")), pk=pk)


def visible_extension_request(user, pk: int) -> ExtensionRequest:
    return get_object_or_404(ExtensionRequest.objects.filter(task__in=tasks_visible_to(user).values("pk")), pk=pk)
