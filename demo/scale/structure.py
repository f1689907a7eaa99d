"""Campaigns (sections, phases, weekly periods as campaigns.services derives them), tasks, their
leaders and assignments, the ledger's terms and the guardian grants tasks.assignments derives."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts import access
from campaigns.models import Campaign, Phase, ReportingPeriod, Section
from campaigns.services import ensure_reporting_periods
from tasks.models import AssignmentTerm, Task, TaskAssignment, TaskGroupObjectPermission
from tasks.numbering import sort_key

from .copy import copy_rows
from .people import People

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(weeks=1)
LEAD, SUPPORT = TaskAssignment.Role.LEAD, TaskAssignment.Role.SUPPORT
BIG_CAMPAIGN_TASKS = 1000
# The busiest unit's share of leads and of support places: a few hundred tasks at city scale.
BUSIEST_LEAD, BUSIEST_SUPPORT = 0.04, 0.02
SUPPORTS = [(0, 0.02), (1, 0.10), (2, 0.28), (3, 0.60)]
CLOSED_PAST_DEADLINE, CLOSED_EARLY = 0.6, 0.03


@dataclass
class Term:
    task_id: int
    unit_id: int
    role: str
    first_period_number: int
    started_at: datetime.datetime
    ended_at: datetime.datetime | None


@dataclass
class Structure:
    campaigns: list[Campaign] = field(default_factory=list)
    periods: dict[int, list[ReportingPeriod]] = field(default_factory=dict)  # campaign → periods by number
    tasks: dict[int, tuple[int, datetime.datetime | None]] = field(default_factory=dict)  # task → campaign, closed_at
    terms: list[Term] = field(default_factory=list)
    assignments: int = 0
    grants: int = 0
    busiest_unit_id: int = 0


def _local(day: datetime.date, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _campaign_dates(index: int, count: int, weeks: int, today: datetime.date):
    """(start, end, status): about half two years long ending around today, some shorter and
    still running, a couple closed."""
    closed = 2 if count >= 10 else (1 if count >= 2 else 0)
    long_ = max(1, (count - closed) // 2)
    if index < long_:
        start = today - (weeks - 3) * WEEK - (index % 3) * DAY
        return start, start + weeks * WEEK - DAY, Campaign.Status.ACTIVE
    if index < count - closed:
        length = 20 + (index * 7) % 40
        start = today - int(length * 0.6) * WEEK - (index % 5) * DAY
        return start, start + length * WEEK - DAY, Campaign.Status.ACTIVE
    end = today - (4 + 6 * (count - index)) * WEEK
    return end - 26 * WEEK + DAY, end, Campaign.Status.CLOSED


def build_campaigns(*, count: int, weeks: int, today: datetime.date, office_unit_id: int) -> Structure:
    structure = Structure()
    rows = []
    for index in range(count):
        start, end, status = _campaign_dates(index, count, weeks, today)
        title = "重点任务攻坚专项行动" if index == 0 else f"城区专项行动第{index + 1}号"
        rows.append(
            Campaign(
                code=f"scale-{index + 1:02d}", title=title, document_number=f"城督〔{start.year}〕{index + 1}号",
                issuing_body="中共城区委员会办公室", issue_date=start - 7 * DAY, start_date=start, end_date=end,
                status=status, office_name="区委区政府督查室", office_unit_id=office_unit_id,
            )
        )  # fmt: skip
    structure.campaigns = Campaign.objects.bulk_create(rows)
    for campaign in structure.campaigns:
        ensure_reporting_periods(campaign)
    for period in ReportingPeriod.objects.order_by("campaign_id", "number"):
        structure.periods.setdefault(period.campaign_id, []).append(period)
    return structure


def _task_counts(tasks: int, campaigns: int) -> list[int]:
    big = min(BIG_CAMPAIGN_TASKS, tasks // 5) if campaigns > 1 else tasks
    rest = tasks - big
    others = campaigns - 1
    return [big] + [rest // others + (1 if i < rest % others else 0) for i in range(others)] if others else [big]


def _pick_units(rng: random.Random, unit_ids: list[int], busiest: int) -> list[tuple[int, str]]:
    """1 lead and 0–3 supporting units, the busiest unit more often than the others."""
    lead = busiest if rng.random() < BUSIEST_LEAD else rng.choice(unit_ids)
    chosen = [(lead, LEAD)]
    supports = rng.choices([n for n, _w in SUPPORTS], weights=[w for _n, w in SUPPORTS])[0]
    taken = {lead}
    for _ in range(min(supports, len(unit_ids) - 1)):
        unit = busiest if rng.random() < BUSIEST_SUPPORT and busiest not in taken else rng.choice(unit_ids)
        while unit in taken:
            unit = rng.choice(unit_ids)
        taken.add(unit)
        chosen.append((unit, SUPPORT))
    return chosen


def build_tasks(structure: Structure, people: People, *, tasks: int, now: datetime.datetime, rng: random.Random):
    today = timezone.localdate(now)
    unit_ids = people.unit_ids
    structure.busiest_unit_id = busiest = unit_ids[0]
    task_rows, section_rows, phase_rows, leader_rows, assignment_rows, grant_rows = [], [], [], [], [], []
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="tasks", codename__in=[access.REPORT, access.LEAD]
        ).values_list("codename", "pk")
    )
    group_of = {unit_id: people.unit_groups[unit_id] for unit_id in unit_ids}
    task_pk = 0
    for campaign, task_count in zip(structure.campaigns, _task_counts(tasks, len(structure.campaigns)), strict=True):
        periods = structure.periods[campaign.pk]
        begun = [p for p in periods if p.start_date <= today]
        created = _local(campaign.start_date - 3 * DAY, 9)
        sections = max(1, task_count // 100)
        section_ids = []
        for s in range(sections):
            section_ids.append(len(section_rows) + 1)
            section_rows.append((section_ids[-1], campaign.pk, f"（{s + 1}）第{s + 1}部分重点任务", s))
        span = (campaign.end_date - campaign.start_date).days
        phase_ids = []
        for p, (name, a, b) in enumerate(
            [("动员部署阶段", 0, 0.1), ("集中攻坚阶段", 0.1, 0.8), ("总结验收阶段", 0.8, 1)]
        ):
            start = campaign.start_date + datetime.timedelta(days=int(span * a) + (1 if p else 0))
            end = campaign.start_date + datetime.timedelta(days=int(span * b))
            phase_ids.append(len(phase_rows) + 1)
            phase_rows.append((phase_ids[-1], campaign.pk, name, start, max(start, end), p))
        for n in range(1, task_count + 1):
            task_pk += 1
            number = str(n)
            deadline = campaign.start_date + datetime.timedelta(days=rng.randint(span // 2, span + 56))
            closed_at = None
            # Most tasks past their deadline were closed off (销号) around it; the others are
            # overdue. A few are closed early.
            if deadline < today and rng.random() < CLOSED_PAST_DEADLINE:
                closed_at = _local(deadline + rng.randint(-10, 10) * DAY, 15)
            elif begun and rng.random() < CLOSED_EARLY:
                closed_at = _local(rng.choice(begun).start_date + 2 * DAY, 15)
            if closed_at is not None:
                closed_at = max(min(closed_at, now - datetime.timedelta(hours=1)), created + DAY)
            status = Task.Status.CLOSED if closed_at else Task.Status.OPEN
            task_rows.append((
                task_pk, campaign.pk, section_ids[(n - 1) * sections // task_count], number, sort_key(number), None,
                f"重点任务{campaign.pk}-{n}：推进城区重点工作第{n}项", "按照专项行动方案要求，细化措施、压实责任、按期完成。",
                phase_ids[min(2, 3 * (n - 1) // task_count)], deadline, deadline, "", status, closed_at, created,
                closed_at or created,
            ))  # fmt: skip
            structure.tasks[task_pk] = (campaign.pk, closed_at)
            for leader_id in rng.sample(people.leader_ids, min(len(people.leader_ids), rng.randint(1, 2))):
                leader_rows.append((len(leader_rows) + 1, task_pk, leader_id))
            chosen = _pick_units(rng, unit_ids, busiest)
            for order, (unit_id, role) in enumerate(chosen):
                assignment_rows.append((len(assignment_rows) + 1, task_pk, unit_id, role, order))
                structure.terms.append(Term(task_pk, unit_id, role, 1, created, None))
                grant_rows.append((len(grant_rows) + 1, perms[access.REPORT], group_of[unit_id], task_pk))
                if role == LEAD:
                    grant_rows.append((len(grant_rows) + 1, perms[access.LEAD], group_of[unit_id], task_pk))
            _changes(structure, rng, task_pk, chosen, begun, unit_ids, assignment_rows, grant_rows, perms, group_of)
    copy_rows(Section, ["id", "campaign_id", "title", "sort_order"], section_rows)
    copy_rows(Phase, ["id", "campaign_id", "name", "start_date", "end_date", "sort_order"], phase_rows)
    task_fields = [
        "id", "campaign_id", "section_id", "number", "sort_key", "parent_id", "title", "description", "phase_id",
        "deadline", "original_deadline", "category", "status", "closed_at", "created_at", "updated_at",
    ]  # fmt: skip
    copy_rows(Task, task_fields, task_rows)
    copy_rows(Task.leaders.through, ["id", "task_id", "leader_id"], leader_rows)
    structure.assignments = copy_rows(
        TaskAssignment, ["id", "task_id", "unit_id", "role", "sort_order"], assignment_rows
    )
    copy_rows(
        AssignmentTerm,
        ["id", "task_id", "unit_id", "role", "first_period_number", "started_at", "ended_at"],
        ((i + 1, t.task_id, t.unit_id, t.role, t.first_period_number, t.started_at, t.ended_at)
         for i, t in enumerate(structure.terms)),
    )  # fmt: skip
    structure.grants = copy_rows(
        TaskGroupObjectPermission, ["id", "permission_id", "group_id", "content_object_id"], grant_rows
    )
    return structure


def _changes(structure, rng, task_pk, chosen, begun, unit_ids, assignment_rows, grant_rows, perms, group_of):
    """A unit added halfway (it owes from the period it joined in) or a supporting unit taken off
    (its term ends; it keeps what it owed before), as re-imports do."""
    if len(begun) < 3:
        return
    roll = rng.random()
    if roll < 0.05:
        taken = {unit for unit, _role in chosen}
        unit_id = rng.choice(unit_ids)
        if unit_id in taken:
            return
        period = rng.choice(begun[1:-1])
        started = _local(period.start_date, 10)
        assignment_rows.append((len(assignment_rows) + 1, task_pk, unit_id, SUPPORT, len(chosen)))
        structure.terms.append(Term(task_pk, unit_id, SUPPORT, period.number, started, None))
        grant_rows.append((len(grant_rows) + 1, perms[access.REPORT], group_of[unit_id], task_pk))
    elif roll < 0.08 and len(chosen) > 1:
        # The last supporting unit was on the task until some begun period; it is no longer assigned.
        unit_id, _role = chosen[-1]
        period = rng.choice(begun[1:-1])
        term = next(t for t in reversed(structure.terms) if t.task_id == task_pk and t.unit_id == unit_id)
        term.ended_at = _local(period.start_date, 11)
        assignment_rows.pop()
        grant_rows.pop()  # its report_task grant, the last one written (supports have no lead grant)
