"""The pack as an A4 PDF: text and tables by fpdf2, each figure its own vector PDF page.

fpdf2 lays out the text (DejaVu Sans, the figures' own font, embedded as TrueType, with
installed CJK and emoji fonts as fallbacks) and leaves a box for each figure; pypdf
then places the figure's own PDF page in that box, so its text stays text and its
lines stay sharp at any zoom.
"""

from __future__ import annotations

import functools
import io
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace
from matplotlib.font_manager import findSystemFonts
from pypdf import PdfReader, PdfWriter, Transformation

from .record import Pack, Table

FONT = "DejaVu"
_TTF = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
#: Installed fonts tried, in order, for what DejaVu Sans lacks (file-name stems, lower case).
FALLBACKS = ("notosanscjk", "notoserifcjk", "sourcehansans", "droidsansfallback", "wqy-zenhei",
             "notocoloremoji", "notoemoji", "symbola", "seguiemj", "msyh", "arialuni")  # fmt: skip
#: Drawn for a character no font has: a box, as font renderers do.
MISSING = "□"
MM_PT = 72 / 25.4
MARGIN, TEXT_W = 20.0, 170.0  # mm, A4
GREY, BLACK = (85, 85, 85), (0, 0, 0)
_installed_fonts = functools.cache(lambda: sorted(findSystemFonts()))  # a system-wide search


class _PDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()} of {{nb}}")


def new_pdf() -> _PDF:
    pdf = _PDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, 18, MARGIN)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font(FONT, "", _TTF / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", _TTF / "DejaVuSans-Bold.ttf")
    fallbacks = []
    for stem in FALLBACKS:
        path = next((p for p in _installed_fonts() if Path(p).stem.lower().startswith(stem)), "")
        try:
            if path:
                pdf.add_font(stem, "", path)
                fallbacks.append(stem)
        except Exception:  # noqa: BLE001 - a font fpdf2 cannot read is simply not a fallback
            continue
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)
    return pdf


def covered(pdf: FPDF, text: str) -> str:
    """``text`` with every character no loaded font has replaced by a box."""
    cmaps = [f.cmap for f in pdf.fonts.values()]
    return "".join(c if c.isspace() or any(ord(c) in m for m in cmaps) else MISSING for c in text)


def column_widths(pdf: FPDF, t: Table, size: float, total: float) -> list[float]:
    """Each column at least as wide as its longest word (no header broken mid-word), the
    rest of ``total`` shared by how much longer each column's text is."""
    pad = 2 * 1.0 + 0.6  # cell padding both sides and a little for rounding
    minw, want = [0.0] * len(t.header), [0.0] * len(t.header)
    for i, row in enumerate([t.header, *t.rows]):
        pdf.set_font(FONT, "B" if i == 0 else "", size)
        for j, text in enumerate(row):
            text = covered(pdf, text)
            minw[j] = max(minw[j], *(pdf.get_string_width(w) + pad for w in text.split() or [""]))
            want[j] = max(want[j], pdf.get_string_width(text) + pad)
    if sum(want) <= total:
        return [w * total / sum(want) for w in want]
    room = max(0.0, total - sum(minw))
    more = [w - m for w, m in zip(want, minw, strict=True)]
    return [m + room * x / (sum(more) or 1) for m, x in zip(minw, more, strict=True)]


def _write(pdf: FPDF, runs, size: float = 9.5, *, indent: float = 0.0, hang: str = "",
           after: float = 1.5, color=BLACK) -> None:  # fmt: skip
    """A paragraph of (text, bold) runs that wraps and flows onto the next page."""
    lh = size / MM_PT * 1.35
    pdf.set_text_color(*color)
    pdf.set_font(FONT, "", size)
    pdf.set_x(MARGIN)
    if hang:
        pdf.cell(indent, lh, hang)
    pdf.set_left_margin(MARGIN + indent)
    for text, bold in [(runs, False)] if isinstance(runs, str) else runs:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.write(lh, covered(pdf, text) + " ")
    pdf.set_left_margin(MARGIN)
    pdf.ln(lh + after)


def _heading(pdf: FPDF, text: str, size: float = 13.0, *, keep: float = 30.0) -> None:
    if pdf.will_page_break(keep + 12):
        pdf.add_page()
    pdf.start_section(text)
    pdf.ln(2)
    _write(pdf, [(text, True)], size, after=1.5)


def _table(pdf: FPDF, t: Table, size: float = 7.0, caption: bool = True) -> None:
    if pdf.will_page_break(25):  # the caption, the header and a row or two stay together
        pdf.add_page()
    if caption:
        label, text = t.caption.split(". ", 1)
        _write(pdf, [(label + ".", True), (text, False)], 8.5)
    widths = column_widths(pdf, t, size, TEXT_W)
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(*BLACK)
    align = tuple("RIGHT" if n else "LEFT" for n in t.numeric)
    with pdf.table(col_widths=widths, width=TEXT_W, text_align=align, line_height=size / MM_PT * 1.3,
                   padding=1.0, borders_layout="HORIZONTAL_LINES", cell_fill_mode="ROWS",
                   cell_fill_color=(246, 246, 246), repeat_headings=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(232, 232, 232))) as table:  # fmt: skip
        for row in [t.header, *t.rows]:
            r = table.row()
            for text in row:
                r.cell(covered(pdf, text))
    pdf.ln(4)


def _figure(pdf: FPDF, f, boxes: list) -> None:
    page = PdfReader(f.file("pdf")).pages[0]
    w, h = float(page.mediabox.width), float(page.mediabox.height)
    scale = min(1.0, TEXT_W * MM_PT / w, 200 * MM_PT / h)
    w_mm, h_mm = w * scale / MM_PT, h * scale / MM_PT
    _heading(pdf, f.heading, 12, keep=h_mm)
    x, y = MARGIN + (TEXT_W - w_mm) / 2, pdf.get_y()
    boxes.append((pdf.page_no(), page, x, y + h_mm, scale))
    pdf.set_y(y + h_mm + 2)
    _write(pdf, [(f"{f.label}.", True), (f.caption_text, False)], 8.5)
    for n in f.notes:
        _write(pdf, n, 8.5, indent=4, hang="•", after=0.5)
    _write(pdf, [("Sources:", True), (f.source_line + ".", False)], 7.5, after=0.5)
    _write(pdf, [("Cite this figure:", True), (f.citation, False)], 7.5, after=0.5)
    _write(pdf, f.provenance, 7, color=GREY, after=4)
    for t in f.tables:
        _table(pdf, t)


def _contents(pdf: FPDF, outline) -> None:
    for s in outline:
        pdf.set_font(FONT, "", 9.5)
        pdf.set_text_color(*BLACK)
        pdf.set_x(MARGIN + 4)
        link = pdf.add_link(page=s.page_number)
        pdf.cell(TEXT_W - 24, 5, covered(pdf, s.name), link=link)
        pdf.set_text_color(*GREY)
        pdf.cell(20, 5, f"page {s.page_number}", align="R", new_x="LMARGIN", new_y="NEXT")


def render_pdf(pack: Pack) -> bytes:
    """Findings and contents first, then each figure with its tables, fact checks, references."""
    pdf = new_pdf()
    pdf.footer_text = f"{pack.title} · data version {pack.data_version}"
    pdf.set_title(pack.title)
    pdf.set_subject(pack.subtitle)
    pdf.set_author("belthaw workbook")
    pdf.set_keywords(f"data_version={pack.data_version}; license={pack.licence.get('name', '')}")
    pdf.set_creator("belthaw")
    # The data's date, not the clock: the same figures give the same bytes.
    pdf.set_creation_date(datetime.fromisoformat(pack.as_of).replace(tzinfo=UTC))
    pdf.add_page()
    _write(pdf, [(pack.title, True)], 16, after=1)
    _write(pdf, pack.subtitle, 8.5, color=GREY, after=3)
    _write(pdf, [("Key findings", True)], 13)
    for i, k in enumerate(pack.findings, 1):
        _write(pdf, [(k.text, False), (k.label, True)], 10, indent=7, hang=f"{i}.", after=1.5)
    _write(pdf, pack.how_to_use, 8.5, color=GREY, after=1.5)
    _write(pdf, pack.licence_line, 8, color=GREY, after=3)
    _write(pdf, [("Contents", True)], 13)
    pdf.insert_toc_placeholder(_contents)
    boxes: list = []
    for f in pack.figures:
        _figure(pdf, f, boxes)
    pdf.add_page()
    _heading(pdf, "Fact-check sheet")
    _write(pdf, "For each figure: the claim in its title, the rows behind it and where they "
           "come from.", 8.5, color=GREY)  # fmt: skip
    for c in pack.checks:
        _write(pdf, [(f"{c.figure.label}.", True), (c.figure.title, False)], 8.5, after=0.5)
        if c.rows is not None:
            _table(pdf, c.rows, 6.5, caption=False)
            if c.more_rows:
                _write(pdf, f"… and {c.more_rows} more rows in {c.rows.file}.", 7, color=GREY)
        else:
            _write(pdf, [("Source ids:", True), (c.source_ids, False)], 7)
        _write(pdf, [("Origins:", True), (c.origins, False)], 7, after=4)
    _heading(pdf, "References")
    _write(pdf, pack.licence_line, 8, color=GREY, after=2)
    for r in pack.references:
        _write(pdf, [(r.text, False), (f"({r.cited_in})", False)], 7.5, indent=9,
               hang=f"{r.number}.", after=0.8)  # fmt: skip
    return _place_figures(bytes(pdf.output()), boxes)


def _place_figures(text_pdf: bytes, boxes: list) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    for page_no, fig, x, y_bottom, scale in boxes:
        out = writer.pages[page_no - 1]
        left, bottom = float(fig.mediabox.left), float(fig.mediabox.bottom)
        top = float(out.mediabox.height)
        move = Transformation().translate(-left, -bottom).scale(scale, scale)
        out.merge_transformed_page(fig, move.translate(x * MM_PT, top - y_bottom * MM_PT))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
