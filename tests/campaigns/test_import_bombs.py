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
from campaigns.services import CampaignImportError, campaign_import
from tasks.models import Task
from units.importing import DirectoryImportError, import_unit_directory
from units.models import Membership, Unit

from ..factories import MembershipFactory
from ..sheets import (
    bomb_declared,
    bomb_dense,
    bomb_entities,
    bomb_lying_dimension,
    bomb_many_strings,
    bomb_ratio,
    bomb_shared_string,
    bomb_styles,
    task,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

# name → (build the bomb, settings to lower, words the refusal must contain)
BOMBS = {
    "shared string over the part size": (
        lambda: bomb_shared_string(chars=300_000), {"IMPORT_MAX_PART_BYTES": 100 * 1024}, ["sharedStrings.xml", "0.1"]
    ),
    "shared string over the cell length": (lambda: bomb_shared_string(chars=20_000), {}, ["20000", "10000"]),
    "dense grid, declared": (lambda: bomb_dense(rows=30, columns=70), {"IMPORT_MAX_ROWS": 20}, ["70", "60"]),
    "dense grid, a little too wide": (lambda: bomb_dense(rows=30, columns=70), {}, ["BI", "60"]),
    "dense grid, too many rows": (lambda: bomb_dense(rows=30, columns=5), {"IMPORT_MAX_ROWS": 20}, ["20"]),
    "dense grid, too many cells": (
        lambda: bomb_dense(rows=10, columns=5), {"IMPORT_MAX_ROWS": 1, "IMPORT_MAX_COLUMNS": 5}, ["5"]
    ),
    "2,000 × 16,384 declared": (lambda: bomb_declared(rows=20), {}, ["16384", "60"]),
    "dimension that lies": (bomb_lying_dimension, {}, ["XFD", "60"]),
    "compression ratio": (lambda: bomb_ratio(padding=2 * 1024 * 1024), {}, ["sheet1.xml", "100"]),
    "XML entities": (bomb_entities, {}, ["XML"]),
    "styles part parsed whole": (lambda: bomb_styles(count=20_000), {}, ["styles.xml", "2 MB"]),
    "too many shared strings": (
        lambda: bomb_many_strings(count=50), {"IMPORT_MAX_ROWS": 10, "IMPORT_MAX_COLUMNS": 2}, ["20"]
    ),
}


def _renamed_strings(data: bytes, name: str = "xl/texts.xml") -> bytes:
    """The same workbook with its shared-strings table under another part name, which
    [Content_Types].xml declares as the table: openpyxl finds it all the same."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(b"/xl/sharedStrings.xml", f"/{name}".encode())
            target.writestr(name if info.filename == "xl/sharedStrings.xml" else info.filename, content)
    return out.getvalue()


def _whole_part_named_as_a_sheet(kind: str) -> bytes:
    """A task workbook plus a 2.5 MB part named like a worksheet (the streamed parts' limit), which
    openpyxl nevertheless parses whole: a chartsheet, or the workbook part itself."""
    import io
    import os
    import zipfile

    size = 2_500_000
    padding = b"<!--" + os.urandom(size // 80).hex().encode() + b"-->"  # compressed under the ratio limit
    filler = padding + b"<a/>" * ((size - len(padding)) // 4)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([task("1")]))) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name, content = info.filename, source.read(info)
            if kind == "chartsheet" and name == "xl/workbook.xml":
                content = content.replace(b"</sheets>", b'<sheet name="chart" sheetId="99" r:id="rId99"/></sheets>')
            if kind == "chartsheet" and name == "xl/_rels/workbook.xml.rels":
                rel = (
                    '<Relationship Id="rId99" Target="/xl/worksheets/chart1.xml" '
                    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet"/>'
                )
                content = content.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            if kind == "workbook":
                if name == "[Content_Types].xml":
                    content = content.replace(b"/xl/workbook.xml", b"/xl/worksheets/book.xml")
                elif name == "xl/workbook.xml":
                    name, content = "xl/worksheets/book.xml", content.replace(b"</workbook>", filler + b"</workbook>")
                elif name == "xl/_rels/workbook.xml.rels":
                    name = "xl/worksheets/_rels/book.xml.rels"  # its targets are absolute
            target.writestr(name, content)
        if kind == "chartsheet":
            ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            target.writestr("xl/worksheets/chart1.xml", b"<chartsheet " + ns + b">" + filler + b"</chartsheet>")
    return out.getvalue()


def _deeply_nested(depth: int = 100) -> bytes:
    """A sheet of elements nested `depth` deep: each open element stays in memory until it ends
    (2.6 million of them, in a 200 KB upload, took 9 s and 789 MB)."""
    import io

    from ..sheets import SHEET_NS, _write_bomb

    sheet = f'<worksheet {SHEET_NS}><dimension ref="A1:A1"/><sheetData>'.encode() + b"<a>" * depth + b"</a>" * depth
    target = io.BytesIO()
    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet + b"</sheetData></worksheet>"})
    return target.getvalue()


BOMBS["elements nested too deep"] = (_deeply_nested, {}, ["损坏"])
BOMBS["workbook part named as a sheet"] = (lambda: _whole_part_named_as_a_sheet("workbook"), {}, ["book.xml", "2 MB"])
BOMBS["too many shared strings, table under another name"] = (
    lambda: _renamed_strings(bomb_many_strings(count=50)), {"IMPORT_MAX_ROWS": 10, "IMPORT_MAX_COLUMNS": 2}, ["20"]
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
def test_browser_upload_is_refused_recorded_so_and_never_confirmable(build, limits, words, settings, login, office_user):
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
    import campaigns.services

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(campaigns.services, "campaign_import", out_of_memory)
    client = login(office_user)
    client.post(reverse("campaigns:import"), {"file": SimpleUploadedFile("big.xlsx", bomb_dense(rows=2, columns=2))})
    record = CampaignImport.objects.get()
    assert record.status == CampaignImport.Status.REFUSED and record.summary["issues"]


def _many_sheet_entries(entries: int, *, sheet_parts: bool) -> bytes:
    """A workbook listing `entries` more sheets: each its own 1 MB part declaring no size (openpyxl
    parsed each whole as it opened the workbook), or all one small sheet whose 1 MB relationships
    part openpyxl parsed once per entry. Parts of 1 MB or less may be compressed at any ratio."""
    import io
    import zipfile

    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    big_sheet = b"<worksheet " + ns + b"><sheetData>" + b"<row/>" * 170_000 + b"</sheetData></worksheet>"
    rel = b'<Relationship Id="r" Type="http://x/y" Target="z"/>'
    big_rels = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + rel * 20_000
    big_rels += b"</Relationships>"
    worksheet_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    target = (lambda k: f"/xl/worksheets/extra{k}.xml") if sheet_parts else (lambda k: "/xl/worksheets/extra.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([task("1")]))) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                sheets = "".join(f'<sheet name="extra{k}" sheetId="{100 + k}" r:id="rExtra{k}"/>' for k in range(entries))
                content = content.replace(b"</sheets>", sheets.encode() + b"</sheets>")
            if info.filename == "xl/_rels/workbook.xml.rels":
                rels = "".join(f'<Relationship Id="rExtra{k}" Type="{worksheet_type}" Target="{target(k)}"/>' for k in range(entries))
                content = content.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            book.writestr(info.filename, content)
        for name in sorted({target(k)[1:] for k in range(entries)}):
            book.writestr(name, big_sheet if sheet_parts else b"<worksheet " + ns + b'><dimension ref="A1"/><sheetData/></worksheet>')
        if not sheet_parts:
            book.writestr("xl/worksheets/_rels/extra.xml.rels", big_rels)
    return out.getvalue()


@pytest.mark.parametrize("sheet_parts", [True, False], ids=["1 MB sheets without a size", "one sheet, 1 MB relationships"])
def test_sheets_not_read_cost_nothing_on_opening(sheet_parts, db):
    """Before: 20 entries took 9 s (own parts) and 4 s (one part); 100 entries of own parts, 46 s."""
    import time

    from units.workbook import open_workbook, read_sheet_rows

    data = _many_sheet_entries(20, sheet_parts=sheet_parts)
    started = time.monotonic()
    workbook = open_workbook(data)
    assert len(workbook.sheetnames) > 20
    assert read_sheet_rows(workbook, "任务分解表")
    assert time.monotonic() - started < 2


def test_chartsheets_are_not_read(unit_directory):
    """openpyxl parses a chartsheet whole on opening (a 19 MB one named xl/worksheets/…: 12 s,
    568 MB); it holds no cells, so the import leaves it out."""
    from units.workbook import open_workbook

    workbook = open_workbook(_whole_part_named_as_a_sheet("chartsheet"))
    assert "chart" not in workbook.sheetnames and "任务分解表" in workbook.sheetnames
    result = campaign_import(_whole_part_named_as_a_sheet("chartsheet"), filename="chart.xlsx", dry_run=True)
    assert result.as_dict()


def test_a_sheet_declaring_no_size_is_not_read_whole_for_its_size(db):
    """openpyxl looks for the declared size up to the end of the cells when there is none: a
    200 KB upload of 3.2 million empty rows took 7 s and 365 MB before its first row was refused."""
    import io
    import os
    import time

    from ..sheets import SHEET_NS, _write_bomb

    def sheet():
        too_long = os.urandom(150_000).hex()  # also keeps the part under the compression limit
        yield f'<worksheet {SHEET_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{too_long}</t></is></c></row>'.encode()
        yield b"<row/>" * 3_200_000
        yield b"</sheetData></worksheet>"

    target = io.BytesIO()
    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet()})
    started = time.monotonic()
    with pytest.raises(CampaignImportError) as caught:
        campaign_import(target.getvalue(), filename="bomb.xlsx")
    assert time.monotonic() - started < 2
    assert caught.value.refused_at_limit and says(str(caught.value.issues[0]), ["300000", "10000"])


def test_what_a_sheet_holds_besides_its_rows_is_not_built(db, monkeypatch):
    """openpyxl's sheet parser builds an object for every hyperlink, column width, validation…
    wherever they stand (560,000 hyperlinks before the cells, in a 200 KB upload: 5.6 s and
    415 MB); the import reads the rows only."""
    import io
    import os

    from openpyxl.worksheet.hyperlink import HyperlinkList

    from units.workbook import open_workbook, read_sheet_rows

    from ..sheets import SHEET_NS, _write_bomb

    def built(*args, **kwargs):
        raise AssertionError("hyperlinks were built")

    monkeypatch.setattr(HyperlinkList, "from_tree", classmethod(built))

    def sheet():
        yield f'<worksheet {SHEET_NS}><dimension ref="A1:A1"/><!-- {os.urandom(1000).hex()} -->'.encode()
        yield b"<hyperlinks>" + b'<hyperlink ref="A1" display="x"/>' * 1000 + b"</hyperlinks>"
        yield b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'

    target = io.BytesIO()
    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet()})
    workbook = open_workbook(target.getvalue())
    assert read_sheet_rows(workbook, workbook.sheetnames[0]) == [(1, ["x"])]
