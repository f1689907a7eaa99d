"""Reads for the campaign pages: the list with task counts, and a campaign's phases and tasks
grouped by section. Scoped by accounts.access.visible_to."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from campaigns.models import Campaign, Phase, Section

from ..models import Task, TaskAssignment


def campaign_list(user):
    """Visible campaigns with their task counts, computed in SQL."""
    return (
        access.visible_to(user, Campaign)
        .select_related("office_unit")
        .annotate(
            task_count=Count("tasks"),
            open_task_count=Count("tasks", filter=Q(tasks__status=Task.Status.OPEN)),
            closed_task_count=Count("tasks", filter=Q(tasks__status=Task.Status.CLOSED)),
        )
        .order_by("-start_date", "code")
    )


def assignments_prefetches(prefix: str = "") -> list[Prefetch]:
    """Lead and supporting units of tasks as `lead_assignments` / `support_assignments` lists."""
    return [
        Prefetch(
            f"{prefix}assignments",
            queryset=TaskAssignment.objects.filter(role=role).select_related("unit").order_by("sort_order", "id"),
            to_attr=attr,
        )
        for role, attr in (
            (TaskAssignment.Role.LEAD, "lead_assignments"),
            (TaskAssignment.Role.SUPPORT, "support_assignments"),
        )
    ]


@dataclass
class SectionTasks:
    section: Section | None
    tasks: list[Task]


@dataclass
class CampaignDetail:
    campaign: Campaign
    phases: list[Phase]
    current_phase: Phase | None
    sections: list[SectionTasks] = field(default_factory=list)


def _current_phase(phases: list[Phase], today: datetime.date) -> Phase | None:
    return next((phase for phase in phases if phase.start_date <= today <= phase.end_date), None)


def campaign_detail(user, code: str, category: str = "") -> CampaignDetail:
    """A visible campaign with its phases and its tasks grouped by section in natural order;
    only the tasks of one class (Task.Category) when `category` names one.

    Raises Http404 for a campaign the user may not see. Runs a fixed number of queries.
    """
    tasks = access.visible_to(user, Task)
    if category in Task.Category.values:
        tasks = tasks.filter(category=category)
    tasks = tasks.select_related("phase").prefetch_related("leaders", *assignments_prefetches()).order_by("sort_key")
    campaign = get_object_or_404(
        access.visible_to(user, Campaign)
        .select_related("office_unit")
        .prefetch_related("phases", "sections", Prefetch("tasks", queryset=tasks)),
        code=code,
    )
    phases = list(campaign.phases.all())
    by_section: dict[int | None, list[Task]] = {}
    for task in campaign.tasks.all():
        by_section.setdefault(task.section_id, []).append(task)
    # Tasks without a section come first: they are usually a campaign without headings at all.
    sections = [SectionTasks(None, by_section[None])] if None in by_section else []
    sections += [
        SectionTasks(section, by_section.get(section.pk, []))
        for section in campaign.sections.all()
        if section.pk in by_section or not category  # a filtered list leaves out empty sections
    ]
    return CampaignDetail(
        campaign=campaign,
        phases=phases,
        current_phase=_current_phase(phases, timezone.localdate()),
        sections=sections,
    )
