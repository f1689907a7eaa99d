"""The office's pages of the lights, and the light panel on the task page."""

import pytest
from django.urls import reverse

from lights.models import Attention, Light, LightRule, TaskLight, TaskLightWeek
from tests.conftest import at
from tests.lights.helpers import refresh

pytestmark = pytest.mark.django_db


def rules_url(campaign):
    return reverse("lights:rules", args=[campaign.code])


def attention_url(task):
    return reverse("lights:attention", args=[task.pk])


def test_only_the_office_opens_a_campaigns_rules(reporting, login):
    r = reporting
    for user in (r.lead_liaison, r.lead_head, r.leader, r.outsider):
        assert login(user).get(rules_url(r.campaign)).status_code == 403
    office = login(r.office)
    page = office.get(rules_url(r.campaign))
    assert page.status_code == 200 and "亮灯规则" in page.content.decode()
    assert office.get(reverse("lights:rules", args=["no-such-campaign"])).status_code == 404


def test_the_rules_form_says_what_is_wrong_and_saves_nothing(reporting, login):
    r = reporting
    office = login(r.office)
    page = office.post(rules_url(r.campaign), {"red_missing_periods": "0", "yellow_within_workdays": "abc",
                                               "yellow_behind_points": "101"})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200
    assert "请输入不小于 1 的数。" in html and "请输入整数。" in html and "请输入不大于 100 的数。" in html
    assert not LightRule.objects.exists()


def test_saving_the_rules_recomputes_the_campaigns_lights(reporting, login):
    r = reporting
    TaskLight.objects.all().delete()
    office = login(r.office)
    response = office.post(rules_url(r.campaign), {"red_missing_periods": "3", "yellow_within_workdays": "10",
                                                   "yellow_behind_points": "15"})  # fmt: skip
    assert response.status_code == 302
    rule = LightRule.objects.get(campaign=r.campaign)
    assert (rule.red_missing_periods, rule.yellow_within_workdays, rule.yellow_behind_points) == (3, 10, 15)
    assert rule.updated_by == r.office
    assert TaskLight.objects.filter(campaign=r.campaign).count() == 2


def test_marking_for_attention_twice_marks_once_and_unmarking_is_office_only(reporting, login):
    r = reporting
    office = login(r.office)
    for _click in range(2):
        assert office.post(attention_url(r.task), {"action": "mark", "note": "涉及征地"}).status_code == 302
    assert Attention.objects.filter(task=r.task).count() == 1
    assert TaskLight.objects.get(task=r.task).light in (Light.YELLOW, Light.RED)
    assert any(reason["code"] == "attention" for reason in TaskLight.objects.get(task=r.task).reasons)
    for user in (r.lead_liaison, r.leader):
        assert login(user).post(attention_url(r.task), {"action": "clear"}).status_code == 403
    assert Attention.objects.filter(task=r.task).exists()
    assert office.post(attention_url(r.task), {"action": "clear"}).status_code == 302
    assert office.post(attention_url(r.task), {"action": "clear"}).status_code == 302  # twice: nothing left
    assert not Attention.objects.exists()
    assert office.get(attention_url(r.task)).status_code == 405


def test_attention_on_a_task_of_a_campaign_nobody_has_is_404(reporting, login):
    assert (
        login(reporting.office).post(reverse("lights:attention", args=[999999]), {"action": "mark"}).status_code == 404
    )


def test_the_task_page_shows_the_light_its_reasons_and_the_weeks(world, login):
    w = world
    refresh(task_ids=[w.task.pk], now=at(2026, 3, 24))  # nothing filed: red in week 4
    refresh(task_ids=[w.task.pk], now=at(2026, 3, 31))
    assert TaskLightWeek.objects.filter(task=w.task).count() >= 2
    page = login(w.leader).get(w.task.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="badge light-badge light-red"' in html and "红灯" in html
    assert "红灯：区发展和改革局连续 4 期未报送" in html
    assert "每周亮灯" in html and "第 4 期" in html and "第 5 期" in html
    assert "标记为需领导关注" not in html  # leaders do not mark; the office does
    office_page = login(w.office).get(w.task.get_absolute_url()).content.decode()
    assert "标记为需领导关注" in office_page
