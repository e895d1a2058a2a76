"""Finishing a figure: the finding, scope, notes, source line and data date drawn onto it,
so that a PNG pasted into a briefing carries its provenance even when the caption is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from ..charts.figtext import FigureText
from ..errors import BelthawError
from ..freshness import AS_OF_NOTE, age_days
from ..style import MIN_FONT_PT, house_style, size_of

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: The formats :func:`belthaw.figure.save.save` can write.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: Raster resolution of the PNG (and of anything rasterised inside SVG/PDF).
DPI = 300
#: Beside the date of a replay (``as_of``): what the date means.
REPLAY_NOTE = "as the sources stood that day; anything published later is left out"

# Layout, in points. The outer margin keeps text off the paper edge when a
# briefing template adds no border of its own.
_MARGIN_PT = 6.0
_GAP_PT = 2.0  # between stacked header / footer blocks
_AXES_GAP_PT = 5.0  # between the text blocks and the plotting area
_MIN_PLOT_SHARE = 0.25  # below this, the plot is too squeezed to read: fail loudly

_GID = "belthaw:"  # prefix of the gid of every artist finish_figure adds

# Fonts tried, in order, for a character the one before lacks: a source title in Chinese
# or a note with an emoji must print, not stop the save. Only installed ones are used,
# so matplotlib never warns that a family is missing; the last resort (bundled with
# matplotlib) draws a box for a character no font has, silently.
# "sans-serif" is the viewer's own, for an SVG opened where none of the others is installed.
_FALLBACK_FONTS = ("DejaVu Sans", "Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK JP",
                   "Noto Sans Arabic", "Noto Sans Symbols 2", "WenQuanYi Zen Hei",
                   "Droid Sans Fallback", "STIXGeneral", "sans-serif",
                   "Last Resort High-Efficiency")  # fmt: skip


@lru_cache(maxsize=1)
def font_families() -> tuple[str, ...]:
    """The installed fonts of the fallback list, DejaVu Sans first (matplotlib bundles it)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    # The last resort has no bold face; matplotlib says so once per process, harmlessly.
    logging.getLogger("matplotlib.font_manager").addFilter(
        lambda r: "Last Resort" not in r.getMessage()
    )
    return tuple(f for f in _FALLBACK_FONTS if f in installed or f == "sans-serif")


def use_font_fallback(fig: Figure) -> None:
    """Give every text of ``fig`` in the house font the whole fallback list."""
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        if t.get_fontfamily() in (["sans-serif"], ["DejaVu Sans"]):
            t.set_fontfamily(list(font_families()))


def unique_words(items: Iterable[str]) -> list[str]:
    """Each item on one line; blanks and case-insensitive repeats dropped, first spelling kept."""
    out: dict[str, str] = {}
    for s in (" ".join(str(item).split()) for item in items):
        if s:
            out.setdefault(s.casefold(), s)
    return list(out.values())


def source_line(publishers: Sequence[str], *, sidecar_name: str | None = None) -> str:
    """The one-line attribution printed under a figure.

    ``publishers`` come most important first (the caller decides); the order is kept,
    blanks and repeats (case-insensitive) dropped. Beyond six names the rest is
    counted and, given ``sidecar_name``, pointed to ``<sidecar_name>.md``.
    """
    names = unique_words(publishers)
    if not names:
        raise BelthawError(
            "source_line: no publishers given; every figure needs at least one source "
            "(pass dataset.publishers(text.source_ids))"
        )
    line = "Source: " + "; ".join(names[:6])
    if len(names) > 6:
        line += f" and {len(names) - 6} other{'s' if len(names) != 7 else ''}"
        line += f" (full list in {sidecar_name}.md)" if sidecar_name else ""
    return line


def as_of_str(as_of: str) -> str:
    """``as_of`` if it is a date written YYYY-MM-DD, else a BelthawError."""
    s = str(as_of).strip()
    try:
        if len(s) == 10 and date.fromisoformat(s):
            return s
    except ValueError:
        pass
    raise BelthawError(f"as_of must be a date as YYYY-MM-DD (e.g. '2025-09-11'), got {as_of!r}")


def figure_renderer(fig: Figure):
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:  # Agg canvases, including Jupyter's inline backend
        return get()
    return fig._get_renderer()  # any other canvas: matplotlib builds a throwaway one


#: Width of each word already measured, per font and resolution: the words of a caption
#: repeat across sizes and saves.
_WORD_WIDTHS: dict[tuple, float] = {}


def _wrap(text: str, prop, width_px: float, renderer) -> str:
    """Greedy word wrap by measured width (not character count: "WWW" is wider than "iii").

    A line's width is first estimated from its words' widths; only a line within 3 % of
    the limit is measured whole (kerning makes the sum differ by a pixel or two), so the
    breaks are those of measuring every candidate, at a fraction of the cost.
    """

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0]

    def word_width(w: str) -> float:
        key = (w, hash(prop), renderer.dpi)
        if key not in _WORD_WIDTHS:
            _WORD_WIDTHS[key] = width(w)
        return _WORD_WIDTHS[key]

    def fits(candidate: str, estimate: float) -> bool:
        if estimate < 0.97 * width_px:
            return True
        return estimate <= 1.03 * width_px and width(candidate) <= width_px

    space = word_width("a a") - 2 * word_width("a")
    lines: list[str] = []
    for para in text.split("\n"):
        line, est = "", 0.0
        for word in para.split():
            grown = est + space + word_width(word) if line else word_width(word)
            if fits(f"{line} {word}" if line else word, grown):
                line, est = (f"{line} {word}" if line else word), grown
                continue
            if line:
                lines.append(line)
            while len(word) > 1 and width(word) > width_px:  # a URL longer than the figure
                cut = max(1, max(k for k in range(1, len(word) + 1) if width(word[:k]) <= width_px))
                lines.append(word[:cut])
                word = word[cut:]
            line, est = word, word_width(word)
        lines.append(line)
    return "\n".join(lines)


def _remove_tagged(fig: Figure) -> None:
    for t in list(fig.texts):
        if str(t.get_gid() or "").startswith(_GID):
            t.remove()


def finish_figure(
    fig: Figure,
    text: FigureText,
    *,
    source_line: str,
    as_of: str,
    notes: Sequence[str] = (),
    as_of_note: str = "",
) -> Figure:
    """Put the finding, scope, notes, source and data date on the figure; fit the axes between.

    Top: ``text.title`` (bold, wrapped to the figure width) and ``text.subtitle``.
    Bottom, in small type (>= 7 pt): ``text.notes`` then ``notes`` (one "Note:" each),
    the ``source_line`` (wrapped), and "Data as of YYYY-MM-DD". The axes are laid
    out in the band left between, so nothing overlaps, at the figure's own size
    (no ``bbox_inches="tight"`` later). Calling it again replaces these texts, it
    never duplicates them. Font sizes follow the figure's named size, else
    ``rcParams["font.size"]``.
    """
    dated = f"Data as of {as_of_str(as_of)}" + (f" ({as_of_note})" if as_of_note else "")
    _remove_tagged(fig)
    # Measure at the resolution the files are written at: Agg hints glyphs, and at
    # 100 dpi a bold line measures ~3 % narrower than it prints at 300 dpi.
    old_dpi = fig.dpi
    fig.dpi = DPI
    try:
        _draw_words(fig, text, source_line, dated, unique_words([*text.notes, *notes]))
    except BaseException:
        _remove_tagged(fig)  # no half-finished figure left behind
        raise
    finally:
        fig.dpi = old_dpi
    # Remembered so that save(), which finishes the figure again, keeps these notes.
    fig._belthaw_extra_notes = tuple(notes)  # type: ignore[attr-defined]
    fig._belthaw_as_of_note = as_of_note  # type: ignore[attr-defined]
    return fig


def _draw_words(fig: Figure, text: FigureText, source: str, dated: str, notes: list[str]):
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    named = size_of(*fig.get_size_inches())
    # 8.5 pt base is the floor so that base - 1.5 (the footer) never drops under 7 pt.
    base = named.base_font if named else max(float(mpl.rcParams["font.size"]), 8.5)
    small = max(MIN_FONT_PT, base - 1.5)
    renderer = figure_renderer(fig)
    W, H = fig.bbox.width, fig.bbox.height
    px = fig.dpi / 72.0  # pixels per point
    margin, gap = _MARGIN_PT * px, _GAP_PT * px

    def place(key: str, s: str, y_px: float, va: str, size: float, weight: str = "normal"):
        prop = FontProperties(family=list(font_families()), size=size, weight=weight)
        t = fig.text(
            margin / W,
            y_px / H,
            _wrap(s, prop, (W - 2 * margin) * 0.99, renderer),  # 1 % slack: PDF/SVG are unhinted
            ha="left",
            va=va,
            fontproperties=prop,
            gid=_GID + key,
            parse_math=False,  # "$30m" is money, not mathtext
            usetex=False,
            wrap=False,  # we wrapped by measurement; matplotlib's wrap ignores our margins
        )
        return t.get_window_extent(renderer)

    y = H - margin  # the header, top-down
    if text.title.strip():
        y = place("title", text.title, y, "top", base + 2.0, weight="bold").y0 - gap
    if text.subtitle.strip():
        y = place("subtitle", text.subtitle, y, "top", base).y0 - gap
    top = (y + gap - _AXES_GAP_PT * px) / H
    # The footer, bottom-up: the date on the last line, the source above it, notes on top.
    y = place("as_of", dated, margin, "bottom", small).y1 + gap
    y = place("source", source, y, "bottom", small).y1 + gap
    if notes:
        y = place("notes", "\n".join(f"Note: {n}" for n in notes), y, "bottom", small).y1 + gap
    bottom = (y - gap + _AXES_GAP_PT * px) / H
    if top - bottom < _MIN_PLOT_SHARE:
        where = f"the {named.name!r} figure" if named else "the figure"
        raise BelthawError(
            f"finish_figure: title, subtitle, notes and source line take {1 - (top - bottom):.0%} "
            f"of {where}, leaving too little room for the chart; shorten the title or notes "
            "(details belong in the caption) or use a larger size"
        )
    # Constrained layout measures every decoration at draw time, so long tick labels
    # never run into the title or the source line.
    fig.set_layout_engine(ConstrainedLayoutEngine(rect=(0.0, bottom, 1.0, top - bottom)))


def as_of_note(data, stale_after_days: int) -> str:
    """Words to put beside "Data as of" when the data is old or replays a past day; "" when
    it is fresh. A replay is dated by its day, never called stale."""
    if getattr(data, "published_by", None) is not None:
        return REPLAY_NOTE
    return AS_OF_NOTE if age_days(data.as_of) > stale_after_days else ""


def finish(
    fig: Figure, text: FigureText, data, *, name: str | None = None, stale_after_days: int = 90
) -> Figure:
    """Draw ``text`` (title, subtitle, notes), the source line and the data date onto ``fig``.

    The source line names the publishers of ``text.source_ids`` from ``data`` (a
    :class:`belthaw.data.Dataset`), most rows first; given the figure's ``name``, a
    long list points to ``<name>.md``. Data older than ``stale_after_days`` gets the
    stale note beside its date. :func:`belthaw.figure.save_figure` finishes again
    with the words it is given, so an edit made after this call still reaches the file.
    """
    named = size_of(*fig.get_size_inches())
    use_font_fallback(fig)
    with house_style(named.name if named else "a4-full"):
        line = source_line(data.publishers_in_order(text.source_ids), sidecar_name=name)
        note = as_of_note(data, stale_after_days)
        return finish_figure(
            fig, text, source_line=line, as_of=f"{data.as_of:%Y-%m-%d}", as_of_note=note
        )


def small_texts(fig: Figure) -> list[str]:
    """Visible texts under the minimum size, as drawn last (tick labels exist only after a draw)."""
    from matplotlib.text import Text

    return [
        f"{t.get_text()[:30]!r} ({t.get_fontsize():.1f} pt)"
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_PT - 1e-6
    ]
