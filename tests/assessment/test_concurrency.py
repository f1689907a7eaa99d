"""Two computations at once (the beat job beside the office saving rules, two beat machines) on
PostgreSQL with real threads: no error, no duplicate row, one version per distinct rule table."""

import pytest

from assessment import services
from assessment.models import RuleSet, UnitScore
from tests.conftest import at
from tests.tasks.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = at(2026, 3, 24)


def test_computations_and_rule_saves_at_once_store_each_row_once(world):
    w = world
    values = {**RuleSet.DEFAULTS, "missing_deduction": 4}
    compute = lambda: services.scores_compute(campaign=w.campaign, now=NOW)  # noqa: E731
    save = lambda: services.rules_update(campaign=w.campaign, by=w.office, now=NOW, **values)  # noqa: E731
    outcomes = race(compute, compute, save, save)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert list(RuleSet.objects.values_list("version", flat=True)) == [1]  # the double save made one version
    assert UnitScore.objects.filter(campaign=w.campaign).count() == 9  # 3 units × 3 due periods
    assert set(UnitScore.objects.values_list("rule_version", flat=True)) == {1}
    assert services.scores_compute(campaign=w.campaign, now=NOW).written == 0
