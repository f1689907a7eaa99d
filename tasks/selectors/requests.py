"""Completion and extension requests waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts import access

from ..models import CompletionRequest, Decision, ExtensionRequest, Task


@dataclass
class PendingRequests:
    completions: list[CompletionRequest]
    extensions: list[ExtensionRequest]


def pending(user, model) -> QuerySet:
    """Requests of `model` (CompletionRequest or ExtensionRequest) waiting for a decision, on open
    tasks the user may see (a task closed off takes no more decisions). The requests page lists
    these and the office's 工作台 counts them."""
    return access.visible_to(user, model).filter(status=Decision.PENDING, task__status=Task.Status.OPEN)


def pending_requests(user) -> PendingRequests:
    """Completion and extension requests waiting for a decision (`pending`), oldest first."""
    return PendingRequests(
        completions=list(
            pending(user, CompletionRequest)
            .select_related("task__campaign", "unit", "requested_by")
            .prefetch_related("attachments")
            .order_by("requested_at")
        ),
        extensions=list(
            pending(user, ExtensionRequest)
            .select_related("task__campaign", "unit", "requested_by")
            .order_by("requested_at")
        ),
    )
