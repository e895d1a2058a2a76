"""The pack as a Word document (python-docx), laid out from a :class:`Pack`.

Built the way a Word user would build it by hand, so it keeps working once edited:
headings in the Heading styles (navigation pane), figures as PNG at their print width
with alt text, captions in Word's "Caption" style with a ``SEQ Figure`` field (Word's
cross-references and table of figures find them), tables as Word tables, and the
reference list as a numbered list.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from .pdf_pack import _share
from .record import Figure, Pack, Table

#: Zip entry time for every part: the same pack gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _caption(doc, label: str, number: int, text: str, *, seq: str):
    """A caption paragraph: '<label> <SEQ field> . text' in the Caption style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{label} ").bold = True
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" SEQ {seq} \\* ARABIC ")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:b"))
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = str(number)  # the field's last result: shown until Word updates fields
    r.append(t)
    fld.append(r)
    p._p.append(fld)
    p.add_run(". ").bold = True
    p.add_run(text)
    return p


def _page_field(paragraph) -> None:
    """The page number, as a field Word and LibreOffice fill in on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), " PAGE ")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "14")  # half-points: 7 pt, as the rest of the footer
    rpr.append(sz)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _small(doc, runs: list[tuple[str, bool]], size: float = 8.0, color=None):
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    for text, bold in runs:
        r = p.add_run(text)
        r.bold = bold
        r.font.size = Pt(size)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
    p.paragraph_format.space_after = Pt(3)
    return p


def _table(doc, t: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    cap = _caption(doc, "Table", t.number, t.spec.caption, seq="Table")
    cap.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    rows = [t.header, *t.rows]
    # Column widths as the PDF shares them: each at least its longest word, the rest of
    # the 17 cm by how much more text a column holds (character counts stand in for widths).
    minw = [
        max(len(w) for r in rows for w in (r[j].split() or [""])) + 2 for j in range(len(t.header))
    ]
    want = [max(len(r[j]) for r in rows) + 2 for j in range(len(t.header))]
    widths = [Cm(17.0 * w / sum(ws)) for ws in [_share(minw, want, 100.0)] for w in ws]
    for j, col in enumerate(table.columns):
        col.width = widths[j]  # the grid LibreOffice reads; cell widths are what Word reads
    for i, row in enumerate(rows):
        cells = table.rows[i].cells
        for j, text in enumerate(row):
            cells[j].width = widths[j]
            p = cells[j].paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(text)
            run.font.size = Pt(7.5)
            run.bold = i == 0
            if t.numeric[j] and i > 0:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for i, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        keep = OxmlElement("w:cantSplit")  # a row never breaks across pages
        keep.set(qn("w:val"), "true")
        trpr.append(keep)
        if i == 0:  # the header row repeats on every page the table runs onto
            hdr = OxmlElement("w:tblHeader")
            hdr.set(qn("w:val"), "true")
            trpr.append(hdr)
    doc.add_paragraph()


def _figure(doc, f: Figure) -> None:
    from docx.shared import Cm, Pt

    doc.add_heading(f.heading, level=1)
    # Print width, capped at the text column (a slide-sized figure is scaled to fit).
    width = min(f.width_cm, 17.0)
    doc.add_picture(str(f.file("png")), width=Cm(width))
    pic_par = doc.paragraphs[-1]
    pic_par.paragraph_format.keep_with_next = True
    inline = pic_par.runs[-1]._r.xpath(".//wp:docPr")[0]
    inline.set("descr", f.alt)  # Word: Format Picture > Alt Text
    inline.set("title", f.title)
    _caption(doc, "Figure", f.number, f.caption_text, seq="Figure")
    for n in f.notes:
        p = doc.add_paragraph(n, style="List Bullet")
        p.paragraph_format.space_after = Pt(2)
    _small(doc, [("Sources: ", True), (f.source_line + ". ", False),
                 ("References: ", True), (f.refs_line + ".", False)])  # fmt: skip
    _small(doc, [("Cite this figure: ", True), (f.citation, False)])
    _small(doc, [(f.provenance, False)], size=7.0, color="555555")
    for t in f.tables:
        _table(doc, t)


def _deterministic(raw: bytes) -> bytes:
    """The same .docx with fixed zip entry times (python-docx stamps the clock)."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def render_docx(pack: Pack) -> bytes:
    """The pack as .docx bytes."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    doc = docx.Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(1.8), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Sans"
    normal.font.size = Pt(9.5)
    normal.paragraph_format.space_after = Pt(4)
    # Word's built-in Caption is bold blue; a briefing's captions read as quiet body text,
    # with only the "Figure 3." label in bold.
    cap = doc.styles["Caption"]
    cap.font.bold = False
    cap.font.italic = False
    cap.font.size = Pt(9)
    cap.font.color.rgb = RGBColor(0x22, 0x22, 0x22)
    cap.paragraph_format.space_after = Pt(4)
    foot = sec.footer.paragraphs[0]
    foot.text = f"{pack.title} · data version {pack.data_version} · page "
    _page_field(foot)
    for run in foot.runs:
        run.font.size = Pt(7)

    when = datetime.fromisoformat(pack.as_of)
    cp = doc.core_properties
    cp.title = pack.title
    cp.subject = pack.subtitle
    cp.author = cp.last_modified_by = "belthaw workbook"
    cp.keywords = f"data_version={pack.data_version}; license={pack.licence.get('name', '')}"
    cp.comments = pack.licence_line
    cp.created = cp.modified = when
    cp.revision = 1

    doc.add_heading(pack.title, level=0)
    _small(doc, [(pack.subtitle, False)], size=8.5, color="555555")
    doc.add_heading("Key findings", level=1)
    for f in pack.figures:
        p = doc.add_paragraph(style="List Number")
        p.add_run(f.title + " ")
        p.add_run(f"({f.label})").bold = True
    _small(doc, [(pack.how_to_use, False)], size=8.5, color="555555")
    doc.add_heading("Contents", level=1)
    for f in pack.figures:
        tabs = "".join(f"; Table {t.number}" for t in f.tables)
        p = doc.add_paragraph(f"{f.heading} (Figure {f.number}{tabs})")
        p.paragraph_format.space_after = Pt(1)
    doc.add_paragraph("References").paragraph_format.space_after = Pt(6)
    _small(doc, [(pack.licence_line, False)], size=8.0, color="555555")

    for f in pack.figures:
        doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE) if f.number == 1 else None
        _figure(doc, f)

    doc.add_heading("References", level=1)
    _small(doc, [(pack.licence_line, False)], size=8.0, color="555555")
    for r in pack.references:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Cm(0.9)
        p.paragraph_format.first_line_indent = Cm(-0.9)
        p.paragraph_format.space_after = Pt(2)
        for text in (f"{r.number}.\t", r.text + " ", f"({r.cited_in})"):
            run = p.add_run(text)
            run.font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return _deterministic(buf.getvalue())
