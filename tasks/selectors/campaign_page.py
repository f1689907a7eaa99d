"""Reads for the campaign pages: the list with task counts, and a campaign's phases and tasks
grouped by section. Scoped by accounts.access.visible_to."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from accounts import access
from campaigns.models import Campaign, Phase, Section
from common.urls import url_maker

from ..ledger import read_tasks
from ..models import Task, TaskAssignment


def _task_count(**filters) -> Coalesce:
    tasks = Task.objects.filter(campaign_id=OuterRef("pk"), **filters).order_by().values("campaign_id")
    return Coalesce(Subquery(tasks.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


def campaign_list(user):
    """Visible campaigns with their task counts, computed in SQL: a count per campaign along the
    tasks' campaign index, rather than every task joined and the campaigns grouped."""
    return (
        access.visible_to(user, Campaign)
        .select_related("office_unit")
        .annotate(
            task_count=_task_count(),
            open_task_count=_task_count(status=Task.Status.OPEN),
            closed_task_count=_task_count(status=Task.Status.CLOSED),
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


def assignments_prefetch() -> Prefetch:
    """All units of tasks in one query, as `assignment_list`; split_assignments makes the
    `lead_assignments` / `support_assignments` lists that assignments_prefetches gives."""
    return Prefetch(
        "assignments", queryset=TaskAssignment.objects.select_related("unit").order_by("sort_order", "id"),
        to_attr="assignment_list",
    )  # fmt: skip


def split_assignments(tasks) -> None:
    for task in tasks:
        task.lead_assignments = [a for a in task.assignment_list if a.role == TaskAssignment.Role.LEAD]
        task.support_assignments = [a for a in task.assignment_list if a.role == TaskAssignment.Role.SUPPORT]


# Tasks per page of a campaign: a 1,000-task campaign is twenty pages, each rendered in well
# under the 150 ms a page may take at city scale (100 rows took about twice as long).
TASKS_PER_PAGE = 50


# A task number put in the URL once, then replaced by each row's (a task number is digits).
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
    page: int = 1
    pages: int = 1

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _current_phase(phases: list[Phase], today: datetime.date) -> Phase | None:
    return next((phase for phase in phases if phase.start_date <= today <= phase.end_date), None)


def campaign_detail(
    user, code: str, category: str = "", page: int = 1, now: datetime.datetime | None = None
) -> CampaignDetail:
    """A visible campaign with its phases and a page of its tasks (TASKS_PER_PAGE), grouped by
    section in section order and natural order within; only the tasks of one class
    (Task.Category) when `category` names one. Each task carries its ledger figures
    (`figures`: tasks.ledger.read_tasks.TaskFigures).

    Raises Http404 for a campaign the user may not see or a page past the last. Runs a fixed
    number of queries.
    """
    now = now or timezone.now()
    tasks = access.visible_to(user, Task)
    in_class = Q()
    if category in Task.Category.values:
        tasks = tasks.filter(category=category)
        in_class = Q(tasks__category=category)
    campaign = get_object_or_404(
        access.visible_to(user, Campaign)
        .select_related("office_unit")
        .prefetch_related("phases")
        .annotate(task_total=Count("tasks", filter=in_class)),
        code=code,
    )
    pages = max(1, -(-campaign.task_total // TASKS_PER_PAGE))
    if not 1 <= page <= pages:
        raise Http404
    # Tasks without a section come first: they are usually a campaign without headings at all.
    offset = (page - 1) * TASKS_PER_PAGE
    rows = list(
        tasks.filter(campaign=campaign)
        .select_related("phase", "section")
        .prefetch_related("leaders", assignments_prefetch())
        .order_by(F("section__sort_order").asc(nulls_first=True), "section_id", "sort_key")[
            offset : offset + TASKS_PER_PAGE
        ]
    )
    split_assignments(rows)
    figures = read_tasks.task_figures(user, campaign.pk, [task.pk for task in rows], now)
    sections: list[SectionTasks] = []
    # Each row's link and labels from one reverse() and one gettext() per page, not per row.
    task_url = url_maker("tasks:detail", campaign.code)
    filed_label, on_time_label = gettext("%(filed)s of %(owed)s filed"), gettext("%(percent)s%% on time")
    for task in rows:
        task.campaign = campaign  # for its URL, without a query per row
        task.url = task_url(task.number)
        task.figures = figures.get(task.pk, read_tasks.TaskFigures())
        task.now_label = filed_label % {"filed": task.figures.now_filed, "owed": task.figures.now_owed}
        percent = task.figures.on_time_percent
        task.on_time_label = "" if percent is None else on_time_label % {"percent": percent}
        if not sections or sections[-1].section != task.section:
            sections.append(SectionTasks(task.section, []))
        sections[-1].tasks.append(task)
    phases = list(campaign.phases.all())
    return CampaignDetail(
        campaign=campaign,
        phases=phases,
        current_phase=_current_phase(phases, timezone.localdate(now)),
        sections=sections,
        page=page,
        pages=pages,
    )
