"""An urge and its note are addressed to one unit: that unit, the leaders and the office see them;
the task's other units do not (accounts.access.visible_to)."""

import pytest
from django.urls import reverse

from accounts.access import visible_to
from supervision.models import Urge
from supervision.services import urge

pytestmark = pytest.mark.django_db

NOTE = "财政局本周报表内容空泛，请重新报送"


def test_only_the_unit_urged_the_leaders_and_the_office_see_an_urge(reporting, login):
    r = reporting
    record, _sent = urge(user=r.office, unit=r.support, task=r.task, note=NOTE)
    task_url = reverse("tasks:detail", args=[r.campaign.code, r.task.number])
    expected = {
        "support_liaison": True, "support_head": True, "office": True, "leader": True,
        "lead_liaison": False, "lead_head": False,  # the lead unit of the same task
        "other_liaison": False, "outsider": False,
    }  # fmt: skip
    for who, sees in expected.items():
        user = getattr(r, who)
        assert visible_to(user, Urge).filter(pk=record.pk).exists() == sees, who
        response = login(user).get(task_url)
        if response.status_code == 200:
            page = response.content.decode()
            assert (NOTE in page) == sees and ("timeline-urge" in page) == sees, who
        else:
            assert not sees, who


def test_an_urge_without_a_task_is_the_units_and_the_offices(reporting):
    r = reporting
    record, _sent = urge(user=r.office, unit=r.lead, note="请尽快报送")
    assert visible_to(r.lead_liaison, Urge).filter(pk=record.pk).exists()
    assert not visible_to(r.support_liaison, Urge).filter(pk=record.pk).exists()
    assert visible_to(r.leader, Urge).filter(pk=record.pk).exists()
