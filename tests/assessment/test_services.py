"""assessment.services: scores from the ledger, task lines, rule versions, recomputations."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment import selectors, services
from assessment.models import Recomputation, RuleSet, UnitScore
from lights.models import TaskLightWeek
from tasks.models import Decision, Task
from tests.conftest import at
from tests.factories import ExtensionRequestFactory, ProgressReportFactory

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 24)  # periods 1–3 due (Fridays 6, 13, 20 March, 18:00)


def file(w, unit, number, when, status="submitted", task=None, **extra):
    return ProgressReportFactory(
        task=task or w.task, unit=unit, period=w.campaign.periods.get(number=number), status=status,
        submitted_at=when, **extra,
    )  # fmt: skip


def scores(w, user=None):
    return {row.unit.name: row for row in selectors.ranking(user or w.office, w.campaign)}


def lines_of(w, unit, number):
    row = UnitScore.objects.get(campaign=w.campaign, unit=unit, period__number=number)
    return {(line["code"], line["role"]): line for line in row.lines}


def test_scores_count_each_units_reports_from_the_ledger(world):
    w = world
    file(w, w.lead, 1, at(2026, 3, 6, 10))  # on time
    file(w, w.lead, 2, at(2026, 3, 14, 9))  # late
    file(w, w.other, 1, at(2026, 3, 5), status="returned", task=Task.objects.get(number="2"),
         reviewed_at=at(2026, 3, 6, 9))  # fmt: skip
    services.scores_compute(campaign=w.campaign, now=NOW)
    ranked = scores(w)
    assert [(row.rank, row.unit.name, row.score) for row in ranked.values()] == [
        (1, "区发展和改革局", D("97.50")),  # +0.5 − 1 − 2
        (2, "区审计局", D("96.00")),  # +0.5 − 0.5 returned − 2 × 2 missing
        (3, "区财政局", D("94.00")),  # 3 missing
    ]
    lead = ranked["区发展和改革局"]
    assert (lead.owed, lead.filed, lead.on_time, lead.late, lead.missing, lead.on_time_rate) == (
        3,
        2,
        1,
        1,
        1,
        D("33.3"),
    )
    assert lines_of(w, w.lead, 2)[("late", "")]["total"] == "-1.00"
    assert ranked["区审计局"].returned == 1
    # The period not yet due (4) counts nothing.
    assert not UnitScore.objects.filter(period__number=4).exists()


def test_a_rerun_changes_nothing_and_records_nothing(world):
    w = world
    first = services.scores_compute(campaign=w.campaign, now=NOW)
    assert first.written == 9 and first.recomputation is None  # 3 units × 3 periods, nothing before
    stamps = list(UnitScore.objects.order_by("pk").values_list("pk", "computed_at"))
    again = services.scores_compute(campaign=w.campaign, now=NOW + datetime.timedelta(hours=1))
    assert (again.written, again.deleted, again.changed, again.recomputation) == (0, 0, 0, None)
    assert list(UnitScore.objects.order_by("pk").values_list("pk", "computed_at")) == stamps


def test_a_late_filing_changes_the_score_and_the_job_records_it(world):
    w = world
    services.scores_compute(campaign=w.campaign, now=NOW)
    file(w, w.support, 3, at(2026, 3, 23))  # missing → late
    outcome = services.scores_compute(campaign=w.campaign, now=NOW)
    assert outcome.written == 1 and outcome.changed == 1
    record = outcome.recomputation
    assert (
        record.by is None and record.before[str(w.support.pk)] == "94.00" and record.after[str(w.support.pk)] == "95.00"
    )


def test_an_overdue_task_is_deducted_once_with_the_coefficients(world):
    w = world
    Task.objects.filter(pk=w.task.pk).update(deadline=datetime.date(2026, 3, 10))
    services.scores_compute(campaign=w.campaign, now=NOW)
    assert lines_of(w, w.lead, 2)[("overdue_task", "lead")]["total"] == "-3.00"
    assert lines_of(w, w.support, 2)[("overdue_task", "support")]["total"] == "-1.50"
    assert lines_of(w, w.lead, 2)[("overdue_task", "lead")]["tasks"] == ["1"]
    assert ("overdue_task", "lead") not in lines_of(w, w.lead, 3)  # once, not every week


def test_a_task_closed_by_its_deadline_earns_points_in_the_period_it_closed(world):
    w = world
    Task.objects.filter(number="2", campaign=w.campaign).update(status="closed", closed_at=at(2026, 3, 11))
    services.scores_compute(campaign=w.campaign, now=NOW)
    assert lines_of(w, w.other, 2)[("closed_on_time", "lead")]["total"] == "2.00"


def test_light_weeks_count_for_the_lead_unit_only(world):
    w = world
    from lights.weeks import recount

    weeks = [
        TaskLightWeek.objects.create(task=w.task, period=w.campaign.periods.get(number=number),
                                     campaign=w.campaign, light=light)
        for number, light in ((2, "red"), (3, "yellow"), (4, "red"))  # week 4 not due yet
    ]  # fmt: skip
    recount(week.period_id for week in weeks)  # as the lights' writers do
    services.scores_compute(campaign=w.campaign, now=NOW)
    assert lines_of(w, w.lead, 2)[("red_week", "lead")]["total"] == "-0.50"
    assert lines_of(w, w.lead, 3)[("yellow_week", "lead")]["total"] == "-0.20"
    assert not [line for line in lines_of(w, w.support, 2) if "week" in line[0]]


def extend(w, *, decided):
    Task.objects.filter(pk=w.task.pk).update(
        deadline=datetime.date(2026, 4, 30), original_deadline=datetime.date(2026, 3, 10)
    )
    ExtensionRequestFactory(task=w.task, unit=w.lead, status=Decision.APPROVED, current_deadline=datetime.date(2026, 3, 10),
                            requested_deadline=datetime.date(2026, 4, 30), decided_at=decided, decided_by=w.office)  # fmt: skip


def test_an_extension_approved_after_the_deadline_does_not_help_by_default(world):
    w = world
    extend(w, decided=at(2026, 3, 12))
    services.scores_compute(campaign=w.campaign, now=NOW)
    assert ("overdue_task", "lead") in lines_of(w, w.lead, 2)
    # The office chooses the current deadline: the extension counts, the deduction goes.
    services.rules_update(
        campaign=w.campaign, by=w.office, now=NOW, **{**RuleSet.DEFAULTS, "extension_rule": "current"}
    )
    assert ("overdue_task", "lead") not in lines_of(w, w.lead, 2)


def test_an_extension_approved_before_the_deadline_counts(world):
    w = world
    extend(w, decided=at(2026, 3, 9))
    services.scores_compute(campaign=w.campaign, now=NOW)
    assert ("overdue_task", "lead") not in lines_of(w, w.lead, 2)


def test_a_rule_change_is_a_new_version_recomputed_and_recorded(world):
    w = world
    services.scores_compute(campaign=w.campaign, now=NOW)
    rule_set = services.rules_update(
        campaign=w.campaign, by=w.office, now=NOW, note="漏报加重", **{**RuleSet.DEFAULTS, "missing_deduction": D("5")}
    )
    assert rule_set.version == 1 and rule_set.created_by == w.office
    record = Recomputation.objects.get()
    assert (record.by, record.version_from, record.version_to, record.changed) == (w.office, 0, 1, 3)
    assert record.before[str(w.support.pk)] == "94.00" and record.after[str(w.support.pk)] == "85.00"
    assert scores(w)["区财政局"].score == D("85.00")
    assert set(UnitScore.objects.values_list("rule_version", flat=True)) == {1}
    # The same values again (a double click): no second version, nothing recomputed.
    again = services.rules_update(
        campaign=w.campaign, by=w.office, now=NOW, **{**RuleSet.DEFAULTS, "missing_deduction": D("5.00")}
    )
    assert again.pk == rule_set.pk and RuleSet.objects.count() == 1 and Recomputation.objects.count() == 1
    # Another change: version 2, recorded from 1.
    services.rules_update(campaign=w.campaign, by=w.office, now=NOW, **{**RuleSet.DEFAULTS, "max_deduction": D("3")})
    assert list(RuleSet.objects.values_list("version", flat=True)) == [2, 1]
    latest = Recomputation.objects.order_by("-pk").first()
    assert (latest.version_from, latest.version_to) == (1, 2)
    assert latest.after[str(w.support.pk)] == "97.00"  # 6 deducted, capped at 3


def test_only_the_office_changes_rules_and_bad_values_name_their_field(world):
    w = world
    with pytest.raises(PermissionDenied):
        services.rules_update(campaign=w.campaign, by=w.leader, **RuleSet.DEFAULTS)
    with pytest.raises(ValidationError) as error:
        services.rules_update(campaign=w.campaign, by=w.office, **{**RuleSet.DEFAULTS, "min_score": D("90"),
                                                                    "max_score": D("80")})  # fmt: skip
    assert "max_score" in error.value.message_dict
    assert not RuleSet.objects.exists()


def test_equal_scores_share_a_rank_and_the_next_skips(world):
    w = world
    services.scores_compute(campaign=w.campaign, now=NOW)  # nobody filed: 94 each
    assert [row.rank for row in scores(w).values()] == [1, 1, 1]
    file(w, w.support, 3, at(2026, 3, 20, 10))
    services.scores_compute(campaign=w.campaign, now=NOW)
    assert [(row.rank, row.unit.name) for row in scores(w).values()] == [
        (1, "区财政局"), (2, "区发展和改革局"), (2, "区审计局"),
    ]  # fmt: skip


def test_the_job_scores_every_active_campaign(world):
    from assessment.tasks import compute_scores

    services.scores_compute(campaign=world.campaign, now=NOW)
    result = compute_scores()  # now: the whole campaign's due periods so far
    assert world.campaign.code in result
