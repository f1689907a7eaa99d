"""Unit names as sheets write them resolve to one unit; groups expand to their members."""

import pytest

from common.naming import name_key, split_unit_list
from units.resolution import UnitDirectory, UnknownUnitName

from ..factories import UnitAliasFactory, UnitFactory, UnitGroupFactory


@pytest.mark.parametrize(
    "written",
    ["区纪委(监察局)", "区纪委（监察局）", "区纪委 (监察局)", " 区纪委（监察局） ", "區紀委（監察局）"],
)
def test_brackets_spaces_and_traditional_forms_share_one_key(written):
    assert name_key(written) == name_key("区纪委(监察局)")


def test_split_unit_list_handles_every_separator_and_keeps_bracketed_names():
    cell = "区政府办、区发改委，区财政局,区审计局;区民政局；区司法局\n区纪委(监察局、审计)"
    assert split_unit_list(cell) == [
        "区政府办", "区发改委", "区财政局", "区审计局", "区民政局", "区司法局", "区纪委(监察局、审计)",
    ]  # fmt: skip
    assert split_unit_list(None) == [] and split_unit_list(" 、 ") == []


@pytest.mark.django_db
def test_directory_resolves_full_short_and_alias_names():
    unit = UnitFactory(name="区发展和改革局", short_name="区发改局")
    UnitAliasFactory(unit=unit, name="区发改委")
    directory = UnitDirectory()
    for written in ["区发展和改革局", "区发改局", "区发改委", "區發改委", "区 发改委"]:
        assert directory.resolve(written) == [unit], written


@pytest.mark.django_db
def test_group_name_expands_to_its_active_members():
    town, street, closed = (
        UnitFactory(name="城关镇"),
        UnitFactory(name="东城街道"),
        UnitFactory(name="旧镇", is_active=False),
    )
    group = UnitGroupFactory(name="各镇街(经济园区)")
    group.members.set([town, street, closed])
    assert set(UnitDirectory().resolve("各镇街（经济园区）")) == {town, street}


@pytest.mark.django_db
def test_unknown_name_suggests_the_closest_known_names():
    UnitFactory(name="区财政局")
    UnitFactory(name="区审计局")
    with pytest.raises(UnknownUnitName) as caught:
        UnitDirectory().resolve("区财政")
    assert caught.value.suggestions[0] == "区财政局"


@pytest.mark.django_db
def test_resolving_many_names_costs_no_queries_after_loading(django_assert_num_queries):
    for n in range(30):
        UnitFactory(name=f"区局{n}")
    directory = UnitDirectory()
    with django_assert_num_queries(0):
        for n in range(30):
            directory.resolve(f"区局{n}")
