"""Urging a unit and answering a notice: once, by the right people, with the broker up or down."""

import datetime

import pytest
from django.urls import reverse

from notifications.models import Delivery, Notification
from supervision.jobs import run_job
from supervision.models import Urge
from supervision.services import notice_answer, urge
from units.models import Membership

from ..conftest import at
from ..factories import MembershipFactory, UnitFactory, UserFactory
from .conftest import broker

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 26, 9)
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there


def test_the_office_urges_a_unit_once_per_click():
    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role=Membership.Role.LIAISON).user
    head = MembershipFactory(unit=unit, role=Membership.Role.HEAD).user
    office = MembershipFactory(role=Membership.Role.OFFICE).user
    record, sent = urge(user=office, unit=unit, note="请今天下班前报送", now=NOW)
    again, sent_again = urge(user=office, unit=unit, note="请今天下班前报送", now=NOW + datetime.timedelta(seconds=5))
    assert sent == 2 and again == record and sent_again == 0
    assert set(Notification.objects.values_list("recipient", flat=True)) == {liaison.pk, head.pk}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        urge(user=liaison, unit=unit)


def test_urge_button_works_with_the_broker_down(login, django_capture_on_commit_callbacks, caplog):
    unit = UnitFactory()
    MembershipFactory(unit=unit, role=Membership.Role.LIAISON, user=UserFactory(email="l@example.gov.cn"))
    office = MembershipFactory(role=Membership.Role.OFFICE).user
    with broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        response = login(office).post(reverse("supervision:urge"), {"unit": unit.pk, "note": "请尽快报送"})
    assert response.status_code == 302 and Urge.objects.count() == 1
    assert Delivery.objects.get().status == "queued" and "Broker unavailable" in caplog.text


def test_a_notice_is_answered_once_by_its_own_unit(demo):
    from django.core.exceptions import PermissionDenied, ValidationError

    from accounts.models import User
    from supervision.models import SupervisionNotice

    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))
    notice = SupervisionNotice.objects.get(period__end_date=datetime.date(2026, 11, 27), unit__name="区政府办公室")
    with pytest.raises(PermissionDenied):
        notice_answer(user=User.objects.get(username="liaison2"), notice_id=notice.pk, answer="不是我们的")
    notice_answer(user=User.objects.get(username="head1"), notice_id=notice.pk, answer="已补报")
    with pytest.raises(ValidationError):
        notice_answer(user=User.objects.get(username="liaison1"), notice_id=notice.pk, answer="再答一次")


def test_a_notice_outlives_the_period_a_date_change_removes():
    from campaigns.services import ensure_reporting_periods
    from supervision.models import SupervisionNotice

    from ..factories import SupervisionNoticeFactory, TaskFactory, campaign_under_way

    campaign = campaign_under_way(weeks_ago=3)
    period = campaign.periods.get(number=2)
    notice = SupervisionNoticeFactory(task=TaskFactory(campaign=campaign), period=period)
    # The office corrects the start date a week later: period 2's dates move; nothing was filed
    # for it, so it is made anew, and the notice issued about it stays.
    campaign.start_date += datetime.timedelta(weeks=1)
    campaign.save()
    ensure_reporting_periods(campaign)
    kept = SupervisionNotice.objects.get(pk=notice.pk)
    assert kept.body == notice.body and kept.period_id in (None, *campaign.periods.values_list("pk", flat=True))
