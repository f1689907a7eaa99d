"""Notices and urges, each for the right people only."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from supervision.jobs import run_job
from supervision.models import SupervisionNotice

from ..conftest import at
from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notices_are_seen_by_their_unit_the_office_and_leaders_and_answered_by_the_unit(demo, login):
    from accounts.models import User

    run_job("overdue_sweep", at(2026, 12, 1, 8, 30))
    notice = SupervisionNotice.objects.filter(unit__name="区政府办公室").first()
    url = reverse("supervision:notice", args=[notice.pk])
    for username in ("liaison1", "head1", "office", "leader"):
        assert login(User.objects.get(username=username)).get(url).status_code == 200, username
    assert login(User.objects.get(username="liaison2")).get(url).status_code == 404
    assert login(UserFactory()).get(url).status_code == 404
    assert login(User.objects.get(username="office")).post(url, {"answer": "代答"}).status_code == 403
    notices_page = login(User.objects.get(username="liaison2")).get(reverse("supervision:notices")).content.decode()
    assert url not in notices_page
    # Each row says which campaign and period it is about (a unit gets them from several campaigns).
    own = login(User.objects.get(username="liaison1")).get(reverse("supervision:notices")).content.decode()
    row = own[own.index(url) : own.index("</tr>", own.index(url))]
    assert notice.campaign.title in row and (notice.period is None or f"第 {notice.period.number} 期" in row)
    # Filtered by campaign and state; a campaign the user does not see shows nothing.
    liaison1 = login(User.objects.get(username="liaison1"))
    listed = liaison1.get(reverse("supervision:notices"), {"campaign": notice.campaign.code, "status": "open"})
    shown = list(listed.context["page"].object_list)
    assert notice in shown and all(n.campaign_id == notice.campaign_id and n.status == "open" for n in shown)
    assert not liaison1.get(reverse("supervision:notices"), {"status": "answered"}).context["page"].object_list
    assert not liaison1.get(reverse("supervision:notices"), {"campaign": "no-such"}).context["page"].object_list

    assert "data-submit-once" in login(User.objects.get(username="liaison1")).get(url).content.decode()
    response = login(User.objects.get(username="liaison1")).post(url, {"answer": "已于今日补报全部进展。"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "answered" and notice.answered_by.username == "liaison1"
    # A second click (or the head answering too) is told it is answered, not refused; the first stays.
    again = login(User.objects.get(username="head1")).post(url, {"answer": "另一个答复"}, follow=True)
    assert again.status_code == 200 and "该督办通知已答复" in again.content.decode()
    notice.refresh_from_db()
    assert notice.answer == "已于今日补报全部进展。" and notice.answered_by.username == "liaison1"


def test_urging_is_for_the_office_only(login):
    from units.models import Membership

    from ..factories import MembershipFactory, UnitFactory

    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role=Membership.Role.LIAISON).user
    assert login(liaison).post(reverse("supervision:urge"), {"unit": unit.pk}).status_code == 403
    assert login(UserFactory()).post(reverse("supervision:urge"), {"unit": unit.pk}).status_code == 403
    assert not Notification.objects.exists()


def test_the_office_urges_from_the_task_page_and_the_timeline_records_it(reporting, login):
    r = reporting
    task_url = reverse("tasks:detail", args=[r.campaign.code, r.task.number])
    office = login(r.office)
    assert 'action="/supervision/urge/"' in office.get(task_url).content.decode()
    assert 'action="/supervision/urge/"' not in login(r.lead_liaison).get(task_url).content.decode()

    response = office.post(
        reverse("supervision:urge"), {"unit": r.support.pk, "task": r.task.pk, "note": "请今天报送", "next": task_url}
    )
    assert response.status_code == 302 and response["Location"] == task_url
    told = set(Notification.objects.filter(kind="urge").values_list("recipient__username", flat=True))
    assert told == {"support_liaison", "support_head"}
    page = login(r.support_liaison).get(task_url).content.decode()  # the unit urged (others: test_urge_visibility)
    assert "timeline-urge" in page and "请今天报送" in page


def test_the_office_urges_a_unit_from_its_page(reporting, login):
    r = reporting
    unit_url = reverse("units:detail", args=[r.support.pk])
    assert 'action="/supervision/urge/"' in login(r.office).get(unit_url).content.decode()
    assert 'action="/supervision/urge/"' not in login(r.support_liaison).get(unit_url).content.decode()
    response = login(r.office).post(reverse("supervision:urge"), {"unit": r.support.pk, "next": unit_url})
    assert response["Location"] == unit_url
    assert set(Notification.objects.filter(kind="urge").values_list("recipient__username", flat=True)) == {
        "support_liaison", "support_head",
    }  # fmt: skip
    # Urged again a moment later (another tab, a new note): said so, and nothing is sent twice.
    again = login(r.office).post(reverse("supervision:urge"), {"unit": r.support.pk, "note": "再催"}, follow=True)
    assert "本次未重复发送" in again.content.decode()
    assert Notification.objects.filter(kind="urge").count() == 2
