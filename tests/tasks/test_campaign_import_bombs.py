"""Workbooks built as decompression bombs are refused at a configured limit that the message
names, by the campaign and unit-directory imports, in the browser and on the command line.

The bombs are built small and the limits lowered to match (bench/import_bombs.py measures them
at full size).
"""

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from campaigns.models import Campaign, CampaignImport
from tasks.campaign_import.services import CampaignImportError, campaign_import
from tasks.models import Task
from units.importing import DirectoryImportError, import_unit_directory
from units.models import Membership, Unit

from ..factories import MembershipFactory
from ..sheets import (
    bomb_declared,
    bomb_deeply_nested,
    bomb_dense,
    bomb_entities,
    bomb_hyperlinks,
    bomb_lying_dimension,
    bomb_many_sheet_entries,
    bomb_many_strings,
    bomb_part_named_as_a_sheet,
    bomb_ratio,
    bomb_renamed_strings,
    bomb_shared_string,
    bomb_styles,
    bomb_undeclared_size,
)

pytestmark = pytest.mark.django_db

# name → (build the bomb, settings to lower, words the refusal must contain)
BOMBS = {
    "shared string over the part size": (
        lambda: bomb_shared_string(chars=300_000),
        {"IMPORT_MAX_PART_BYTES": 100 * 1024},
        ["sharedStrings.xml", "0.1"],
    ),
    "shared string over the cell length": (lambda: bomb_shared_string(chars=20_000), {}, ["20000", "10000"]),
    "dense grid, declared": (lambda: bomb_dense(rows=30, columns=70), {"IMPORT_MAX_ROWS": 20}, ["70", "60"]),
    "dense grid, a little too wide": (lambda: bomb_dense(rows=30, columns=70), {}, ["BI", "60"]),
    "dense grid, too many rows": (lambda: bomb_dense(rows=30, columns=5), {"IMPORT_MAX_ROWS": 20}, ["20"]),
    "dense grid, too many cells": (
        lambda: bomb_dense(rows=10, columns=5),
        {"IMPORT_MAX_ROWS": 1, "IMPORT_MAX_COLUMNS": 5},
        ["5"],
    ),
    "2,000 × 16,384 declared": (lambda: bomb_declared(rows=20), {}, ["16384", "60"]),
    "dimension that lies": (bomb_lying_dimension, {}, ["XFD", "60"]),
    "compression ratio": (lambda: bomb_ratio(padding=2 * 1024 * 1024), {}, ["sheet1.xml", "100"]),
    "XML entities": (bomb_entities, {}, ["XML"]),
    "styles part parsed whole": (lambda: bomb_styles(count=20_000), {}, ["styles.xml", "2 MB"]),
    "too many shared strings": (
        lambda: bomb_many_strings(count=50),
        {"IMPORT_MAX_ROWS": 10, "IMPORT_MAX_COLUMNS": 2},
        ["20"],
    ),
}


BOMBS["elements nested too deep"] = (lambda: bomb_deeply_nested(depth=100, noise=0), {}, ["损坏"])
BOMBS["workbook part named as a sheet"] = (
    lambda: bomb_part_named_as_a_sheet(kind="workbook", size=2_500_000),
    {},
    ["book.xml", "2 MB"],
)
BOMBS["too many shared strings, table under another name"] = (
    lambda: bomb_renamed_strings(count=50),
    {"IMPORT_MAX_ROWS": 10, "IMPORT_MAX_COLUMNS": 2},
    ["20"],
)
CASES = [pytest.param(*case, id=name) for name, case in BOMBS.items()]


@pytest.fixture
def office_user(unit_directory):
    return MembershipFactory(unit=Unit.objects.get(name="区委区政府督查室"), role=Membership.Role.OFFICE).user


def lower(settings, overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)


def says(text, words):
    return all(word in text for word in words)


def test_openpyxl_parses_through_defusedxml():
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")


@pytest.mark.parametrize("build, limits, words", CASES)
def test_campaign_import_refuses_at_the_named_limit(build, limits, words, settings, unit_directory):
    lower(settings, limits)
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(build(), filename="bomb.xlsx")
    assert caught.value.refused_at_limit
    assert len(caught.value.issues) == 1 and says(str(caught.value.issues[0]), words), caught.value.issues
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("build, limits, words", CASES)
def test_unit_directory_import_refuses_at_the_named_limit(build, limits, words, settings, db):
    lower(settings, limits)
    with pytest.raises(DirectoryImportError) as caught:
        import_unit_directory(build(), filename="bomb.xlsx")
    assert len(caught.value.issues) == 1 and says(str(caught.value.issues[0]), words), caught.value.issues
    assert not Unit.objects.exists()


@pytest.mark.parametrize("build, limits, words", CASES)
def test_browser_upload_is_refused_recorded_so_and_never_confirmable(
    build, limits, words, settings, login, office_user
):
    lower(settings, limits)
    client = login(office_user)
    response = client.post(reverse("campaigns:import"), {"file": SimpleUploadedFile("bomb.xlsx", build())})
    record = CampaignImport.objects.get()
    assert record.status == CampaignImport.Status.REFUSED
    page = client.get(response["Location"]).content.decode()
    assert says(page, words)
    confirm_url = reverse("campaigns:import-confirm", args=[record.pk])
    assert confirm_url not in page
    client.post(confirm_url)
    record.refresh_from_db()
    assert record.status == CampaignImport.Status.REFUSED
    assert not Campaign.objects.exists() and not Task.objects.exists()


@pytest.mark.parametrize("build, limits, words", CASES)
def test_browser_unit_directory_upload_is_refused(build, limits, words, settings, login, office_user):
    lower(settings, limits)
    before = Unit.objects.count()
    response = login(office_user).post(
        reverse("units:import"), {"file": SimpleUploadedFile("bomb.xlsx", build()), "import": "1"}
    )
    assert response.status_code == 200 and says(response.content.decode(), words)
    assert Unit.objects.count() == before


@pytest.mark.parametrize("command", ["import_campaign", "import_units"])
@pytest.mark.parametrize("build, limits, words", CASES)
def test_commands_refuse_at_the_named_limit(command, build, limits, words, settings, tmp_path, capsys, db):
    lower(settings, limits)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(build())
    with pytest.raises(CommandError):
        call_command(command, str(path))
    assert says(capsys.readouterr().err, words)
    assert not Campaign.objects.exists() and not Unit.objects.exists()


def test_a_record_left_by_a_crash_cannot_be_confirmed_after_memory_runs_out(login, office_user, monkeypatch):
    """Had a file still exhausted memory, its record would have stayed "previewed" (confirmable)."""
    import tasks.campaign_import.services

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(tasks.campaign_import.services, "campaign_import", out_of_memory)
    client = login(office_user)
    client.post(reverse("campaigns:import"), {"file": SimpleUploadedFile("big.xlsx", bomb_dense(rows=2, columns=2))})
    record = CampaignImport.objects.get()
    assert record.status == CampaignImport.Status.REFUSED and record.summary["issues"]


@pytest.mark.parametrize(
    "sheet_parts", [True, False], ids=["1 MB sheets without a size", "one sheet, 1 MB relationships"]
)
def test_sheets_not_read_cost_nothing_on_opening(sheet_parts, db):
    """Before: 20 entries took 9 s (own parts) and 4 s (one part); 100 entries of own parts, 46 s."""
    import time

    from common.workbook import open_workbook, read_sheet_rows

    data = bomb_many_sheet_entries(entries=20, sheet_parts=sheet_parts)
    started = time.monotonic()
    workbook = open_workbook(data)
    assert len(workbook.sheetnames) > 20
    assert read_sheet_rows(workbook, "任务分解表")
    assert time.monotonic() - started < 2


def test_chartsheets_are_not_read(unit_directory):
    """openpyxl parses a chartsheet whole on opening (a 19 MB one named xl/worksheets/…: 12 s,
    568 MB); it holds no cells, so the import leaves it out."""
    from common.workbook import open_workbook

    workbook = open_workbook(bomb_part_named_as_a_sheet(kind="chartsheet", size=2_500_000))
    assert "chart" not in workbook.sheetnames and "任务分解表" in workbook.sheetnames
    result = campaign_import(
        bomb_part_named_as_a_sheet(kind="chartsheet", size=2_500_000), filename="chart.xlsx", dry_run=True
    )
    assert result.as_dict()


def test_a_sheet_declaring_no_size_is_not_read_whole_for_its_size(db):
    """openpyxl looks for the declared size up to the end of the cells when there is none: a
    200 KB upload of 3.2 million empty rows took 7 s and 365 MB before its first row was refused."""
    import time

    data = bomb_undeclared_size(rows=3_200_000, chars=300_000)
    started = time.monotonic()
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(data, filename="bomb.xlsx")
    assert time.monotonic() - started < 2
    assert caught.value.refused_at_limit and says(str(caught.value.issues[0]), ["300000", "10000"])


def test_what_a_sheet_holds_besides_its_rows_is_not_built(db, monkeypatch):
    """openpyxl's sheet parser builds an object for every hyperlink, column width, validation…
    wherever they stand (560,000 hyperlinks before the cells, in a 200 KB upload: 5.6 s and
    415 MB); the import reads the rows only."""
    from openpyxl.worksheet.hyperlink import HyperlinkList

    from common.workbook import open_workbook, read_sheet_rows

    def built(*args, **kwargs):
        raise AssertionError("hyperlinks were built")

    monkeypatch.setattr(HyperlinkList, "from_tree", classmethod(built))

    workbook = open_workbook(bomb_hyperlinks(count=1000, noise=1000))
    assert read_sheet_rows(workbook, workbook.sheetnames[0]) == [(1, ["x"])]


def test_a_sheet_with_more_elements_besides_its_rows_than_the_limit_is_refused_by_name(db, monkeypatch):
    """Dropped or not, each element costs parsing time: 560,000 hyperlinks took 2.4 s to read past."""
    from common import workbook_limits
    from common.workbook import WorkbookRefused, read_sheet_rows

    monkeypatch.setattr(workbook_limits, "MAX_ELEMENTS_OUTSIDE_ROWS", 500)
    assert read_sheet_rows(*_opened(bomb_hyperlinks(count=400, noise=1000))) == [(1, ["x"])]
    with pytest.raises(WorkbookRefused) as refused:
        read_sheet_rows(*_opened(bomb_hyperlinks(count=600, noise=1000)))
    (issue,) = refused.value.issues
    assert "500" in issue.message and issue.sheet


def _opened(data):
    from common.workbook import open_workbook

    workbook = open_workbook(data)
    return workbook, workbook.sheetnames[0]
