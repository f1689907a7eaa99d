"""A small reporting world: one campaign in its fourth week, a task with a lead and a
supporting unit, their liaisons and heads, an office user, a leader and an outsider."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from campaigns.services import ensure_reporting_periods
from tasks.assignments import assignment_add
from tasks.models import TaskAssignment
from units.models import Membership
from units.services import membership_add

from ..factories import CampaignFactory, LeaderFactory, TaskFactory, UnitFactory, UserFactory

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in Asia/Shanghai."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@dataclass
class World:
    campaign: object
    task: object
    lead: object
    support: object
    other: object
    lead_liaison: object
    lead_head: object
    support_liaison: object
    other_liaison: object
    office: object
    leader: object
    outsider: object
    period: object
    previous_period: object


def assign(task, unit, role=TaskAssignment.Role.LEAD):
    """Put a unit on a task the way the import does: assignment plus object permissions."""
    assignment_add(task=task, unit=unit, role=role)


def member(unit, role=Membership.Role.LIAISON, **user_fields):
    user = UserFactory(**user_fields)
    membership_add(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def world(db):
    # Monday 2 March 2026 … 31 December: weekly periods due Friday 18:00.
    campaign = CampaignFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 12, 31))
    ensure_reporting_periods(campaign)
    task = TaskFactory(campaign=campaign, number="1", deadline=datetime.date(2026, 10, 31))
    lead, support, other = UnitFactory(name="区发展和改革局"), UnitFactory(name="区财政局"), UnitFactory(name="区审计局")
    assign(task, lead, TaskAssignment.Role.LEAD)
    assign(task, support, TaskAssignment.Role.SUPPORT)
    # `other` reports on another task of the same campaign: it sees the campaign, not this task's reports.
    assign(TaskFactory(campaign=campaign, number="2"), other)
    office_unit = UnitFactory(name="区委区政府督查室")
    leader_user = UserFactory()
    LeaderFactory(user=leader_user)
    return World(
        campaign=campaign,
        task=task,
        lead=lead,
        support=support,
        other=other,
        lead_liaison=member(lead),
        lead_head=member(lead, Membership.Role.HEAD),
        support_liaison=member(support),
        other_liaison=member(other),
        office=member(office_unit, Membership.Role.OFFICE),
        leader=leader_user,
        outsider=UserFactory(),
        period=campaign.periods.get(number=4),  # 23–27 March, due Friday 27 March 18:00
        previous_period=campaign.periods.get(number=3),
    )
