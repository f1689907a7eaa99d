"""The .docx opens with python-docx, carries the period's figures and the attachment table, is laid
out on A4 with the official margins, and its Chinese text really uses the configured fonts: every
run and every style of the bulletin has w:eastAsia set to the font of its role."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from bulletins import docx
from bulletins.services import bulletin_draft, bulletin_publish, bulletin_update

from .bulletin_world import NOW, build

pytestmark = pytest.mark.django_db

FONTS = {"title": "测试小标宋", "body": "测试仿宋", "heading1": "测试黑体", "heading2": "测试楷体"}


@pytest.fixture
def published(world, assign, member):
    bw = build(world, assign, member)
    bulletin = bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=bw.period, now=NOW)
    bulletin = bulletin_update(bulletin=bulletin, by=bw.world.office, requirements="一要压实责任。\n二要按时报送。")
    return bulletin_publish(bulletin=bulletin, by=bw.world.office, now=NOW)


def opened(bulletin) -> Document:
    return Document(io.BytesIO(docx.render(bulletin, bulletin.attachment)))


def east_asia(element) -> str | None:
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def every_run(document):
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


def test_the_docx_carries_the_figures_and_the_attachment(published):
    document = opened(published)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "督查室督查通报" in text and "第1期" in text
    assert "一、总体情况" in text and "二、工作要求" in text and "（一）报送情况" in text
    assert "重点任务3项" in text and "应报送进展报表4份" in text and "按时报送率25%" in text
    assert "未报送的单位：区审计局、区统计局" in text
    assert "一要压实责任。" in text and "二要按时报送。" in text
    assert "附件：工作台账" in text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "任务名称", "牵头单位", "完成时限", "状态", "最新进展"]
    assert len(table.rows) == 1 + 3
    assert table.rows[2].cells[1].text == "优化营商环境" and table.rows[2].cells[2].text == "区审计局"


def test_the_page_is_a4_with_the_official_margins(published):
    section = opened(published).sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [3.7, 3.5, 2.8, 2.6]  # fmt: skip


@pytest.mark.parametrize("fonts", [None, FONTS], ids=["settings", "overridden"])
def test_every_run_and_style_uses_the_configured_east_asian_font(published, settings, fonts):
    if fonts is not None:
        settings.BULLETIN_FONTS = fonts
    configured = settings.BULLETIN_FONTS
    document = opened(published)
    runs = list(every_run(document))
    assert runs
    used = {east_asia(run._element) for run in runs}
    assert None not in used
    assert used <= set(configured.values())
    # The roles: the masthead and title in the title font, headings in theirs, the body in its own.
    by_text = {run.text: east_asia(run._element) for run in runs}
    assert by_text["督查室督查通报"] == configured["title"]
    assert by_text[published.title] == configured["title"]
    assert by_text["一、总体情况"] == configured["heading1"]
    assert by_text["（一）报送情况"] == configured["heading2"]
    assert by_text["一要压实责任。"] == configured["body"]
    for name, role in (("Normal", "body"), ("Bulletin Body", "body"), ("Bulletin Title", "title"),
                       ("Bulletin Heading 1", "heading1"), ("Bulletin Heading 2", "heading2")):  # fmt: skip
        style = document.styles[name].element
        assert east_asia(style) == configured[role], name
        assert style.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
    # The body: 3号 (16 pt) with a fixed 28 pt line and a two-character indent.
    body = next(p for p in document.paragraphs if p.text == "一要压实责任。")
    assert body.runs[0].font.size.pt == 16
    assert body.style.paragraph_format.line_spacing.pt == 28
    assert body.paragraph_format.first_line_indent.pt == 32


def test_a_draft_downloads_marked_as_draft(world, assign, member):
    bw = build(world, assign, member)
    bulletin = bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=bw.period, now=NOW)
    document = Document(io.BytesIO(docx.render(bulletin, [])))
    assert "（草稿）" in "\n".join(p.text for p in document.paragraphs)
    assert docx.filename(bulletin).endswith(".docx")


def test_attachment_rows_keep_their_lines_and_fonts(published):
    rows = [
        {"number": "1", "title": "任务甲", "lead_units": "区甲局", "deadline": "2026-10-31", "status": "正在办理",
         "progress": "区甲局：完成选址\n区乙局：完成测算"},
        {"number": "", "title": "=任务乙", "lead_units": "", "deadline": "", "status": "已办结", "progress": ""},
    ]  # fmt: skip
    document = Document(io.BytesIO(docx.render(published, rows)))
    table = document.tables[0]
    assert table.rows[1].cells[5].text == "区甲局：完成选址\n区乙局：完成测算"
    assert [c.text for c in table.rows[2].cells][:2] == ["2", "=任务乙"]
    assert {east_asia(run._element) for run in every_run(document)} <= set(docx.fonts().values())
    header = table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader"))
    assert header is not None


def test_a_bulletin_published_without_work_requirements_leaves_the_section_out(world, assign, member):
    bw = build(world, assign, member)
    bulletin = bulletin_draft(campaign=bw.world.campaign, period_from=bw.period, period_to=bw.period, now=NOW)
    draft_text = "\n".join(p.text for p in Document(io.BytesIO(docx.render(bulletin, []))).paragraphs)
    assert "二、工作要求" in draft_text and "（由督查室填写）" in draft_text  # the draft shows the gap
    published = bulletin_publish(bulletin=bulletin, by=bw.world.office, now=NOW)
    text = "\n".join(p.text for p in opened(published).paragraphs)
    assert "二、工作要求" not in text and "由督查室填写" not in text
