"""Tell the apps above tasks that some tasks changed in what they derive from them.

The traffic lights (lights/, above tasks) are computed from a task's deadline, status,
assignments and the ledger's states of its reports. tasks may not import lights (layers run
tasks → lights, never back), so lights registers a handler here from its AppConfig.ready(), and
every tasks service that changes one of those inputs (a report submitted, returned or accepted,
a task closed or reopened, a deadline moved, assignments changed) calls `tasks_changed` inside
its own transaction: what the handler writes commits or rolls back with the change itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from .ledger import coordination

# handler(task_ids=frozenset[int], now=datetime | None) -> object
TaskChangeHandler = Callable[..., object]

_handlers: list[TaskChangeHandler] = []


def _name(handler: TaskChangeHandler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def register_task_change_handler(handler: TaskChangeHandler) -> None:
    """Call `handler(task_ids=..., now=...)` whenever tasks_changed is. Idempotent (ready() may run
    twice in some test setups): a handler already registered, by dotted name, is not added again."""
    if all(_name(known) != _name(handler) for known in _handlers):
        _handlers.append(handler)


def tasks_changed(task_ids: Iterable[int], *, now: datetime.datetime | None = None) -> None:
    """The tasks changed: their open coordination requests are rewritten (tasks.ledger.coordination),
    then every registered handler runs, all in the caller's transaction."""
    ids = frozenset(task_id for task_id in task_ids if task_id is not None)
    if not ids:
        return
    coordination.refresh_tasks(ids)
    for handler in _handlers:
        handler(task_ids=ids, now=now)


# handler(campaign_ids=frozenset[int]) -> object
_deleted_handlers: list[Callable[..., object]] = []


def register_tasks_deleted_handler(handler: Callable[..., object]) -> None:
    """Call `handler(campaign_ids=...)` after tasks of those campaigns were deleted, in the same
    transaction: what an app above derived from the tasks and kept per campaign (the lights'
    weekly counts) is recounted without them. Idempotent, as register_task_change_handler."""
    if all(_name(known) != _name(handler) for known in _deleted_handlers):
        _deleted_handlers.append(handler)


def tasks_deleted(campaign_ids: Iterable[int]) -> None:
    """Tasks of the campaigns were deleted (tasks.ledger.sync.tasks_delete): every registered
    handler runs, in the caller's transaction."""
    ids = frozenset(campaign_ids)
    if ids:
        for handler in _deleted_handlers:
            handler(campaign_ids=ids)
