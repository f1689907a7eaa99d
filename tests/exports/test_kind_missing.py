"""The list of units that did not report (未报送单位名单)."""

import io

import pytest

from exports.filters import Filters
from exports.kinds import get_kind
from exports.xlsx import FILLS
from units.models import Unit

from .export_world import NOW, build, data_rows, fill_of, read

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "单位", "应报数", "已报数", "未报数", "未报送任务"]


@pytest.fixture
def scene(world):
    return build(world)


def export(user, filters):
    target = io.BytesIO()
    rows = get_kind("missing").write(user, filters, target, now=NOW)
    return rows, read(target).worksheets[0]


def test_every_unit_that_owed_in_official_order_with_the_one_that_filed_nothing(scene):
    # The directory's order: 区审计局 first, then 区财政局, then 区发展和改革局.
    for order, unit in enumerate([scene.other, scene.support, scene.lead], start=1):
        Unit.objects.filter(pk=unit.pk).update(sort_order=order)
    rows, ws = export(scene.office, Filters(campaign=scene.campaign, period=scene.periods[2]))

    assert rows == 3
    assert "未报送单位名单" in ws["A1"].value
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4"
    assert data_rows(ws, 3) == [
        [1, "区审计局", 1, 0, 1, "2"],  # never filed anything at all: still listed
        [2, "区财政局", 1, 0, 1, "1"],
        [3, "区发展和改革局", 1, 1, 0, None],
    ]
    assert fill_of(ws["E4"]) == FILLS["red"][1:] and fill_of(ws["E6"]) is None


def test_the_last_due_period_by_default_and_a_unit_filter(scene):
    kind = get_kind("missing")

    assert kind.count(scene.office, Filters(campaign=scene.campaign), now=NOW) == 3
    rows, ws = export(scene.office, Filters(campaign=scene.campaign, unit=scene.other))
    assert rows == 1 and data_rows(ws, 3) == [[1, "区审计局", 1, 0, 1, "2"]]
    assert (
        kind.filename(Filters(campaign=scene.campaign), now=NOW)
        == f"未报送单位名单-{scene.campaign.code}-2026-W13.xlsx"
    )


def test_states_do_not_apply(scene):
    from exports.filters import FilterError

    with pytest.raises(FilterError):
        get_kind("missing").count(scene.office, Filters(campaign=scene.campaign, state="late"), now=NOW)


def test_queries_are_constant(scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        export(scene.office, Filters(campaign=scene.campaign))
