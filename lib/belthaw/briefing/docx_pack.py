"""The pack as a Word document, built as a Word user would build it so it survives editing.

Headings in the Heading styles, figures as PNG at print width with alt text, captions
in the Caption style with a ``SEQ`` field (Word's cross-references find them), tables
as Word tables with a repeating header row, references as a hanging list.
"""

from __future__ import annotations

import functools
import io
import zipfile
from datetime import datetime

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .pdf_pack import column_widths, new_pdf
from .record import Figure, Pack, Table

TEXT_CM = 17.0
GREY = "555555"


#: Text widths in DejaVu Sans, the document's font, from the PDF pack's font set.
_measure = functools.cache(new_pdf)


def _field(paragraph, instr: str, shown: str, *, bold: bool = False, size: float = 0) -> None:
    """A Word field (SEQ, PAGE) with the value shown until Word updates fields."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    run = paragraph.add_run(shown)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    fld.append(run._r)
    paragraph._p.append(fld)


def _caption(doc, label: str, number: int, text: str) -> None:
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{label} ").bold = True
    _field(p, f"SEQ {label} \\* ARABIC", str(number), bold=True)
    p.add_run(". ").bold = True
    p.add_run(text)
    p.paragraph_format.keep_with_next = True


def _small(doc, runs, size: float = 8.0, color: str = ""):
    p = doc.add_paragraph()
    for text, bold in [(runs, False)] if isinstance(runs, str) else runs:
        r = p.add_run(text)
        r.bold, r.font.size = bold or None, Pt(size)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
    p.paragraph_format.space_after = Pt(3)
    return p


def _table(doc, t: Table, size: float = 7.5) -> None:
    if t.number:
        _caption(doc, "Table", t.number, t.caption.split(". ", 1)[1])
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
    table.style, table.alignment, table.autofit = "Table Grid", WD_TABLE_ALIGNMENT.CENTER, False
    # Widths from DejaVu Sans metrics, plus Word's default cell margins (0.19 cm a side).
    mm = column_widths(_measure(), t, size, TEXT_CM * 10 - 3.8 * len(t.header))
    widths = [Cm(w / 10 + 0.38) for w in mm]
    for j, col in enumerate(table.columns):
        col.width = widths[j]  # the grid LibreOffice reads; cell widths are what Word reads
    for i, row in enumerate([t.header, *t.rows]):
        tr = table.rows[i]
        for j, text in enumerate(row):
            c = tr.cells[j]
            c.width = widths[j]
            p = c.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(text)
            run.font.size, run.bold = Pt(size), i == 0 or None
            if t.numeric[j] and i:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        trpr = tr._tr.get_or_add_trPr()
        for tag in ("w:cantSplit", "w:tblHeader") if i == 0 else ("w:cantSplit",):
            el = OxmlElement(tag)  # rows never split; the header repeats on every page
            el.set(qn("w:val"), "true")
            trpr.append(el)
    doc.add_paragraph()


def _figure(doc, f: Figure) -> None:
    doc.add_heading(f.heading, level=1)
    doc.add_picture(str(f.file("png")), width=Cm(min(f.width_cm, TEXT_CM)))
    pic = doc.paragraphs[-1]
    pic.paragraph_format.keep_with_next = True
    pr = pic.runs[-1]._r.xpath(".//wp:docPr")[0]
    pr.set("descr", f.alt)  # Word: Format Picture > Alt Text
    pr.set("title", f.title)
    _caption(doc, "Figure", f.number, f.caption_text)
    for n in f.notes:
        doc.add_paragraph(n, style="List Bullet").paragraph_format.space_after = Pt(2)
    _small(doc, [("Sources: ", True), (f.source_line + ".", False)])
    _small(doc, [("Cite this figure: ", True), (f.citation, False)])
    _small(doc, f.provenance, 7, GREY)
    for t in f.tables:
        _table(doc, t)


def _setup(doc, pack: Pack) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(1.8), Cm(2.0)
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(9.5)
    # Word's Caption is bold blue; a briefing's captions read as quiet body text.
    cap = doc.styles["Caption"].font
    cap.bold, cap.italic, cap.size, cap.color.rgb = False, False, Pt(9), RGBColor(0x22, 0x22, 0x22)
    foot = sec.footer.paragraphs[0]
    foot.add_run(f"{pack.title} · data version {pack.data_version} · page ").font.size = Pt(7)
    _field(foot, "PAGE", "1", size=7)
    cp = doc.core_properties
    cp.title, cp.subject, cp.comments = pack.title, pack.subtitle, pack.licence_line
    cp.author = cp.last_modified_by = "belthaw workbook"
    cp.keywords = f"data_version={pack.data_version}; license={pack.licence.get('name', '')}"
    cp.created = cp.modified = datetime.fromisoformat(pack.as_of)  # not the clock: same bytes
    cp.revision = 1


def render_docx(pack: Pack) -> bytes:
    doc = docx.Document()
    _setup(doc, pack)
    doc.add_heading(pack.title, level=0)
    _small(doc, pack.subtitle, 8.5, GREY)
    doc.add_heading("Key findings", level=1)
    for k in pack.findings:
        doc.add_paragraph(k.text + " ", style="List Number").add_run(k.label).bold = True
    _small(doc, pack.how_to_use, 8.5, GREY)
    doc.add_heading("Contents", level=1)
    for f in pack.figures:
        tabs = "".join(f"; Table {t.number}" for t in f.tables)
        p = doc.add_paragraph(f"{f.heading} (Figure {f.number}{tabs})")
        p.paragraph_format.space_after = Pt(1)
    doc.add_paragraph("Fact-check sheet").paragraph_format.space_after = Pt(1)
    doc.add_paragraph("References")
    _small(doc, pack.licence_line, 8, GREY).add_run().add_break(WD_BREAK.PAGE)
    for f in pack.figures:
        _figure(doc, f)
    doc.add_heading("Fact-check sheet", level=1)
    for c in pack.checks:
        _small(doc, [(f"{c.figure.label}. ", True), (c.figure.title, False)], 8.5)
        if c.rows is not None:
            _table(doc, c.rows, 6.5)
            if c.more_rows:
                _small(doc, f"… and {c.more_rows} more rows in {c.rows.file}.", 7, GREY)
        else:
            _small(doc, [("Source ids: ", True), (c.source_ids, False)], 7)
        _small(doc, [("Origins: ", True), (c.origins, False)], 7)
    doc.add_heading("References", level=1)
    _small(doc, pack.licence_line, 8, GREY)
    for r in pack.references:
        p = _small(doc, f"{r.number}.\t{r.text} ({r.cited_in})")
        p.paragraph_format.left_indent, p.paragraph_format.first_line_indent = Cm(0.9), Cm(-0.9)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(raw: bytes) -> bytes:
    """The same .docx with every zip entry dated 1980 (python-docx stamps the clock)."""
    src, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)),
                         src.read(info.filename), zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()
