"""Axes helpers every chart shares: the target axes, type sizes, legends, date axes, figures."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import ScaledTranslation

from ..errors import EmptySelectionError
from ..style import MIN_FONT_PT, get_size, house_style


def get_ax(ax=None):
    """``ax``, or the current axes when None (seaborn's convention)."""
    return plt.gca() if ax is None else ax


def small_font() -> float:
    """The smallest type size on a figure: 1.5 pt under the base font, never under the floor.

    Relative sizes ("x-small") would drop under the floor at the print sizes.
    """
    return max(MIN_FONT_PT, float(mpl.rcParams["font.size"]) - 1.5)


#: Below this width (inches: the 8 cm column size) charts use fewer columns and labels.
NARROW_WIDTH_IN = 5.0


def is_narrow(ax) -> bool:
    """True on a figure narrower than :data:`NARROW_WIDTH_IN`."""
    return ax.figure.get_figwidth() < NARROW_WIDTH_IN


def is_narrow_size(size: str) -> bool:
    """:func:`is_narrow` for the figure a named size makes (words written before drawing)."""
    return get_size(size).width < NARROW_WIDTH_IN


#: Below this height (inches: the half-page size) each row of legend or label is a large
#: share of the figure, and charts lay out their short form.
SHORT_HEIGHT_IN = 3.5


def is_short(ax) -> bool:
    """True on a figure under :data:`SHORT_HEIGHT_IN` high."""
    return ax.figure.get_figheight() < SHORT_HEIGHT_IN


def is_short_size(size: str) -> bool:
    """:func:`is_short` for the figure a named size makes."""
    return get_size(size).height < SHORT_HEIGHT_IN


def legend_above(ax, handles=None, labels=None, *, ncols=None, **kw):
    """A frameless legend in rows above the plotting area, where it can never cover data.

    ``ncols`` defaults to 3, or 2 on a narrow figure: a legend wider than the figure would
    make the layout squeeze the plot to nothing. On a short figure it defaults to as many
    columns as the width holds: there a row of legend costs more than its width.
    """
    short = is_short(ax) and not is_narrow(ax)
    if ncols is None:
        n = len(handles) if handles is not None else len(ax.get_legend_handles_labels()[0])
        ncols = max(1, n) if short else 2 if is_narrow(ax) else 3
    if handles is not None:
        kw["handles"] = list(handles)
    if labels is not None:
        kw["labels"] = list(labels)
    kw.setdefault("handlelength", 1.6)
    fig = ax.figure
    measure = is_narrow(ax) or short
    if measure:
        r = fig.canvas.get_renderer()
        # The layout moves the axes right by what their y tick labels take ("EU ·
        # listings/renewals"), and a legend held at the axes' edge with them.
        ticks = ax.yaxis.get_tightbbox(r)
        left = max(0.0, ax.bbox.x0 - ticks.x0) if ticks is not None else 0.0
        pad = 2 * float(mpl.rcParams["figure.constrained_layout.w_pad"]) * fig.dpi
        room = fig.bbox.width * 0.99 - pad
    while True:
        leg = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols, frameon=False,
                        fontsize=small_font(), borderaxespad=0.2, columnspacing=1.2, **kw)  # fmt: skip
        if not measure:
            return leg
        # Fewer columns until the legend fits the width: beside the tick labels, or else
        # starting over them, at the figure's margin.
        width = leg.get_window_extent(r).width
        if width <= room - left:
            return leg
        if width <= room or ncols == 1:
            shift = ScaledTranslation(-left / fig.dpi, 0, fig.dpi_scale_trans)
            leg.set_bbox_to_anchor((0.0, 1.0), ax.transAxes + shift)
            return leg
        ncols -= 1


def require_rows(frame: pd.DataFrame | None, what: str) -> None:
    """Raise :class:`EmptySelectionError` naming the selection and what the data covers.

    Transforms record both in ``frame.attrs`` (``selection``, ``coverage``), so an empty
    chart says in words why it is empty instead of drawing a blank box.
    """
    if frame is not None and len(frame):
        return
    attrs = getattr(frame, "attrs", {}) or {}
    msg = f"nothing to draw: no {attrs.get('selection', what)}"
    if attrs.get("coverage"):
        msg += f"; {attrs['coverage']}"
    raise EmptySelectionError(msg + ". Widen the date range or relax the filters.")


def date_num(dates) -> pd.Series:
    """Dates as matplotlib's day numbers (what bar positions and limits are set in)."""
    return pd.Series(mdates.date2num(pd.to_datetime(pd.Series(dates)).dt.to_pydatetime()))


def _month_tick(x: float, pos: int | None) -> str:
    d = mdates.num2date(x)
    return d.strftime("%b\n%Y") if d.month == 1 or pos == 0 else d.strftime("%b")


def date_axis(ax, dates: pd.Series) -> None:
    """Month ticks ('Jul', 'Oct'), the year under the first tick and under each January;
    as many as the axes' width holds (about one per 0.9 in, at most 7)."""
    dates = pd.to_datetime(pd.Series(dates)).dropna()
    months = max(1, (dates.max() - dates.min()).days // 30) if len(dates) else 1
    room = max(3, min(7, int(ax.figure.get_figwidth() / 0.9)))
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= room), 12)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))
    ax.xaxis.set_major_formatter(FuncFormatter(_month_tick))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    for label in ax.get_xticklabels():
        label.set_rotation(0)


def pad_x(ax, dates: pd.Series, days: float = 20) -> None:
    """x limits around ``dates`` with ``days`` of margin, never narrower than limits already
    set: a shared x axis takes the union of every layer's dates."""
    x = date_num(dates).dropna()
    if x.empty:
        return
    lo, hi = x.min() - days, x.max() + days
    if ax.get_autoscalex_on() is False:
        lo, hi = min(lo, ax.get_xlim()[0]), max(hi, ax.get_xlim()[1])
    ax.set_xlim(lo, hi)


def new_figure(size: str, nrows: int = 1, **kw):
    """A figure of the named print size with ``nrows`` stacked axes, in the house style."""
    s = get_size(size)
    with house_style(size):
        return plt.subplots(nrows, 1, figsize=(s.width, s.height), **kw)
