"""The pack as an A4 PDF, laid out from a :class:`Pack`: text flows, figures stay vectors.

Text pages are drawn with matplotlib (the figures' own fonts, TrueType embedded) by a
small flow layout: paragraphs wrap by measured width and continue on the next page,
headings stay with what follows, tables repeat their header after a page break. Each
figure's own PDF page is then placed on its spot at print width (pypdf), so its text
stays text when copied and its lines stay sharp at any zoom.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .record import Figure, Pack, Table

PT_PER_CM = 72 / 2.54
PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN_X = 2.0 * PT_PER_CM
MARGIN_TOP = 1.8 * PT_PER_CM
MARGIN_BOTTOM = 2.0 * PT_PER_CM
TEXT_W = PAGE_W - 2 * MARGIN_X
BOTTOM = PAGE_H - MARGIN_BOTTOM  # lowest y (from the top) text may reach
GREY = "#555555"
LEADING = 1.32  # line height / font size


@dataclass
class Page:
    items: list[tuple[Any, ...]] = field(default_factory=list)
    figures: list[tuple[Path, float, float, float]] = field(default_factory=list)  # path x y s


class _Measure:
    """Text widths in points from the glyph advances of the fonts the PDF embeds.

    Summing cached per-character advances (what matplotlib's own layout sums, less
    kerning, which moves a line by well under a character) is fast enough to wrap a
    long reference list; lines are filled to 99 % of the column to absorb the rest.
    """

    def __init__(self) -> None:
        self._fonts: dict[str, Any] = {}
        self._adv: dict[tuple[str, str], float] = {}

    def _font(self, weight: str):
        font = self._fonts.get(weight)
        if font is None:
            from matplotlib.font_manager import FontProperties, findfont, get_font

            font = get_font(findfont(FontProperties(weight=weight)))
            font.set_size(100, 72)
            self._fonts[weight] = font
        return font

    def width(self, s: str, size: float, weight: str = "normal") -> float:
        total = 0.0
        for ch in s:
            key = (ch, weight)
            adv = self._adv.get(key)
            if adv is None:
                from matplotlib.ft2font import LoadFlags

                glyph = self._font(weight).load_char(ord(ch), flags=LoadFlags.NO_HINTING)
                adv = self._adv[key] = glyph.linearHoriAdvance / 65536 / 100
            total += adv
        return total * size


class Flow:
    """A cursor over A4 pages; every block asks for room and starts a page when there is none."""

    def __init__(self) -> None:
        self.m = _Measure()
        self.pages: list[Page] = [Page()]
        self.y = MARGIN_TOP

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = MARGIN_TOP

    def need(self, h: float) -> None:
        if self.y + h > BOTTOM and self.y > MARGIN_TOP + 1:
            self.new_page()

    def gap(self, h: float) -> None:
        self.y += h

    # -- text -----------------------------------------------------------------------------

    def wrap(
        self, runs: list[tuple[str, str]], size: float, width: float
    ) -> list[list[tuple[str, str]]]:
        """Greedy wrap of (text, weight) runs into lines of (word, weight) by measured width."""
        width *= 0.99  # room for the kerning the advances leave out
        words = [(w, wt) for text, wt in runs for w in text.split()]
        space = self.m.width(" ", size)
        lines: list[list[tuple[str, str]]] = []
        line: list[tuple[str, str]] = []
        used = 0.0
        for word, wt in words:
            ww = self.m.width(word, size, wt)
            while ww > width and len(word) > 1:  # a URL wider than the column: cut it
                k = len(word) - 1
                while k > 1 and self.m.width(word[:k], size, wt) > width - used - space:
                    k -= 1
                if line and self.m.width(word[:k], size, wt) > width - used - space:
                    lines.append(line)
                    line, used = [], 0.0
                    continue
                line.append((word[:k], wt))
                lines.append(line)
                line, used = [], 0.0
                word = word[k:]
                ww = self.m.width(word, size, wt)
            extra = ww + (space if line else 0.0)
            if line and used + extra > width:
                lines.append(line)
                line, used, extra = [], 0.0, ww
            line.append((word, wt))
            used += extra
        if line:
            lines.append(line)
        return lines

    def _draw_line(self, line, x: float, baseline: float, size: float, color: str) -> None:
        space = self.m.width(" ", size)
        seg: list[str] = []
        seg_wt = line[0][1]
        cx = x
        for word, wt in [*line, ("", "__end__")]:
            if wt != seg_wt:
                text = " ".join(seg)
                self.page.items.append(("text", cx, baseline, text, size, seg_wt, color, "left"))
                cx += self.m.width(text, size, seg_wt) + space
                seg, seg_wt = [], wt
            seg.append(word)

    def para(
        self,
        runs: list[tuple[str, str]] | str,
        size: float = 9.5,
        *,
        indent: float = 0.0,
        hang: str = "",
        after: float = 4.0,
        color: str = "black",
        keep: float = 0.0,
    ) -> None:
        """A paragraph that wraps and, when long, continues on the next page.

        ``hang`` is a label printed in the indent of the first line (list numbers);
        ``keep`` asks for that much room below the paragraph's first lines (headings).
        """
        if isinstance(runs, str):
            runs = [(runs, "normal")]
        lh = size * LEADING
        lines = self.wrap(runs, size, TEXT_W - indent)
        # Keep at least two lines together (no single orphan line at a page's foot).
        self.need(lh * min(2, len(lines)) + keep)
        for i, line in enumerate(lines):
            self.need(lh)
            baseline = self.y + size
            if i == 0 and hang:
                self.page.items.append(
                    ("text", MARGIN_X + indent - 4, baseline, hang, size, "normal", color, "right")
                )
            self._draw_line(line, MARGIN_X + indent, baseline, size, color)
            self.y += lh
        self.y += after

    def heading(self, text: str, size: float = 13.0, *, keep: float = 60.0) -> None:
        self.gap(size * 0.6)
        self.para([(text, "bold")], size, after=size * 0.45, keep=keep)

    def rule(self, color: str = "#bbbbbb") -> None:
        self.page.items.append(("line", MARGIN_X, self.y, MARGIN_X + TEXT_W, self.y, color))
        self.y += 6

    # -- figures and tables -----------------------------------------------------------------

    def figure(self, path: Path, w_pt: float, h_pt: float) -> None:
        scale = min(1.0, TEXT_W / w_pt, (BOTTOM - MARGIN_TOP) / h_pt)
        h = h_pt * scale
        self.need(h)
        x = MARGIN_X + (TEXT_W - w_pt * scale) / 2
        self.page.figures.append((path, x, self.y + h, scale))
        self.y += h + 4

    def table(self, t: Table, size: float = 7.5) -> None:
        pad = 2.5
        lh = size * LEADING
        ncol = len(t.header)
        cells = [t.header, *t.rows]
        longest = [
            max(self.m.width(w, size, "bold" if r == 0 else "normal") for w in c.split() or [""])
            for r, row in enumerate(cells)
            for c in row
        ]
        minw = [0.0] * ncol
        want = [0.0] * ncol
        for r, row in enumerate(cells):
            wt = "bold" if r == 0 else "normal"
            for j, c in enumerate(row):
                minw[j] = max(minw[j], longest[r * ncol + j] + 2 * pad)
                want[j] = max(want[j], self.m.width(c, size, wt) + 2 * pad)
        widths = _share(minw, want, TEXT_W)

        def row_lines(row, wt):
            return [
                self.wrap([(c, wt)], size, widths[j] - 2 * pad) or [[]] for j, c in enumerate(row)
            ]

        def draw_row(row, wt, fill):
            lines = row_lines(row, wt)
            h = max(len(x) for x in lines) * lh + 2 * pad
            if fill:
                self.page.items.append(("rect", MARGIN_X, self.y, TEXT_W, h, fill))
            x = MARGIN_X
            for j, cl in enumerate(lines):
                for k, line in enumerate(cl):
                    base = self.y + pad + k * lh + size
                    if line and t.numeric[j] and wt != "bold":
                        text = " ".join(w for w, _ in line)
                        self.page.items.append(
                            ("text", x + widths[j] - pad, base, text, size, wt, "black", "right")
                        )
                    elif line:
                        self._draw_line(line, x + pad, base, size, "black")
                x += widths[j]
            self.y += h
            self.page.items.append(("line", MARGIN_X, self.y, MARGIN_X + TEXT_W, self.y, "#cccccc"))
            return h

        def header_height():
            return max(len(x) for x in row_lines(t.header, "bold")) * lh + 2 * pad

        self.para([(f"Table {t.number}.", "bold"), (t.spec.caption, "normal")], 8.5,
                  after=3, keep=header_height() + 3 * lh)  # fmt: skip
        draw_row(t.header, "bold", "#e8e8e8")
        for i, row in enumerate(t.rows):
            h = max(len(x) for x in row_lines(row, "normal")) * lh + 2 * pad
            if self.y + h > BOTTOM:
                self.new_page()
                draw_row(t.header, "bold", "#e8e8e8")
            draw_row(row, "normal", "#f6f6f6" if i % 2 else None)
        self.y += 8


def _share(minw: list[float], want: list[float], total: float) -> list[float]:
    """Column widths: each at least its longest word, the rest shared by how much more it wants."""
    if sum(want) <= total:
        extra = total - sum(want)
        return [w + extra * w / sum(want) for w in want]
    base = min(1.0, total / sum(minw)) if sum(minw) else 1.0
    widths = [m * base for m in minw]
    room = total - sum(widths)
    more = [max(0.0, w - m) for w, m in zip(want, widths, strict=True)]
    if room > 0 and sum(more):
        widths = [w + room * m / sum(more) for w, m in zip(widths, more, strict=True)]
    return widths


def _fig_size_pt(f: Figure) -> tuple[float, float]:
    return f.width_cm * PT_PER_CM, f.height_cm * PT_PER_CM


def layout(pack: Pack, contents_pages: dict[str, int] | None = None) -> tuple[Flow, dict[str, int]]:
    """Lay the pack out; returns the flow and the page each section starts on."""
    fl = Flow()
    starts: dict[str, int] = {}
    pg = contents_pages or {}

    fl.para([(pack.title, "bold")], 17, after=4)
    fl.para(pack.subtitle, 8.5, color=GREY, after=8)
    fl.rule()
    fl.heading("Key findings")
    for f in pack.figures:
        fl.para([(f.title, "normal"), (f"({f.label})", "bold")], 10, indent=16,
                hang=f"{f.number}.", after=5)  # fmt: skip
    fl.gap(2)
    fl.para(pack.how_to_use, 8.5, color=GREY, after=6)
    fl.heading("Contents", keep=40)
    entries = [(f.heading, f"figure-{f.number}") for f in pack.figures] + [
        ("References", "references")
    ]
    for text, key in entries:
        fl.need(13)
        base = fl.y + 9.5
        fl.page.items.append(("text", MARGIN_X + 16, base, text, 9.5, "normal", "black", "left"))
        fl.page.items.append(
            ("text", MARGIN_X + TEXT_W, base, f"page {pg.get(key, '?')}", 9.5, "normal", GREY, "right")
        )  # fmt: skip
        fl.y += 13
    fl.gap(4)
    fl.para(pack.licence_line, 8, color=GREY)

    for f in pack.figures:
        w, h = _fig_size_pt(f)
        fl.new_page() if f.number == 1 else fl.gap(10)
        scale = min(1.0, TEXT_W / w, (BOTTOM - MARGIN_TOP) / h)
        fl.heading(f.heading, 12, keep=h * scale + 10)
        starts[f"figure-{f.number}"] = len(fl.pages)
        fl.figure(f.file("pdf"), w, h)
        fl.para([(f"{f.label}.", "bold"), (f.caption_text, "normal")], 8.5, after=3)
        for n in f.notes:
            fl.para(n, 8.5, indent=12, hang="•", after=2)
        fl.gap(2)
        fl.para([("Sources:", "bold"), (f.source_line + ".", "normal"),
                 ("References:", "bold"), (f.refs_line + ".", "normal")], 7.5, after=2)  # fmt: skip
        fl.para([("Cite this figure:", "bold"), (f.citation, "normal")], 7.5, after=2)
        fl.para(f.provenance, 7, color=GREY, after=6)
        for t in f.tables:
            fl.gap(4)
            fl.table(t)

    fl.gap(12)
    fl.heading("References", 13, keep=80)
    starts["references"] = len(fl.pages)
    fl.para(pack.licence_line, 8, color=GREY, after=6)
    for r in pack.references:
        fl.para([(r.text, "normal"), (f"({r.cited_in})", "normal")], 7.5, indent=22,
                hang=f"{r.number}.", after=2.5)  # fmt: skip
    return fl, starts


def _draw(fl: Flow, pack: Pack) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    from ..figure.save import render_context

    buf = io.BytesIO()
    n = len(fl.pages)
    with render_context("a4-full"):
        meta = {
            "Title": pack.title,
            "Subject": pack.subtitle,
            "Author": "belthaw workbook",
            "Keywords": f"data_version={pack.data_version}; license={pack.licence.get('name', '')}",
            "Creator": "belthaw",
            "Producer": "belthaw",
            "CreationDate": None,
            "ModDate": None,
        }
        with PdfPages(buf, metadata=meta) as pdf:
            for i, page in enumerate(fl.pages, 1):
                fig = MplFigure(figsize=(PAGE_W / 72, PAGE_H / 72), layout="none")

                def fx(x):
                    return x / PAGE_W

                def fy(y):
                    return 1 - y / PAGE_H

                for it in page.items:
                    kind = it[0]
                    if kind == "text":
                        _, x, base, text, size, wt, color, ha = it
                        fig.text(fx(x), fy(base), text, fontsize=size, weight=wt, color=color,
                                 ha=ha, va="baseline", parse_math=False)  # fmt: skip
                    elif kind == "line":
                        _, x0, y0, x1, y1, color = it
                        fig.add_artist(Line2D([fx(x0), fx(x1)], [fy(y0), fy(y1)], lw=0.5,
                                              color=color, transform=fig.transFigure))  # fmt: skip
                    elif kind == "rect":
                        _, x, y, w, h, fill = it
                        fig.add_artist(Rectangle((fx(x), fy(y + h)), w / PAGE_W, h / PAGE_H,
                                                 facecolor=fill, edgecolor="none", zorder=-1,
                                                 transform=fig.transFigure))  # fmt: skip
                foot = f"{pack.title} · data version {pack.data_version} · page {i} of {n}"
                fig.text(fx(MARGIN_X), fy(PAGE_H - 0.9 * PT_PER_CM), foot, fontsize=7,
                         color=GREY, va="baseline", parse_math=False)  # fmt: skip
                pdf.savefig(fig)
    return buf.getvalue()


def render_pdf(pack: Pack) -> bytes:
    """The pack as a PDF: findings and contents first, then each figure, tables, references."""
    from pypdf import PdfReader, PdfWriter, Transformation

    _, starts = layout(pack)
    fl, starts2 = layout(pack, starts)
    if starts2 != starts:  # page numbers moved the layout (they never should): settle once more
        fl, _ = layout(pack, starts2)
    text_pdf = PdfReader(io.BytesIO(_draw(fl, pack)))
    writer = PdfWriter()
    cache: dict[Path, Any] = {}
    for page, src in zip(fl.pages, text_pdf.pages, strict=True):
        out = writer.add_page(src)
        for path, x, y_bottom, scale in page.figures:
            if path not in cache:
                cache[path] = PdfReader(path).pages[0]
            t = Transformation().scale(scale, scale).translate(x, PAGE_H - y_bottom)
            out.merge_transformed_page(cache[path], t)
    writer.add_metadata(
        {
            "/Title": pack.title,
            "/Subject": pack.subtitle,
            "/Producer": "belthaw",
            "/Creator": "belthaw",
            "/Keywords": f"data_version={pack.data_version}; "
            f"license={pack.licence.get('name', '')}",
        }
    )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
