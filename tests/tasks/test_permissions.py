"""Who sees which reports, and who may act: the rules in accounts.access."""

import pytest

from accounts.access import can, lead_units_for, units_reporting_for, visible_to
from tasks.assignments import assignment_add, assignment_remove
from tasks.models import ProgressReport, TaskAssignment, TaskGroupObjectPermission
from tasks.services import report_save

from ..conftest import at
from ..factories import CampaignFactory, ProgressReportFactory, TaskFactory

pytestmark = pytest.mark.django_db


def report(world, unit, user, *, submit):
    return report_save(
        user=user, task=world.task, unit=unit, period=world.period, progress="进展", percent_complete=10,
        expected_version=None, submit=submit, now=at(2026, 3, 26, 9),
    )  # fmt: skip


@pytest.fixture
def reports(world):
    return {
        "lead_draft": report(world, world.lead, world.lead_liaison, submit=False),
        "support_submitted": report(world, world.support, world.support_liaison, submit=True),
    }


def visible(user):
    return set(visible_to(user, ProgressReport).values_list("pk", flat=True))


def test_own_unit_sees_its_drafts_nobody_else_does(world, reports):
    draft = reports["lead_draft"].pk
    assert draft in visible(world.lead_liaison) and draft in visible(world.lead_head)
    for user in (world.support_liaison, world.other_liaison, world.office, world.leader, world.outsider):
        assert draft not in visible(user), user


def test_lead_unit_sees_supporting_units_submitted_reports_not_the_reverse(world, reports):
    submitted = reports["support_submitted"].pk
    assert submitted in visible(world.lead_liaison) and submitted in visible(world.lead_head)
    lead_submitted = report_save(
        user=world.lead_liaison, task=world.task, unit=world.lead, period=world.period, progress="牵头进展",
        percent_complete=20, expected_version=1, submit=True, now=at(2026, 3, 26, 10),
    ).pk  # fmt: skip
    assert lead_submitted not in visible(world.support_liaison)
    assert submitted in visible(world.support_liaison)
    assert not visible(world.other_liaison) and not visible(world.outsider)


def test_office_and_leaders_see_every_submitted_report(world, reports):
    assert visible(world.office) == visible(world.leader) == {reports["support_submitted"].pk}


def test_a_supporting_unit_does_not_lead(world):
    assert list(lead_units_for(world.lead_liaison, world.task)) == [world.lead]
    assert not lead_units_for(world.support_liaison, world.task).exists()
    assert list(units_reporting_for(world.support_liaison, world.task)) == [world.support]
    assert not units_reporting_for(world.office, world.task).exists()


def test_grants_follow_the_assignments(world):
    assignment_remove(task=world.task, unit=world.support)
    assert not units_reporting_for(world.support_liaison, world.task).exists()
    assignment_add(task=world.task, unit=world.lead, role=TaskAssignment.Role.SUPPORT)
    assignment_add(task=world.task, unit=world.lead, role=TaskAssignment.Role.SUPPORT)  # idempotent
    assert not lead_units_for(world.lead_liaison, world.task).exists()
    assert TaskGroupObjectPermission.objects.filter(content_object=world.task).count() == 1


def test_guardian_sees_the_same_grants(world):
    # django-guardian's own check agrees: the permissions live in its tables, granted to groups.
    assert world.lead_liaison.has_perm("tasks.lead_task", world.task)
    assert world.support_liaison.has_perm("tasks.report_task", world.task)
    assert not world.support_liaison.has_perm("tasks.lead_task", world.task)
    assert not world.other_liaison.has_perm("tasks.report_task", world.task)


def test_a_member_of_two_units_reports_for_both(world, member):
    both = member(world.lead)
    from units.services import membership_add

    membership_add(user=both, unit=world.support, role="liaison")
    assert set(units_reporting_for(both, world.task)) == {world.lead, world.support}


def test_reports_of_draft_campaigns_stay_hidden_from_units(world, assign):
    draft_campaign = CampaignFactory(status="draft")
    task = TaskFactory(campaign=draft_campaign)
    assign(task, world.lead)
    hidden = ProgressReportFactory(task=task, unit=world.lead, status=ProgressReport.Status.DRAFT)
    assert hidden.pk not in visible(world.lead_liaison)


def test_review_and_comment_rights(world):
    assert can(world.office, "review") and not any(
        can(u, "review") for u in (world.leader, world.lead_liaison, world.outsider)
    )
    assert can(world.leader, "comment") and can(world.office, "comment")
    assert not can(world.lead_liaison, "comment") and not can(world.outsider, "comment")


def test_report_scoping_is_one_query_whatever_the_number_of_reports(world, django_assert_num_queries):
    for period in world.campaign.periods.all()[:10]:
        ProgressReportFactory(
            task=world.task, unit=world.support, period=period, status="submitted", submitted_at=period.due_at
        )
    user = world.lead_liaison
    list(visible_to(user, ProgressReport))  # memoises the user's roles
    with django_assert_num_queries(1):
        assert len(list(visible_to(user, ProgressReport))) == 10
