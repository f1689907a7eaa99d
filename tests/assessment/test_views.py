"""The assessment's pages: the ranking, a unit's score line by line, the rules."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from assessment import services
from assessment.models import Recomputation, RuleSet, UnitScore
from campaigns.services import ensure_reporting_periods
from tests.factories import CampaignFactory, ProgressReportFactory, TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db


def ranking_url(campaign, **query):
    url = reverse("assessment:ranking", args=[campaign.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def unit_url(campaign, unit):
    return reverse("assessment:unit", args=[campaign.code, unit.pk])


def rules_url(campaign):
    return reverse("assessment:rules", args=[campaign.code])


@pytest.fixture
def scored(reporting):
    r = reporting
    ProgressReportFactory(task=r.task, unit=r.lead, period=r.past, status="submitted", submitted_at=r.past.due_at)
    services.scores_compute(campaign=r.campaign)
    return r


def test_the_ranking_is_for_those_who_oversee(scored, login):
    r = scored
    for user in (r.lead_liaison, r.lead_head, r.outsider):
        assert login(user).get(ranking_url(r.campaign)).status_code == 403
    for user in (r.office, r.leader):
        page = login(user).get(ranking_url(r.campaign))
        html = page.content.decode()
        assert page.status_code == 200 and "区发展和改革局" in html and "区审计局" in html
        assert unit_url(r.campaign, r.lead) in html
        assert f"/exports/?kind=ranking&amp;campaign={r.campaign.code}" in html
    assert login(r.office).get(reverse("assessment:ranking", args=["no-such"])).status_code == 404


def test_the_ranking_takes_a_period_and_ignores_bad_input(scored, login):
    r = scored
    office = login(r.office)
    first = r.campaign.periods.get(number=1)
    assert office.get(ranking_url(r.campaign, period=first.pk)).status_code == 200
    for bad in ("abc", "999999", "-1"):
        assert office.get(ranking_url(r.campaign, period=bad)).status_code == 200


def test_a_unit_sees_its_own_lines_and_not_another_units(scored, login):
    r = scored
    for user in (r.lead_liaison, r.lead_head):
        page = login(user).get(unit_url(r.campaign, r.lead))
        html = page.content.decode()
        assert page.status_code == 200
        assert "按时报送" in html and "漏报" in html  # its lines in words
        assert login(user).get(unit_url(r.campaign, r.other)).status_code == 404
        assert login(user).get(unit_url(r.campaign, r.support)).status_code == 404
    assert login(r.outsider).get(unit_url(r.campaign, r.lead)).status_code == 404
    for user in (r.office, r.leader):
        assert login(user).get(unit_url(r.campaign, r.support)).status_code == 200


def test_the_unit_page_explains_the_total(scored, login):
    r = scored
    html = login(r.lead_liaison).get(unit_url(r.campaign, r.lead)).content.decode()
    total = services.rules_of(None)
    sums = UnitScore.objects.filter(unit=r.lead).values_list("bonus", "deduction")
    bonus, deduction = sum(b for b, _d in sums), sum(d for _b, d in sums)
    assert str(total.base_score + bonus - deduction) in html or "fw-bold" in html
    assert f"+{bonus}" in html


def test_the_office_saves_a_new_version_and_sees_the_log(scored, login):
    r = scored
    office = login(r.office)
    page = office.get(rules_url(r.campaign))
    assert page.status_code == 200 and 'value="100' in page.content.decode()  # pre-filled with the defaults
    data = {name: "" if value is None else str(value) for name, value in RuleSet.DEFAULTS.items()}
    data |= {"missing_deduction": "4", "note": "漏报加重"}
    assert office.post(rules_url(r.campaign), data).status_code == 302
    assert office.post(rules_url(r.campaign), data).status_code == 302  # a double click
    assert list(RuleSet.objects.values_list("version", flat=True)) == [1]
    assert Recomputation.objects.count() == 1
    html = office.get(rules_url(r.campaign)).content.decode()
    assert "漏报加重" in html and 'value="4.00"' in html and "区财政局" in html  # the log's before → after
    assert RuleSet.objects.get().missing_deduction == D("4")


def test_bad_rule_values_are_named_and_save_nothing(scored, login):
    r = scored
    data = {name: "" if value is None else str(value) for name, value in RuleSet.DEFAULTS.items()}
    data |= {"late_deduction": "abc", "missing_deduction": "-1", "min_score": "90", "max_score": "80"}
    page = login(r.office).post(rules_url(r.campaign), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "请输入一个数字。" in html or "请输入数字" in html
    assert "不小于 0" in html
    # The bounds in the wrong order: named on the highest score, not as the constraint's name.
    assert page.context["form"].errors["max_score"] == ["最高分不得低于最低分。"]
    assert "ruleset_score_bounds_ordered" not in html and "约束" not in html
    assert not RuleSet.objects.exists()
    for user in (r.lead_liaison, r.leader):
        assert login(user).get(rules_url(r.campaign)).status_code == 403


def test_the_pages_take_as_many_queries_for_many_units_as_for_few(scored, login, django_assert_num_queries):
    r = scored
    office = login(r.office)
    counts = {}
    services.rules_update(campaign=r.campaign, by=r.office, **{**RuleSet.DEFAULTS, "missing_deduction": D("2.5")})
    for label in ("small", "large"):
        if label == "large":
            for index in range(12):
                task = TaskFactory(campaign=r.campaign, deadline=datetime.date.today())
                from tasks.assignments import assignment_add

                assignment_add(task=task, unit=UnitFactory(name=f"区第{index}局"), role="lead", from_first_period=True)
            services.scores_compute(campaign=r.campaign)
            for deduction in ("3", "4"):  # versions and recomputations to list
                services.rules_update(
                    campaign=r.campaign, by=r.office, **{**RuleSet.DEFAULTS, "missing_deduction": D(deduction)}
                )
        counts[label] = {}
        pages = (("ranking", ranking_url(r.campaign)), ("unit", unit_url(r.campaign, r.lead)),
                 ("rules", rules_url(r.campaign)))  # fmt: skip
        for name, url in pages:
            office.get(url)  # warm the session
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                assert office.get(url).status_code == 200
            counts[label][name] = len(queries)
    assert counts["small"] == counts["large"]
    assert counts["small"]["ranking"] <= 12


def test_a_new_campaign_ranks_nothing_yet(db, login, reporting):
    r = reporting
    fresh = CampaignFactory(start_date=datetime.date.today() + datetime.timedelta(days=30),
                            end_date=datetime.date.today() + datetime.timedelta(days=90))  # fmt: skip
    ensure_reporting_periods(fresh)
    html = login(r.office).get(ranking_url(fresh)).content.decode()
    assert 'id="ranking-empty"' in html


def test_the_office_recomputes_now_and_the_log_says_so(scored, login):
    r = scored
    office = login(r.office)
    assert office.post(rules_url(r.campaign), {"recompute": "1"}).status_code == 302
    record = Recomputation.objects.get()
    assert record.by == r.office and record.changed == 0
    assert "由督查室重新计分" in office.get(rules_url(r.campaign)).content.decode()
    assert login(r.leader).post(rules_url(r.campaign), {"recompute": "1"}).status_code == 403


def test_a_units_home_links_to_its_score_page(scored, login):
    r = scored
    html = login(r.lead_liaison).get(reverse("dashboards:unit")).content.decode()
    assert unit_url(r.campaign, r.lead) in html and "考核得分明细" in html
