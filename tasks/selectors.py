"""Reads of tasks, scoped by the campaign visibility rule (campaigns.selectors.visible_campaigns_q)."""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from campaigns.selectors import assignments_prefetches, visible_campaigns_q

from .models import ProgressReport, Task, TaskAssignment
from .permissions import reports_visible_to


def tasks_visible_to(user):
    """Every task of every campaign the user may see: a unit member sees the campaign's whole list."""
    return Task.objects.filter(visible_campaigns_q(user, prefix="campaign__"))


@dataclass
class UnitReport:
    """A unit on a task and its latest report the user may read (None: nothing to show)."""

    assignment: TaskAssignment
    report: ProgressReport | None


@dataclass
class TaskDetail:
    task: Task
    sub_items: list[Task]
    unit_reports: list[UnitReport]


def latest_reports(user, task: Task):
    """The latest non-draft report of each unit on the task that the user may read, one query.

    Reports come through tasks.permissions.reports_visible_to: a supporting unit sees only its
    own unit's reports, a lead unit, the office and leaders see every unit's.
    """
    submitted = reports_visible_to(user).filter(task=task).exclude(status=ProgressReport.Status.DRAFT)
    latest_id = submitted.filter(unit=OuterRef("unit")).order_by("-period__number").values("pk")[:1]
    return submitted.filter(pk=Subquery(latest_id)).select_related("period", "submitted_by")


def task_detail(user, campaign_code: str, number: str) -> TaskDetail:
    """A visible task with its units, leaders, milestones, sub-items and latest reports.

    Raises Http404 for a task the user may not see. Runs a fixed number of queries.
    """
    task = get_object_or_404(
        tasks_visible_to(user)
        .select_related("campaign", "section", "phase", "parent")
        .prefetch_related("leaders", "milestones", *assignments_prefetches()),
        campaign__code=campaign_code,
        number=number,
    )
    sub_items = list(
        task.sub_items.select_related("phase").prefetch_related(*assignments_prefetches()).order_by("sort_key")
    )
    reports = {report.unit_id: report for report in latest_reports(user, task)}
    unit_reports = [
        UnitReport(assignment, reports.get(assignment.unit_id))
        for assignment in task.lead_assignments + task.support_assignments
    ]
    return TaskDetail(task=task, sub_items=sub_items, unit_reports=unit_reports)
