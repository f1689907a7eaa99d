"""Building task breakdown workbooks in memory for import tests."""

import io
from pathlib import Path

from openpyxl import Workbook

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo" / "data"
STRICT_2022 = DEMO_DIR / "campaign-strict-supervision-2022.xlsx"
EFFICIENCY_2026 = DEMO_DIR / "campaign-efficiency-year-2026.xlsx"
UNITS = DEMO_DIR / "units.xlsx"

TASK_HEADERS = ["序号", "分类", "任务名称", "工作内容", "牵头单位", "配合单位", "责任领导", "完成时限", "阶段"]
INFO = [
    ("活动名称", "测试专项行动"),
    ("文号", "测政办发〔2026〕1号"),
    ("发文单位", "区人民政府办公室"),
    ("发文日期", "2026-02-01"),
    ("开始日期", "2026-02-09"),
    ("结束日期", "2026-12-30"),
    ("牵头办公室", "区委区政府督查室"),
    ("报送周期", "每周"),
    ("报送截止", "周五 18:00"),
]
PHASES = [("阶段名称", "开始日期", "结束日期"), ("推进阶段", "2026-03-01", "2026-10-31")]


def info_for(code: str) -> list[tuple[str, str]]:
    """INFO for a campaign of its own: a title and document number of its own (an import refuses
    a workbook whose 文号, or title over the same dates, another campaign already has)."""
    own = {"活动名称": f"测试专项行动（{code}）", "文号": f"测政办发〔2026〕{code}号"}
    return [(key, own.get(key, value)) for key, value in INFO]


def task(
    number,
    title="任务",
    lead="区政府办公室",
    support="",
    deadline="2026-10-31",
    section="",
    leaders="",
    phase="",
    description="工作内容",
):
    return [number, section, title, description, lead, support, leaders, deadline, phase]


def workbook_bytes(
    rows,
    *,
    headers=TASK_HEADERS,
    info=INFO,
    phases=PHASES,
    title_rows=("测试专项行动任务分解表",),
    merges=(),
    task_sheet="任务分解表",
):
    """rows: lists of cell values under `headers`; merges: ranges like 'B3:B5' on the task sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = task_sheet
    for title in title_rows:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    if info is not None:
        info_sheet = book.create_sheet("活动信息")
        for row in info:
            info_sheet.append(list(row))
    if phases is not None:
        phase_sheet = book.create_sheet("阶段")
        for row in phases:
            phase_sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- decompression bombs ---------------------------------------------------------------------
# Each builder writes a small .xlsx whose parts unpack (or declare) far more than they weigh. The
# sizes are parameters: the tests build them small and lower the limits; bench/import_bombs.py
# builds them at full size in a file. Parts are written in chunks, never held whole in memory.

import zipfile  # noqa: E402

SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CHUNK_REPEAT = 1 << 16


def _base_members(target):
    """The parts of a plain one-sheet workbook (header row and one task), minus the sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "任务分解表"
    sheet.append(TASK_HEADERS)
    sheet.append(task("1"))
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        return {
            info.filename: source.read(info)
            for info in source.infolist()
            if info.filename not in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")
        }


def _write_bomb(target, parts: dict):
    """parts: name → bytes, or an iterable of byte chunks (streamed in)."""
    members = _base_members(target)
    members.update({name: value for name, value in parts.items() if isinstance(value, bytes)})
    if "xl/sharedStrings.xml" not in parts:
        members["xl/sharedStrings.xml"] = f'<sst {SHEET_NS} count="0" uniqueCount="0"/>'.encode()
    # openpyxl finds the shared strings through the content types, and writes none of its own.
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", override.encode())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, value in members.items():
            archive.writestr(name, value)
        for name, value in parts.items():
            if not isinstance(value, bytes):
                with archive.open(name, "w", force_zip64=True) as member:
                    for chunk in value:
                        member.write(chunk)


def _repeat(piece: bytes, count: int):
    full, rest = divmod(count, _CHUNK_REPEAT)
    block = piece * _CHUNK_REPEAT
    for _n in range(full):
        yield block
    if rest:
        yield piece * rest


def _sheet(rows_xml, dimension="A1:A1", after=()):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><dimension ref="{dimension}"/><sheetData>'.encode()
    yield from rows_xml
    yield b"</sheetData>"
    yield from after
    yield b"</worksheet>"


def _to_bytes(target):
    if isinstance(target, io.BytesIO):
        return target.getvalue()
    return None


def bomb_shared_string(target=None, *, chars=500 * 1024 * 1024):
    """One cell holding one shared string of `chars` characters (500 MB unpacked by default)."""
    target = target or io.BytesIO()
    strings = [f'<sst {SHEET_NS} count="1" uniqueCount="1"><si><t>'.encode(), *_repeat(b"x", chars), b"</t></si></sst>"]
    sheet = _sheet([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    _write_bomb(target, {"xl/sharedStrings.xml": iter(strings), "xl/worksheets/sheet1.xml": sheet})
    return _to_bytes(target)


def bomb_dense(target=None, *, rows=2000, columns=1000, declare=True):
    """`rows` × `columns` numeric cells, the whole grid present in the file (cells without
    their optional r attribute, so the grid compresses as well as the real bomb: 2,000 × 1,000
    in about 75 KB). `declare=False` leaves the dimension at A1:A1."""
    target = target or io.BytesIO()
    from openpyxl.utils import get_column_letter

    cells = "<c><v>1</v></c>" * columns
    body = (f'<row r="{number}">{cells}</row>'.encode() for number in range(1, rows + 1))
    sheet = _sheet(body, dimension=f"A1:{get_column_letter(columns)}{rows}" if declare else "A1:A1")
    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet})
    return _to_bytes(target)


def bomb_declared(target=None, *, rows=2000, columns=16384):
    """A sheet that declares `rows` × `columns` (XFD by default) but holds one value per row."""
    target = target or io.BytesIO()
    from openpyxl.utils import get_column_letter

    last = get_column_letter(columns)
    body = (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'.encode() for n in range(1, rows + 1))
    _write_bomb(target, {"xl/worksheets/sheet1.xml": _sheet(body, dimension=f"A1:{last}{rows}")})
    return _to_bytes(target)


def bomb_ratio(target=None, *, padding=19 * 1024 * 1024):
    """A sheet whose part is mostly `padding` bytes of one repeated character (compression ≈ 1000×)."""
    target = target or io.BytesIO()
    sheet = _sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>'], after=[b"<!--", *_repeat(b" ", padding), b"-->"])
    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet})
    return _to_bytes(target)


def bomb_blank_rows(target=None, *, rows=1_000_000):
    """A header row, then `rows` blank (formatted) row elements, then one task at the very end."""
    target = target or io.BytesIO()
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{text}</t></is></c>' for i, text in enumerate(TASK_HEADERS)
    )

    def body():
        yield f'<row r="1">{header}</row>'.encode()
        for start in range(2, rows + 2, _CHUNK_REPEAT):
            yield "".join(
                f'<row r="{n}" s="1" customFormat="1"/>' for n in range(start, min(start + _CHUNK_REPEAT, rows + 2))
            ).encode()
        yield f'<row r="{rows + 2}"><c r="A{rows + 2}"><v>1</v></c></row>'.encode()

    _write_bomb(target, {"xl/worksheets/sheet1.xml": _sheet(body(), dimension=f"A1:I{rows + 2}")})
    return _to_bytes(target)


def bomb_lying_dimension(target=None, *, column=16384, rows=3):
    """Declares A1:C3 but holds a value in column `column` (XFD by default) of each row."""
    target = target or io.BytesIO()
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    body = (
        f'<row r="{n}"><c r="A{n}"><v>1</v></c><c r="{letter}{n}"><v>1</v></c></row>'.encode()
        for n in range(1, rows + 1)
    )
    _write_bomb(target, {"xl/worksheets/sheet1.xml": _sheet(body, dimension="A1:C3")})
    return _to_bytes(target)


def bomb_entities(target=None):
    """A sheet declaring nested XML entities (billion laughs); defusedxml must refuse it."""
    target = target or io.BytesIO()
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet {SHEET_NS}><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet})
    return _to_bytes(target)


def bomb_many_strings(target=None, *, count=600_000):
    """A shared-strings table of `count` distinct strings that compress poorly (each cell of a
    small sheet could point at one): within the part and ratio limits, it measures what openpyxl's
    loading of the whole table costs."""
    target = target or io.BytesIO()
    import hashlib

    def strings():
        yield f'<sst {SHEET_NS} count="{count}" uniqueCount="{count}">'.encode()
        for start in range(0, count, 10_000):
            yield "".join(
                f"<si><t>{hashlib.md5(str(n).encode()).hexdigest()[:12]}</t></si>"
                for n in range(start, min(start + 10_000, count))
            ).encode()
        yield b"</sst>"

    sheet = _sheet([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    _write_bomb(target, {"xl/sharedStrings.xml": strings(), "xl/worksheets/sheet1.xml": sheet})
    return _to_bytes(target)


def bomb_styles(target=None, *, count=38_000):
    """A styles part of `count` cell formats that compress poorly (openpyxl parses it whole)."""
    target = target or io.BytesIO()
    import random

    pick = random.Random(1)
    formats = "".join(
        f'<xf numFmtId="{pick.randint(0, 200)}" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
        f'<alignment horizontal="center" indent="{pick.randint(0, 9)}"/></xf>'
        for _n in range(count)
    )
    styles = (
        f'<styleSheet {SHEET_NS}><numFmts count="0"/><fonts count="1"><font><sz val="11"/></font></fonts>'
        '<fills count="1"><fill/></fills><borders count="1"><border/></borders>'
        f'<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="{count}">{formats}</cellXfs></styleSheet>'
    ).encode()
    sheet = b"".join(_sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>']))
    _write_bomb(target, {"xl/styles.xml": styles, "xl/worksheets/sheet1.xml": sheet})
    return _to_bytes(target)


BOMBS = {
    "shared_string": bomb_shared_string,
    "dense": bomb_dense,
    "declared": bomb_declared,
    "ratio": bomb_ratio,
    "blank_rows": bomb_blank_rows,
    "lying_dimension": bomb_lying_dimension,
    "entities": bomb_entities,
    "many_strings": bomb_many_strings,
    "styles": bomb_styles,
}


def _noise(size: int) -> bytes:
    """An XML comment of `size` random bytes in hex: it compresses poorly, which keeps a large
    part under the compression-ratio limit (the limits checked while reading are then measured)."""
    import os

    return b"<!--" + os.urandom(size).hex().encode() + b"-->" if size else b""


def _rewrite(target, source: bytes, edit, extra=()):
    """Copy the package `source` to `target`, each member through edit(name, content) → (name,
    content); then add the (name, content) pairs of `extra`."""
    with zipfile.ZipFile(io.BytesIO(source)) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            out.writestr(*edit(info.filename, archive.read(info)))
        for name, content in extra:
            out.writestr(name, content)


def bomb_renamed_strings(target=None, *, count=400_000, name="xl/texts.xml"):
    """bomb_many_strings with its shared-strings table under another part name (`name`), which
    [Content_Types].xml declares as the table: openpyxl finds it all the same."""
    target = target or io.BytesIO()

    def edit(member, content):
        if member == "[Content_Types].xml":
            content = content.replace(b"/xl/sharedStrings.xml", f"/{name}".encode())
        return (name if member == "xl/sharedStrings.xml" else member), content

    _rewrite(target, bomb_many_strings(count=count), edit)
    return _to_bytes(target)


def bomb_part_named_as_a_sheet(target=None, *, kind="workbook", size=19 * 1024 * 1024):
    """A task workbook plus a part of `size` bytes named like a worksheet (xl/worksheets/…, which
    has the streamed parts' limit) that openpyxl nevertheless parses whole: the workbook part
    itself (`kind="workbook"`), or a chartsheet listed as a sheet (`kind="chartsheet"`)."""
    target = target or io.BytesIO()
    padding = _noise(size // 80)  # compressed under the ratio limit
    filler = padding + b"<a/>" * ((size - len(padding)) // 4)

    def edit(name, content):
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
        return name, content

    extra = (
        [("xl/worksheets/chart1.xml", f"<chartsheet {SHEET_NS}>".encode() + filler + b"</chartsheet>")]
        if kind == "chartsheet"
        else []
    )
    _rewrite(target, workbook_bytes([task("1")]), edit, extra)
    return _to_bytes(target)


def bomb_many_sheet_entries(target=None, *, entries=100, sheet_parts=True, rows=170_000, relationships=20_000):
    """A task workbook listing `entries` more sheets: each its own part of `rows` empty rows (1 MB)
    declaring no size (openpyxl parsed each whole as it opened the workbook), or with
    `sheet_parts=False` all one small sheet whose relationships part of `relationships` entries
    (1 MB) openpyxl parsed once per entry. Parts of 1 MB or less may be compressed at any ratio."""
    target = target or io.BytesIO()
    big_sheet = f"<worksheet {SHEET_NS}><sheetData>".encode() + b"<row/>" * rows + b"</sheetData></worksheet>"
    rel = b'<Relationship Id="r" Type="http://x/y" Target="z"/>'
    big_rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + rel * relationships
    )
    big_rels += b"</Relationships>"
    worksheet_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    part = (lambda k: f"/xl/worksheets/extra{k}.xml") if sheet_parts else (lambda k: "/xl/worksheets/extra.xml")

    def edit(name, content):
        if name == "xl/workbook.xml":
            sheets = "".join(f'<sheet name="extra{k}" sheetId="{100 + k}" r:id="rExtra{k}"/>' for k in range(entries))
            content = content.replace(b"</sheets>", sheets.encode() + b"</sheets>")
        if name == "xl/_rels/workbook.xml.rels":
            rels = "".join(
                f'<Relationship Id="rExtra{k}" Type="{worksheet_type}" Target="{part(k)}"/>' for k in range(entries)
            )
            content = content.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
        return name, content

    small_sheet = f'<worksheet {SHEET_NS}><dimension ref="A1"/><sheetData/></worksheet>'.encode()
    extra = [
        (name, big_sheet if sheet_parts else small_sheet) for name in sorted({part(k)[1:] for k in range(entries)})
    ]
    if not sheet_parts:
        extra.append(("xl/worksheets/_rels/extra.xml.rels", big_rels))
    _rewrite(target, workbook_bytes([task("1")]), edit, extra)
    return _to_bytes(target)


def bomb_undeclared_size(target=None, *, rows=3_200_000, chars=300_000):
    """A sheet declaring no size: a first cell of `chars` characters (over the cell limit; random
    hex, which also keeps the part under the compression limit), then `rows` empty rows. openpyxl
    looked for the declared size up to the end of the cells."""
    target = target or io.BytesIO()
    import os

    def sheet():
        too_long = os.urandom(chars // 2).hex()
        yield f'<worksheet {SHEET_NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{too_long}</t></is></c></row>'.encode()
        yield from _repeat(b"<row/>", rows)
        yield b"</sheetData></worksheet>"

    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet()})
    return _to_bytes(target)


def bomb_hyperlinks(target=None, *, count=560_000, noise=200_000):
    """A sheet whose `count` hyperlinks stand before its cells (one cell, "x", in A1), after a
    comment of `noise` random bytes (in hex) that keeps the part under the compression limit."""
    target = target or io.BytesIO()

    def sheet():
        yield f'<worksheet {SHEET_NS}><dimension ref="A1:A1"/>'.encode() + _noise(noise)
        yield b"<hyperlinks>"
        yield from _repeat(b'<hyperlink ref="A1" display="x"/>', count)
        yield b"</hyperlinks>"
        yield b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'

    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet()})
    return _to_bytes(target)


def bomb_deeply_nested(target=None, *, depth=2_600_000, noise=200_000):
    """A sheet of elements nested `depth` deep in its sheetData (every open element stays in
    memory until it ends), after a comment of `noise` random bytes (in hex) that keeps the part
    under the compression limit."""
    target = target or io.BytesIO()

    def sheet():
        yield f'<worksheet {SHEET_NS}><dimension ref="A1:A1"/><sheetData>'.encode() + _noise(noise)
        yield from _repeat(b"<a>", depth)
        yield from _repeat(b"</a>", depth)
        yield b"</sheetData></worksheet>"

    _write_bomb(target, {"xl/worksheets/sheet1.xml": sheet()})
    return _to_bytes(target)
