"""Passed deadlines: how many working days an open task is past its deadline (超期 N 个工作日).

Pages mark every task they show in one go, with one working-day calendar per page (one query
for the office's calendar adjustments, none when nothing is overdue), never one per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from common.workdays import WorkCalendar

from .models import Task


def mark_overdue(tasks: Iterable[Task], today: datetime.date | None = None) -> list[Task]:
    """Set `overdue_workdays` on each task: None when it is closed, has no deadline or the
    deadline has not passed; else the working days after the deadline up to and including today
    (0 on a weekend right after a Friday deadline). Returns the tasks as a list."""
    tasks = list(tasks)
    today = today or timezone.localdate()
    late = [task for task in tasks if task.status == Task.Status.OPEN and task.deadline and task.deadline < today]
    for task in tasks:
        task.overdue_workdays = None
    if not late:
        return tasks
    start = min(task.deadline for task in late)
    calendar = WorkCalendar(start, today)
    # Working days counted from `start`, day by day, once: each task's figure is a difference.
    counted, day, total = {start: 0}, start, 0
    while day < today:
        day += datetime.timedelta(days=1)
        total += calendar.is_workday(day)
        counted[day] = total
    for task in late:
        task.overdue_workdays = total - counted[task.deadline]
    return tasks
