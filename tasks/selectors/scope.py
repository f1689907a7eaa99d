"""The tasks, reports and completion / extension requests a user may see, looked up by the pages.

What a user may see is accounts.access.visible_to's answer and nothing else; these are the
pages' lookups through it.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts import access

from ..models import CompletionRequest, ExtensionRequest, ProgressReport, Task


def visible_task(user, campaign_code: str, number: str) -> Task:
    """A task the user may see, with its campaign; Http404 otherwise."""
    return get_object_or_404(
        access.visible_to(user, Task).select_related("campaign"), campaign__code=campaign_code, number=number
    )


def visible_report(user, pk: int) -> ProgressReport:
    return get_object_or_404(
        access.visible_to(user, ProgressReport).select_related("task__campaign", "unit", "period"), pk=pk
    )


def visible_completion_request(user, pk: int) -> CompletionRequest:
    return get_object_or_404(access.visible_to(user, CompletionRequest), pk=pk)


def visible_extension_request(user, pk: int) -> ExtensionRequest:
    return get_object_or_404(access.visible_to(user, ExtensionRequest), pk=pk)
