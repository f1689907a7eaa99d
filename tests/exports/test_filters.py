"""Reading an export's filters from text (the web form, the command): each error names its field."""

import pytest

from exports.filters import FilterError, Filters, parse_filters, period_label
from units.models import UnitAlias

from ..factories import CampaignFactory, PhaseFactory, SectionFactory

pytestmark = pytest.mark.django_db


def error_of(user, **kwargs):
    with pytest.raises(FilterError) as caught:
        parse_filters(user, **kwargs)
    return caught.value


def test_campaign_period_unit_phase_section_and_state(world):
    phase = PhaseFactory(campaign=world.campaign, name="推进阶段")
    section = SectionFactory(campaign=world.campaign, title="（一）强规范")
    UnitAlias.objects.create(unit=world.lead, name="区发改委")

    filters = parse_filters(
        world.office, campaign=world.campaign.code, period="2026-W13", unit="区发改委", phase="推进阶段",
        section=str(section.pk), state="missing",
    )  # fmt: skip

    assert filters == Filters(
        campaign=world.campaign, period=world.period, unit=world.lead, phase=phase, section=section, state="missing"
    )
    assert period_label(world.period) == "2026-W13"
    assert Filters.from_ids(filters.as_ids()) == filters


def test_a_period_by_date_or_id_and_blanks_mean_no_filter(world):
    by_date = parse_filters(world.office, campaign=world.campaign.code, period="2026-03-25", unit=" ", state="")
    by_id = parse_filters(world.office, campaign=world.campaign.code, period=str(world.period.pk))

    assert by_date.period == by_id.period == world.period
    assert by_date.unit is None and by_date.state is None


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"campaign": "no-such"}, "campaign", "no-such"),
        ({"campaign": ""}, "campaign", ""),
        ({"period": "2025-W10"}, "period", "不在该专项行动的报送周期内"),
        ({"period": "2026-W60"}, "period", "2026-W60"),
        ({"period": "last week"}, "period", "2026-W48"),
        ({"unit": "不存在的局"}, "unit", "未找到单位“不存在的局”"),
        ({"phase": "没有的阶段"}, "phase", "没有的阶段"),
        ({"section": "没有的分类"}, "section", "没有的分类"),
        ({"state": "purple"}, "state", "purple"),
    ],
)
def test_what_cannot_be_read_names_its_field(world, kwargs, field, words):
    error = error_of(world.office, **{"campaign": world.campaign.code, **kwargs})

    assert error.field == field
    assert words in error.message


def test_a_campaign_the_user_may_not_see_is_not_found(world):
    draft = CampaignFactory(status="draft")

    assert error_of(world.leader, campaign=draft.code).field == "campaign"
    assert error_of(world.outsider, campaign=world.campaign.code).field == "campaign"
    assert parse_filters(None, campaign=draft.code).campaign == draft  # the shell acts as the office


def test_a_period_of_another_campaign_is_refused(world):
    other = CampaignFactory()
    from campaigns.services import ensure_reporting_periods

    ensure_reporting_periods(other)

    error = error_of(world.office, campaign=world.campaign.code, period=str(other.periods.first().pk))
    assert error.field == "period"
