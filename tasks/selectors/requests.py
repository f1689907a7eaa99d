"""Completion and extension requests waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import access

from ..models import CompletionRequest, Decision, ExtensionRequest, Task


@dataclass
class PendingRequests:
    completions: list[CompletionRequest]
    extensions: list[ExtensionRequest]


def pending_requests(user) -> PendingRequests:
    """Completion and extension requests waiting for a decision, on open tasks the user may see
    (a task closed off takes no more decisions)."""
    pending_on_open_task = {"status": Decision.PENDING, "task__status": Task.Status.OPEN}
    return PendingRequests(
        completions=list(
            access.visible_to(user, CompletionRequest)
            .filter(**pending_on_open_task)
            .select_related("task__campaign", "unit", "requested_by")
            .prefetch_related("attachments")
            .order_by("requested_at")
        ),
        extensions=list(
            access.visible_to(user, ExtensionRequest)
            .filter(**pending_on_open_task)
            .select_related("task__campaign", "unit", "requested_by")
            .order_by("requested_at")
        ),
    )
