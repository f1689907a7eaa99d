"""Writes of task assignments, and the one place that derives the tasks' object permissions.

django-guardian stores which unit reports on and leads which task (accounts.access reads it):
`report_task` for every assigned unit and `lead_task` for lead units, granted to each unit's auth
group. The grants are a copy of the assignments, so every change of assignments (the campaign
import, the admin, the tests' fixtures) goes through this module, which writes the rows and
derives the grants in the same transaction; nothing else writes either, and nothing else calls
`_grants_sync`. A task's status does not change its grants. Deleting a task deletes its
assignments and its grants with it (both cascade).

The reporting ledger's terms (tasks.ledger: from which period a unit owes reports on a task, and
until when) follow the assignments here too, in the same transaction: a unit put on a task owes
from the current period (`from_first_period`: from the campaign's first, as on its first
import), a unit taken off owes nothing after, and what it owed before stays.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import access
from common.history import acting
from units.models import Unit
from units.services import unit_group

from .changes import tasks_changed
from .ledger import sync as ledger
from .models import Task, TaskAssignment, TaskGroupObjectPermission

# What a task's assignments should be: (unit, role, sort order), in the order of the sheet.
Wanted = Sequence[tuple[object, str, int]]


@transaction.atomic
def assignment_add(
    *,
    task: Task,
    unit,
    role: str,
    sort_order: int | None = None,
    by=None,
    now: datetime.datetime | None = None,
    from_first_period: bool = False,
) -> TaskAssignment:
    """Put the unit on the task in the role; a unit already on it takes that role (and order)."""
    assignment = TaskAssignment.objects.filter(task=task, unit=unit).first()
    if assignment is None:
        assignment = TaskAssignment(task=task, unit=unit, role=role, sort_order=sort_order or 0)
    order = assignment.sort_order if sort_order is None else sort_order
    if assignment.pk is None or (assignment.role, assignment.sort_order) != (role, order):
        assignment.role, assignment.sort_order = role, order
        with acting(assignment, by):
            assignment.save()
    _follow({task.pk}, now, from_first_period)
    return assignment


@transaction.atomic
def assignment_remove(*, task: Task, unit, by=None, now: datetime.datetime | None = None) -> None:
    """Take the unit off the task (nothing happens if it is not on it)."""
    for assignment in TaskAssignment.objects.filter(task=task, unit=unit):
        with acting(assignment, by):
            assignment.delete()
    _follow({task.pk}, now)


@transaction.atomic
def assignments_set(*, task: Task, wanted: Wanted, by=None, now=None, from_first_period: bool = False) -> None:
    """Make the task's assignments exactly `wanted` (see assignments_set_many)."""
    assignments_set_many({task: wanted}, by=by, now=now, from_first_period=from_first_period)


@transaction.atomic
def assignments_set_many(
    wanted_by_task: Mapping[Task, Wanted],
    *,
    by=None,
    now: datetime.datetime | None = None,
    from_first_period: bool = False,
) -> None:
    """Make each task's assignments exactly its [(unit, role, order)], as a campaign sheet lists
    them: units not listed leave the task, the others join it or change role or order in place.
    The grants of all the tasks follow at once (an import of many tasks syncs them in one go), and
    new and changed rows are written in bulk with their history: a constant number of statements
    however many tasks."""
    if not wanted_by_task:
        return
    current: dict[int, dict[int, TaskAssignment]] = {task.pk: {} for task in wanted_by_task}
    for assignment in TaskAssignment.objects.filter(task__in=list(wanted_by_task)):
        current[assignment.task_id][assignment.unit_id] = assignment
    created, changed, removed = [], [], []
    for task, wanted in wanted_by_task.items():
        listed = {unit.pk for unit, _role, _order in wanted}
        removed += [assignment for unit_id, assignment in current[task.pk].items() if unit_id not in listed]
        for unit, role, order in wanted:
            assignment = current[task.pk].get(unit.pk)
            if assignment is None:
                # Ids rather than objects: a sheet makes thousands of these.
                created.append(TaskAssignment(task_id=task.pk, unit_id=unit.pk, role=role, sort_order=order))
            elif (assignment.role, assignment.sort_order) != (role, order):
                assignment.role, assignment.sort_order = role, order
                changed.append(assignment)
    # default_user None: the history takes the request's user, as a save would (common.history).
    if removed:
        _delete_with_history(removed, by)
    if created:
        bulk_create_with_history(created, TaskAssignment, default_user=by)
    if changed:
        bulk_update_with_history(changed, TaskAssignment, ["role", "sort_order"], default_user=by)
    _follow({task.pk for task in wanted_by_task}, now, from_first_period)


def _delete_with_history(assignments: list[TaskAssignment], by) -> None:
    """Delete assignments with their "-" history rows, in two statements however many: a delete
    through the ORM writes each history row on its own (django-simple-history's post_delete)."""
    history = TaskAssignment.history.model
    now = timezone.now()
    history.objects.bulk_create(
        history(
            history_type="-", history_date=now, history_change_reason=None,
            history_user=by or history.get_default_history_user(assignment),
            **{field.attname: getattr(assignment, field.attname) for field in history.tracked_fields},
        )
        for assignment in assignments
    )  # fmt: skip
    # Nothing refers to an assignment (grants and terms are keyed by task and unit), so the rows
    # go without the collector, and without the signal that would write their history again.
    TaskAssignment.objects.filter(pk__in=[assignment.pk for assignment in assignments])._raw_delete(
        TaskAssignment.objects.db
    )


@transaction.atomic
def assignments_save(
    *,
    saved: Iterable[TaskAssignment] = (),
    deleted: Iterable[TaskAssignment] = (),
    by=None,
    now: datetime.datetime | None = None,
) -> None:
    """Delete `deleted` and save `saved` as they stand (new rows, or rows changed in place): what
    the admin's assignment forms submit. The grants of every task they touch follow, including a
    task an assignment was moved away from."""
    touched: set[int] = set()
    for assignment in deleted:
        if assignment.pk is None:
            continue
        touched.add(assignment.task_id)
        with acting(assignment, by):
            assignment.delete()
    for assignment in saved:
        if assignment.pk is not None:
            touched.update(TaskAssignment.objects.filter(pk=assignment.pk).values_list("task_id", flat=True))
        with acting(assignment, by):
            assignment.save()
        touched.add(assignment.task_id)
    _follow(touched, now)


def _follow(task_ids: set[int], now: datetime.datetime | None, from_first_period: bool = False) -> None:
    """What follows a change of the tasks' assignments: their grants, and the ledger's terms."""
    _grants_sync(task_ids)
    ledger.terms_sync(task_ids, now=now or timezone.now(), from_first_period=from_first_period)
    tasks_changed(task_ids, now=now)


def _grants_sync(task_ids: set[int]) -> None:
    """Make the tasks' grants exactly what their assignments imply: `report_task` to every
    assigned unit's group, `lead_task` to lead units' groups; grants of units no longer on a task
    go. However many tasks, one query reads their assignments and one their grants, and one
    delete and one insert fix the difference. Private: the services above call it."""
    if not task_ids:
        return
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="tasks", codename__in=[access.REPORT, access.LEAD]
        ).values_list("codename", "pk")
    )
    rows = list(
        TaskAssignment.objects.filter(task_id__in=task_ids).values_list("task_id", "unit_id", "unit__group_id", "role")
    )
    # unit id → its group's id; a unit without one gets it now (its first task).
    groups: dict[int, int] = {unit_id: group_id for _task, unit_id, group_id, _role in rows if group_id}
    for unit in Unit.objects.filter(pk__in={unit_id for _task, unit_id, group_id, _role in rows if not group_id}):
        groups[unit.pk] = unit_group(unit).pk
    wanted = set()
    for task_id, unit_id, _group, role in rows:
        wanted.add((task_id, groups[unit_id], perms[access.REPORT]))
        if role == TaskAssignment.Role.LEAD:
            wanted.add((task_id, groups[unit_id], perms[access.LEAD]))
    existing = {
        (task_id, group_id, permission_id): pk
        for pk, task_id, group_id, permission_id in TaskGroupObjectPermission.objects.filter(
            content_object_id__in=task_ids, permission_id__in=perms.values()
        ).values_list("pk", "content_object_id", "group_id", "permission_id")
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        TaskGroupObjectPermission.objects.filter(pk__in=stale).delete()
    missing = wanted - set(existing)
    if missing:
        TaskGroupObjectPermission.objects.bulk_create(
            TaskGroupObjectPermission(content_object_id=task_id, group_id=group_id, permission_id=permission_id)
            for task_id, group_id, permission_id in sorted(missing)
        )
