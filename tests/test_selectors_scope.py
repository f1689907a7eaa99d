"""The one visibility rule, checked on the selectors and on the pages that use them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts import roles
from accounts.access import visible_to
from campaigns.models import Campaign
from tasks.models import Task, TaskAssignment
from tasks.unit_selectors import unit_tasks
from tests.factories import (
    CampaignFactory,
    LeaderFactory,
    MembershipFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """Two units, campaigns with and without unit A, a draft, and one user of every kind."""
    unit_a, unit_b = UnitFactory(name="区发展和改革局"), UnitFactory(name="区财政局")
    campaigns = {
        "mine": CampaignFactory(code="mine"),
        "mine-closed": CampaignFactory(code="mine-closed", status=Campaign.Status.CLOSED),
        "other": CampaignFactory(code="other"),
        "draft": CampaignFactory(code="draft", status=Campaign.Status.DRAFT),
    }
    # Unit A supports a task of "mine" and leads one of "mine-closed" and of the draft; unit B is
    # on "other" and also leads a task of "mine" that unit A has no part in.
    TaskAssignmentFactory(task=TaskFactory(campaign=campaigns["mine"], number="1"), unit=unit_a, role="support")
    TaskAssignmentFactory(task=TaskFactory(campaign=campaigns["mine"], number="2"), unit=unit_b)
    TaskAssignmentFactory(task=TaskFactory(campaign=campaigns["mine-closed"], number="1"), unit=unit_a)
    TaskAssignmentFactory(task=TaskFactory(campaign=campaigns["other"], number="1"), unit=unit_b)
    TaskAssignmentFactory(task=TaskFactory(campaign=campaigns["draft"], number="1"), unit=unit_a)

    office_unit = UnitFactory(name="区政府督查室")
    users = {
        "office": MembershipFactory(unit=office_unit, role=Membership.Role.OFFICE).user,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
        "leader": LeaderFactory(user=UserFactory(username="leader")).user,
        "liaison": MembershipFactory(unit=unit_a, role=Membership.Role.LIAISON).user,
        "head": MembershipFactory(unit=unit_a, role=Membership.Role.HEAD).user,
        "outsider": UserFactory(username="outsider"),
    }
    return {"units": (unit_a, unit_b), "campaigns": campaigns, "users": users}


EXPECTED = {
    "office": {"mine", "mine-closed", "other", "draft"},
    "superuser": {"mine", "mine-closed", "other", "draft"},
    "leader": {"mine", "mine-closed", "other"},
    "liaison": {"mine", "mine-closed"},
    "head": {"mine", "mine-closed"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_campaigns_visible_to(scene, who):
    codes = set(visible_to(scene["users"][who], Campaign).values_list("code", flat=True))
    assert codes == EXPECTED[who]


@pytest.mark.parametrize("who", EXPECTED)
def test_tasks_follow_their_campaigns(scene, who):
    visible = visible_to(scene["users"][who], Task)
    assert set(visible.values_list("campaign__code", flat=True)) == EXPECTED[who]
    # A visible campaign shows its whole task list, not only the user's own tasks.
    assert visible.count() == Task.objects.filter(campaign__code__in=EXPECTED[who]).count()


def test_anonymous_sees_nothing(scene):
    assert not visible_to(AnonymousUser(), Campaign).exists()
    assert not visible_to(AnonymousUser(), Task).exists()


def test_member_sees_other_units_tasks_of_shared_campaign(scene):
    unit_a, unit_b = scene["units"]
    liaison = scene["users"]["liaison"]
    assert visible_to(liaison, Task).filter(campaign__code="mine", number="2").exists()
    # Unit B's tasks are visible only where the campaign is: "mine", not "other".
    codes = {a.task.campaign.code for a in unit_tasks(liaison, unit_b)}
    assert codes == {"mine"}


def test_visible_queryset_has_no_duplicates(scene):
    """A unit on several tasks of one campaign must not repeat the campaign."""
    unit_a, _ = scene["units"]
    for number in ("3", "4", "5"):
        TaskAssignmentFactory(task=TaskFactory(campaign=scene["campaigns"]["mine"], number=number), unit=unit_a)
    codes = list(visible_to(scene["users"]["liaison"], Campaign).values_list("code", flat=True))
    assert sorted(codes) == ["mine", "mine-closed"]


def test_roles_are_memoised_per_user_object(scene, django_assert_num_queries):
    liaison = scene["users"]["liaison"]
    with django_assert_num_queries(1):  # memberships and the leader directory, once, together
        assert not roles.is_office(liaison)
        assert not roles.is_office(liaison)
        assert roles.member_unit_ids(liaison) == {scene["units"][0].pk}
        assert not roles.is_leader(liaison)
        assert not roles.is_leader(liaison)


def test_office_role_is_not_unit_membership(scene):
    office = scene["users"]["office"]
    assert roles.is_office(office)
    assert roles.member_unit_ids(office) == frozenset()


@pytest.mark.parametrize("who", EXPECTED)
def test_list_and_detail_pages_use_the_same_scope(scene, client, who):
    """Every campaign in the list opens; every other one is a 404, and so are its tasks."""
    client.force_login(scene["users"][who])
    response = client.get(reverse("campaigns:list"))
    assert response.status_code == 200
    listed = {campaign.code for campaign in response.context["campaigns"]}
    assert listed == EXPECTED[who]

    for code in scene["campaigns"]:
        expected_status = 200 if code in listed else 404
        assert client.get(reverse("campaigns:detail", args=[code])).status_code == expected_status
        for task in Task.objects.filter(campaign__code=code):
            url = reverse("tasks:detail", args=[code, task.number])
            assert client.get(url).status_code == expected_status


@pytest.mark.parametrize("who", EXPECTED)
def test_unit_pages_show_only_visible_tasks(scene, client, who):
    client.force_login(scene["users"][who])
    for unit in scene["units"]:
        response = client.get(reverse("units:detail", args=[unit.pk]))
        assert response.status_code == 200
        shown = {assignment.task.campaign.code for assignment in response.context["assignments"]}
        on_unit = set(TaskAssignment.objects.filter(unit=unit).values_list("task__campaign__code", flat=True))
        assert shown == on_unit & EXPECTED[who]
