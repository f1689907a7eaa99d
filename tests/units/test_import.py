"""Importing the unit directory sheet."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from units.importing import DirectoryImportError, import_unit_directory
from units.models import Unit, UnitAlias, UnitGroup

from ..sheets import UNITS

pytestmark = pytest.mark.django_db


def directory_bytes(rows, headers=("单位名称", "简称/别名", "类型", "所属分组")):
    book = Workbook()
    sheet = book.active
    sheet.title = "单位名录"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_shared_directory_imports_units_aliases_and_groups():
    result = import_unit_directory(UNITS.read_bytes())
    assert len(result.created) == Unit.objects.count() == 28
    assert UnitGroup.objects.count() == 3
    ndrc = Unit.objects.get(name="区发展和改革局")
    assert ndrc.short_name == "区发改委"
    assert set(ndrc.aliases.values_list("name", flat=True)) == {"区发改委", "区发改局", "区发改统计局"}
    assert set(UnitGroup.objects.get(name="各镇街(经济园区)").members.values_list("name", flat=True)) == {
        "城关镇", "东城街道", "西城街道", "临港经济开发区管委会",
    }  # fmt: skip


def test_reimport_changes_nothing_and_an_edit_updates_in_place():
    import_unit_directory(UNITS.read_bytes())
    again = import_unit_directory(UNITS.read_bytes())
    assert len(again.unchanged) == 28 and not again.created and not again.updated

    pk = Unit.objects.get(name="区财政局").pk
    result = import_unit_directory(directory_bytes([("区财政局", "财政局、区财政", "government", "区政府各部门")]))
    assert result.updated == ["区财政局"]
    unit = Unit.objects.get(name="区财政局")
    assert unit.pk == pk and set(unit.aliases.values_list("name", flat=True)) == {"财政局", "区财政"}


def test_dry_run_writes_nothing():
    import_unit_directory(UNITS.read_bytes(), dry_run=True)
    assert not Unit.objects.exists() and not UnitGroup.objects.exists()


def test_an_alias_claimed_by_two_units_is_refused_with_its_row():
    data = directory_bytes([("区甲局", "甲局", "government", ""), ("区乙局", "甲局", "government", "")])
    with pytest.raises(DirectoryImportError) as caught:
        import_unit_directory(data)
    assert "甲局" in str(caught.value) and ("3" in str(caught.value))
    assert not Unit.objects.exists()


def test_unknown_kind_and_duplicate_names_are_refused_and_nothing_is_written():
    data = directory_bytes([("区甲局", "", "government", ""), ("区乙局", "", "星际部门", ""), ("区甲局", "", "", "")])
    with pytest.raises(DirectoryImportError) as caught:
        import_unit_directory(data)
    messages = [str(issue) for issue in caught.value.issues]
    assert len(messages) == 2
    assert any("星际部门" in m for m in messages) and any("区甲局" in m for m in messages)
    assert not UnitAlias.objects.exists() and not Unit.objects.exists()


def test_missing_name_column_is_refused():
    with pytest.raises(DirectoryImportError) as caught:
        import_unit_directory(directory_bytes([("x",)], headers=("名字不对",)))
    assert "单位名称" in str(caught.value)


def test_command_imports_and_refuses(tmp_path, capsys):
    call_command("import_units", str(UNITS))
    assert "28" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError):
        call_command("import_units", str(bad))


def test_an_alias_that_is_another_units_full_name_is_refused():
    import_unit_directory(directory_bytes([("区财政局", "", "government", "")]))
    with pytest.raises(DirectoryImportError) as caught:
        import_unit_directory(directory_bytes([("区审计局", "区财政局", "government", "")]))
    assert "区财政局" in str(caught.value)
    assert not Unit.objects.filter(name="区审计局").exists()


def test_rich_text_and_phonetic_guides_read_as_openpyxl_reads_them():
    """The import reads shared strings with its own faster reader (common.workbook_limits)."""
    from openpyxl import load_workbook

    from common.workbook import open_workbook

    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        b"</sheetData></worksheet>"
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>区财政局</t></si>"
        "<si><r><rPr><b/></rPr><t>区发展</t></r><r><t>和改革局</t></r></si>"
        '<si><t>区审计局</t><rPh sb="0" eb="1"><t>シン</t></rPh></si></sst>'
    ).encode()
    from ..sheets import _write_bomb

    buffer = io.BytesIO()
    _write_bomb(buffer, {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": strings})
    data = buffer.getvalue()
    ours = list(open_workbook(data).worksheets[0].values)
    theirs = list(load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0].values)
    assert ours == theirs == [("区财政局", "区发展和改革局", "区审计局")]


def test_a_sheet_declaring_formatted_blank_columns_beyond_the_limit_is_read():
    """Spreadsheet programs declare whole formatted rows (A1:AMJ3); only values count."""
    import re
    import zipfile

    data = directory_bytes([("区甲局", "甲局", "government", "")])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:AMJ2"/>', content)
                assert b"AMJ2" in content
            target.writestr(info, content)
    assert import_unit_directory(buffer.getvalue()).created == ["区甲局"]
