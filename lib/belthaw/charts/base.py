"""What every chart module shares: the words a figure carries (:class:`FigureText`), the
result of a build (:class:`Built`), the encoding table that both the legend and the
caption's "how to read it" are generated from (:class:`Mark`), and axis helpers.

A chart module (``releases``, ``cumulative``, ``relief_steps``, ``exchanges``,
``overview``, ``claims``, ``totals``) holds its plot function ``plot_x(frame, *, ax=None)
-> Axes``, its words (finding, caption, alt text, notes), its encoding table and its
``build(data, params) -> Built``. Nothing here saves or shows a figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..errors import EmptySelectionError
from ..style import MIN_FONT_PT, get_size
from .figtext import Built, FigureText  # noqa: F401 - re-exported: every chart module builds these


@dataclass(frozen=True)
class Mark:
    """One row of a chart's encoding table: what a mark looks like and what it means.

    ``style`` holds the matplotlib keyword arguments of the mark (``marker``, ``ls``,
    ``lw``, ``hatch``...), ``kind`` says how to draw its legend handle (``line``,
    ``marker`` or ``patch``), ``label`` is its legend entry and ``reads`` the words
    the caption's "how to read it" uses for it.
    """

    key: str
    kind: str  # "line" | "marker" | "patch"
    label: str
    reads: str
    style: dict[str, Any] = field(default_factory=dict)

    def handle(self):
        """The legend handle drawn exactly as the mark is drawn on the chart."""
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        if self.kind == "patch":
            return Patch(label=self.label, **self.style)
        if self.kind == "marker":
            return Line2D([], [], ls="none", label=self.label, **self.style)
        return Line2D([], [], label=self.label, **self.style)


def how_to_read(marks: Iterable[Mark], present: Iterable[str] | None = None) -> str:
    """The caption's "how to read it" sentence, generated from an encoding table.

    Only marks whose key is in ``present`` are described (all when None), in table order.

    >>> how_to_read([Mark("a", "line", "A", "a solid line is an explicit trade")])
    'A solid line is an explicit trade.'
    """
    keep = None if present is None else set(present)
    parts = [m.reads for m in marks if keep is None or m.key in keep]
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def legend_handles(marks: Iterable[Mark], present: Iterable[str] | None = None) -> list:
    """Legend handles for the marks drawn (all when ``present`` is None), in table order."""
    keep = None if present is None else set(present)
    return [m.handle() for m in marks if keep is None or m.key in keep]


# -- words ----------------------------------------------------------------------------------


BASIS_WORDS = {
    "best": "best-supported count per release",
    "lower": "lowest count any source gives",
    "upper": "highest count any source gives",
}


def _n(x) -> str:
    """1,140 style; rounded to an integer."""
    return f"{int(round(float(x))):,}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _month(ts) -> str:
    return pd.Timestamp(ts).strftime("%B %Y")


def _day(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %B %Y")


def _short_day(ts) -> str:
    return pd.Timestamp(ts).strftime("%-d %b %Y")


def _period(dates: pd.Series, start=None, end=None) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = start or dates.min()
    end = end or dates.max()
    return pd.Timestamp(start), pd.Timestamp(end)


def _rules(series: pd.DataFrame) -> str:
    """The counting rule a release series was made with (``release_series`` records it)."""
    from ..transforms.headline import counting_rule

    return counting_rule(series.attrs)


#: At most this many notes go on a figure; the rest of the explanation goes in the caption.
MAX_NOTES = 2


def _disagreements(cmp: pd.DataFrame) -> tuple[str, str]:
    """(short note for the figure, full explanations for the caption) for totals off our sum."""
    if cmp is None or not len(cmp):
        return "", ""
    off = cmp[cmp["verdict"] != "consistent"]
    if not len(off):
        return "", ""
    n = len(off)
    note = (
        f"{_plural(n, 'published total')} {'does' if n == 1 else 'do'} not match our sum; "
        "the caption says why for each."
    )
    return note, " ".join(str(e) for e in off["explanation"])


# -- axes -----------------------------------------------------------------------------------


def _ax(ax):
    return plt.gca() if ax is None else ax


def _small() -> float:
    """The smallest type size on a figure: 1.5 pt under the base font, never under 7 pt.

    Relative sizes ("x-small") would drop under the 7 pt floor at the print sizes.
    """
    return max(MIN_FONT_PT, float(mpl.rcParams["font.size"]) - 1.5)


def _legend_above(ax, handles=None, labels=None, *, ncols=3, **kw):
    """A frameless legend in a row above the plotting area, where it can never cover data."""
    if handles is not None:
        kw["handles"] = list(handles)
    if labels is not None:
        kw["labels"] = list(labels)
    kw.setdefault("handlelength", 1.6)
    return ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=ncols,
        frameon=False,
        fontsize=_small(),
        borderaxespad=0.2,
        columnspacing=1.2,
        **kw,
    )


def _require(frame: pd.DataFrame | None, what: str) -> None:
    """Raise EmptySelectionError naming the selection (from frame.attrs) and the coverage."""
    if frame is not None and len(frame):
        return
    attrs = getattr(frame, "attrs", {}) or {}
    selection = attrs.get("selection", what)
    cover = attrs.get("coverage")
    msg = f"nothing to draw: no {selection}"
    if cover:
        msg += f"; {cover}"
    raise EmptySelectionError(msg + ". Widen the date range or relax the filters.")


def _num(dates) -> pd.Series:
    return pd.Series(mdates.date2num(pd.to_datetime(pd.Series(dates)).dt.to_pydatetime()))


def _date_axis(ax, dates: pd.Series) -> None:
    """Month ticks ('Jul', 'Oct'), the year under the first tick and under each January."""
    dates = pd.to_datetime(pd.Series(dates)).dropna()
    months = max(1, (dates.max() - dates.min()).days // 30) if len(dates) else 1
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= 7), 12)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))
    ax.xaxis.set_major_formatter(FuncFormatter(_month_label))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    for label in ax.get_xticklabels():
        label.set_rotation(0)


def _month_label(x: float, pos: int | None) -> str:
    d = mdates.num2date(x)
    return d.strftime("%b\n%Y") if d.month == 1 or pos == 0 else d.strftime("%b")


def _pad_x(ax, dates: pd.Series, days: float = 20) -> None:
    x = _num(dates)
    ax.set_xlim(x.min() - days, x.max() + days)


def new_figure(size: str, nrows: int = 1, **kw):
    """A figure of the named size with ``nrows`` stacked axes (house style applies when drawn)."""
    s = get_size(size)
    return plt.subplots(nrows, 1, figsize=(s.width, s.height), **kw)


def drawn(built: Built, draw) -> Built:
    """Run ``draw() -> (fig, FigureText)`` under the house style at ``built.size``.

    An empty selection becomes ``built.message`` (the reason, in words), never a blank chart.
    """
    from ..style import house_style

    with house_style(built.size):
        try:
            fig, text = draw()
        except EmptySelectionError as exc:
            plt.close("all")
            built.message = str(exc)
            return built
    s = get_size(built.size)
    fig.set_size_inches(s.width, s.height)
    built.fig, built.text = fig, text
    return built
