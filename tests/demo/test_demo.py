"""`load_demo` loads everything the README promises, and a second run adds nothing."""

import pytest
from django.core.management import call_command

from accounts.models import User
from campaigns.models import Campaign
from tasks.models import ProgressReport, Task
from units.models import Membership

pytestmark = pytest.mark.django_db


def test_load_demo_is_complete_and_idempotent():
    call_command("load_demo")
    counts = (Campaign.objects.count(), Task.objects.count(), ProgressReport.objects.count(), User.objects.count())
    call_command("load_demo")
    assert (
        Campaign.objects.count(),
        Task.objects.count(),
        ProgressReport.objects.count(),
        User.objects.count(),
    ) == counts

    assert set(Campaign.objects.values_list("code", flat=True)) == {"strict-supervision-2022", "efficiency-year-2026"}
    assert counts[1] == 9 + 19 and counts[2] > 100
    for username in ["admin", "office", "leader", "liaison1", "head1", "liaison2"]:
        assert User.objects.get(username=username).check_password("demo-pass-2026")
    unit = Membership.objects.get(user__username="liaison1").unit
    assert Membership.objects.get(user__username="head1", role="head").unit == unit
    # liaison1's unit leads tasks in both campaigns.
    assert (
        Task.objects.filter(assignments__unit=unit, assignments__role="lead").values("campaign").distinct().count() == 2
    )
    assert Membership.objects.get(user__username="liaison2").unit != unit
    assert User.objects.get(username="leader").leader_profile.tasks.exists()
    assert ProgressReport.objects.filter(is_late=True).exists()
    assert Task.objects.filter(category="new", indicators__values__isnull=False).exists()
    assert Task.objects.filter(leader_comments__isnull=False).exists()
    # Demo liaisons hold their tasks' object permissions through their unit's group.
    lead_task = Task.objects.filter(assignments__unit=unit, assignments__role="lead").first()
    assert User.objects.get(username="liaison1").has_perm("tasks.lead_task", lead_task)
    office = User.objects.get(username="office")
    assert office.is_staff and not office.is_superuser and office.has_perm("tasks.change_task")
    assert not office.has_perm("accounts.change_user")
