"""The bulletin as a Word document in the official-document layout (GB/T 9704-2012).

A4, margins 37 mm top, 35 mm bottom, 28 mm left (binding), 26 mm right; the masthead (发文机关标志)
in red 小标宋 with the issue number and a red rule; the title in 2号 (22 pt) 小标宋, centred; the
body in 3号 (16 pt) 仿宋 with a first-line indent of two characters and a fixed 28 pt line;
headings 一、 in 黑体 and （一） in 楷体; the ledger as an attachment table in a smaller size; page
numbers "— N —" in the footer.

Fonts are settings (BULLETIN_FONTS: offices license their own). python-docx's `font.name` sets
only the Latin fonts (w:ascii, w:hAnsi), so Chinese text would keep the template's font
(python-docx #154, #1139): every style and every run here also gets w:eastAsia, and the theme
attributes that would override it are removed.
"""

from __future__ import annotations

import copy
import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .models import Bulletin, paragraphs

RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT, TITLE_PT, MASTHEAD_PT, TABLE_PT, FOOTER_PT = 16, 22, 36, 10.5, 14
LINE_PT = 28
TEXT_WIDTH = Cm(21 - 2.8 - 2.6)
THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# Style name → (font role in BULLETIN_FONTS, size in pt, bold).
STYLES = {
    "Bulletin Body": ("body", BODY_PT, False),
    "Bulletin Title": ("title", TITLE_PT, False),
    "Bulletin Masthead": ("title", MASTHEAD_PT, False),
    "Bulletin Heading 1": ("heading1", BODY_PT, False),
    "Bulletin Heading 2": ("heading2", BODY_PT, False),
    "Bulletin Table": ("body", TABLE_PT, False),
}


def fonts() -> dict[str, str]:
    return settings.BULLETIN_FONTS


def _set_rfonts(rpr, name: str) -> None:
    """Every script of the run or style in `name`: Latin (ascii, hAnsi), Chinese (eastAsia) and
    complex scripts; theme fonts, which would win over these, removed."""
    rfonts = rpr.get_or_add_rFonts()
    for attribute in THEME_ATTRIBUTES:
        key = qn(attribute)
        if key in rfonts.attrib:
            del rfonts.attrib[key]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attribute), name)


def _run(paragraph, text: str, role: str, size: float, *, bold: bool = False, color: RGBColor | None = None):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _set_rfonts(run._element.get_or_add_rPr(), fonts()[role])
    return run


def _styles(document) -> None:
    """The document defaults, Normal and the bulletin's own paragraph styles, each with its fonts."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_rfonts(rpr, fonts()["body"])
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_rfonts(normal.element.get_or_add_rPr(), fonts()["body"])
    for name, (role, size, bold) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        style.font.bold = bold
        _set_rfonts(style.element.get_or_add_rPr(), fonts()[role])
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        if name != "Bulletin Table":
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(LINE_PT)


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    # Page numbers "— N —" (4号 宋体 in the standard; the body font here), outside edge of the footer.
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(footer, "— ", "body", FOOTER_PT)
    run = _run(footer, "", "body", FOOTER_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _run(footer, " —", "body", FOOTER_PT)


def _red_rule(paragraph) -> None:
    """The red line under the masthead: the paragraph's bottom border."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _body(document, text: str) -> None:
    """One paragraph per line of `text`, indented two characters."""
    for line in paragraphs(text):
        paragraph = document.add_paragraph(style="Bulletin Body")
        paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _run(paragraph, line, "body", BODY_PT)


def _heading(document, text: str, level: int) -> None:
    style, role = ("Bulletin Heading 1", "heading1") if level == 1 else ("Bulletin Heading 2", "heading2")
    paragraph = document.add_paragraph(style=style)
    paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    _run(paragraph, text, role, BODY_PT)


def _masthead(document, bulletin: Bulletin) -> None:
    office = settings.BULLETIN_ISSUING_OFFICE
    masthead = document.add_paragraph(style="Bulletin Masthead")
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    masthead.paragraph_format.line_spacing = Pt(MASTHEAD_PT + 12)
    _run(masthead, _("%(office)s Supervision Bulletin") % {"office": office}, "title", MASTHEAD_PT, color=RED)
    number = document.add_paragraph(style="Bulletin Body")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issue = _("No. %(number)s") % {"number": bulletin.number} if bulletin.number else _("(draft)")
    _run(number, issue, "body", BODY_PT)
    line = document.add_paragraph(style="Bulletin Body")
    line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    day = timezone.localdate(bulletin.published_at or timezone.now())
    _run(line, f"{office}\t{_date(day)}", "body", BODY_PT)
    _red_rule(line)
    document.add_paragraph(style="Bulletin Body")


def _date(day) -> str:
    return _("%(year)s-%(month)s-%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


def _attachment(document, rows: list[dict]) -> None:
    # The attachment starts a page (a break inside a run with the fonts set, like every run).
    _run(document.add_paragraph(style="Bulletin Body"), "", "body", BODY_PT).add_break(WD_BREAK.PAGE)
    label = document.add_paragraph(style="Bulletin Heading 1")
    _run(label, _("Attachment: work ledger"), "heading1", BODY_PT)
    headers = [_("No."), _("Task"), _("Lead units"), _("Deadline"), _("Status"), _("Latest progress")]
    keys = ("number", "title", "lead_units", "deadline", "status", "progress")
    widths = [Cm(1.2), Cm(3.8), Cm(2.6), Cm(2.2), Cm(1.8), Cm(4.0)]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def fill(cells, values, bold=False):
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.style = document.styles["Bulletin Table"]
            _run(paragraph, value, "body", TABLE_PT, bold=bold)

    fill(table.rows[0].cells, headers, bold=True)
    # The header row repeats at the top of every page of the table.
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    if not rows:
        return
    # The data rows are copies of one filled row: python-docx's row.cells walks the whole table,
    # so filling a thousand rows through it takes minutes (quadratic); a copy is linear.
    fill(table.add_row().cells, [" "] * len(keys))
    template = table.rows[1]._tr
    tbl = template.getparent()
    tbl.remove(template)
    for index, row in enumerate(rows, start=1):
        tr = copy.deepcopy(template)
        values = [row[k] or (str(index) if k == "number" else "") for k in keys]
        for tc, value in zip(tr.iterchildren(qn("w:tc")), values, strict=True):
            _set_text(tc.find(".//" + qn("w:r")), value)
        tbl.append(tr)


def _set_text(run, value: str) -> None:
    """The run's text, its lines kept apart by line breaks."""
    for child in run.findall(qn("w:t")) + run.findall(qn("w:br")):
        run.remove(child)
    for number, line in enumerate(str(value).split("\n")):
        if number:
            run.append(OxmlElement("w:br"))
        text = OxmlElement("w:t")
        text.set(qn("xml:space"), "preserve")
        text.text = line
        run.append(text)


def render(bulletin: Bulletin, attachment_rows: list[dict]) -> bytes:
    """The .docx file's bytes."""
    document = Document()
    _styles(document)
    _page(document)
    _masthead(document, bulletin)
    title = document.add_paragraph(style="Bulletin Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(LINE_PT + 8)
    _run(title, bulletin.title, "title", TITLE_PT)
    document.add_paragraph(style="Bulletin Body")
    _heading(document, _("I. Overall situation"), 1)
    _body(document, bulletin.overview)
    if bulletin.named_lists.strip():
        _heading(document, _("(1) Reporting"), 2)
        _body(document, bulletin.named_lists)
    if bulletin.overdue_text.strip():
        _heading(document, _("(2) Overdue tasks and matters awaiting coordination"), 2)
        _body(document, bulletin.overdue_text)
    # As on the page: a published bulletin without work requirements leaves the section out.
    if bulletin.requirements.strip() or bulletin.is_draft:
        _heading(document, _("II. Work requirements"), 1)
        _body(document, bulletin.requirements or _("(to be written by the office)"))
    _attachment(document, attachment_rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(bulletin: Bulletin) -> str:
    if bulletin.number:
        return _("Supervision bulletin No. %(number)s - %(campaign)s.docx") % {
            "number": bulletin.number, "campaign": bulletin.campaign.code,
        }  # fmt: skip
    return _("Supervision bulletin draft - %(campaign)s.docx") % {"campaign": bulletin.campaign.code}
