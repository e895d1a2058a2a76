"""01-cumulative: the running total of people freed, release by release, against the totals
sources published (``plot_cumulative``, ``cumulative_text``, ``draw``, encoding ``MARKS``)."""

from __future__ import annotations

from dataclasses import replace

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from ..counting import CountingRule
from ..style import COLORS, house_style
from ..transforms.claims import agreement
from ..transforms.common import ids_by_frequency
from ..transforms.headline import headline
from . import axes
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import PRECISION_MARKERS, Mark, how_to_read, legend_handles, total_label
from .wording import MAX_NOTES, disagreements, fmt_month, fmt_n, long_day, period_span, plural

NAME = "01-cumulative"
_BLUE, _BLACK = COLORS["release"], COLORS["total"]
#: Totals giving the same figure this many days apart or closer share one label.
SAME_FIGURE_DAYS = 7

MARKS: tuple[Mark, ...] = (
    Mark("line", "line", "itemized releases, running total",
         "the blue step line adds up each release as it happened", dict(color=_BLUE, lw=2, ls="-")),
    Mark("line-lower", "line", "running total (lower bound)",
         "it is dashed from the first release that has only a lower bound", dict(color=_BLUE, lw=2, ls="--")),
    Mark("total-at_least", "marker", "published: more than",
         "a black triangle is a published 'more than' total", dict(marker="^", color=_BLACK, ms=7)),
    Mark("total-exact", "marker", "published: exact",
         "a black circle a published exact total", dict(marker="o", color=_BLACK, ms=7)),
    Mark("total-approx", "marker", "published: about",
         "a black diamond a published 'about' total", dict(marker="D", color=_BLACK, ms=7)),
)  # fmt: skip

#: Spots around a marker for a total's label, nearest first; from the ninth on, a leader.
_AROUND = [
    ((dx, dy), "center" if dx == 0 else "left" if dx > 0 else "right",
     "center" if dy == 0 else "bottom" if dy > 0 else "top")
    for dx, dy in ((6, 0), (-6, 0), (0, 6), (0, -6), (5, 5), (5, -5), (-5, 5), (-5, -5),
                   (0, 16), (0, -16), (14, 12), (14, -12), (-14, 12), (-14, -12),
                   (0, 28), (0, -28), (24, 22), (24, -22), (-24, 22), (-24, -22), (0, 42), (0, -42))
]  # fmt: skip


def marks_drawn(series: pd.DataFrame, totals: pd.DataFrame | None = None) -> list[str]:
    """The keys of :data:`MARKS` these frames put on the chart."""
    lb = series["cumulative_is_lower_bound"].to_numpy(bool)
    drawn = (["line"] if not lb[:1].all() else []) + (["line-lower"] if lb.any() else [])
    if totals is not None and len(totals):
        precisions = set(totals["precision"].astype(str))
        drawn += [f"total-{p}" for p in ("at_least", "exact", "approx") if p in precisions]
    return drawn


def plot_cumulative(
    series: pd.DataFrame, totals: pd.DataFrame | None = None, *, color: str | None = None,
    ax=None, **kwargs,
):  # fmt: skip
    """Step line of the running itemized total, dashed once it is only a lower bound.

    ``totals`` (rows of :func:`belthaw.transforms.running_total.totals_on_line`) are black
    markers by precision (see :data:`MARKS`), each labelled with its value only (">430");
    who published which is in the caption. ``color`` replaces the line's colour; other
    keyword arguments go to the line's ``Axes.plot``.
    """
    axes.require_rows(series, "releases")
    ax = axes.get_ax(ax)
    color = color or _BLUE
    x = axes.date_num(series["period"]).to_numpy()
    y = series["cumulative"].fillna(0).astype(int).to_numpy()
    lb = series["cumulative_is_lower_bound"].to_numpy(bool)
    # Solid up to the first lower-bound row, dashed from there on (steps-post shape).
    k = int(lb.argmax()) if lb.any() else len(x)
    solid, dashed = (list(x[:k]), list(y[:k])), ([], [])
    if 0 < k < len(x):
        solid[0].append(x[k])
        solid[1].append(y[k - 1])
        dashed = ([x[k], *x[k:]], [y[k - 1], *y[k:]])
    elif k == 0:
        dashed = (list(x), list(y))
    lines = ((solid, "cumulative-exact", "-"), (dashed, "cumulative-lower-bound", "--"))
    for (xs, ys), gid, ls in lines:
        if xs:
            ax.plot(xs, ys, drawstyle="steps-post", gid=gid,
                    **(dict(color=color, lw=2, ls=ls) | kwargs))  # fmt: skip
    dates = series["period"]
    placer = LabelPlacer(ax)
    # The line is an obstacle too: a value printed across the step line is hard to read.
    sx, sy = [], []
    for i in range(len(x) - 1):
        sx += [*np.linspace(x[i], x[i + 1], 8), *[x[i + 1]] * 8]
        sy += [*[y[i]] * 8, *np.linspace(y[i], y[i + 1], 8)]
    placer.avoid_points(sx, sy, 1.5)
    if totals is not None and len(totals):
        _draw_totals(ax, totals, placer)
        dates = pd.concat([dates, totals["as_of"]])
    ax.set_ylim(0, None)
    # Only the ticks inside the limits: one past the top keeps a label object that a
    # reader never sees but that sits on the subtitle.
    top = ax.get_ylim()[1]
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top])
    ax.set_xlabel("Date")
    # On a short figure the long axis title is taller than the plot itself.
    ax.set_ylabel("Freed, running total" if axes.is_short(ax) else "People released (cumulative)")
    marks = [replace(m, style=m.style | {"color": color}) if m.kind == "line" else m for m in MARKS]
    axes.legend_above(ax, handles=legend_handles(marks, marks_drawn(series, totals)), ncols=2)
    axes.pad_x(ax, dates)
    axes.date_axis(ax, dates)
    return ax


def _draw_totals(ax, t: pd.DataFrame, placer: LabelPlacer) -> None:
    points = []
    for row in t.itertuples(index=False):
        xd = mdates.date2num(pd.Timestamp(row.as_of).to_pydatetime())
        ax.plot(xd, int(row.value), marker=PRECISION_MARKERS.get(str(row.precision), "s"),
                color=COLORS["total"], ls="none", ms=7, label="_nolegend_", gid=f"total:{row.total_id}")  # fmt: skip
        points.append((xd, int(row.value), str(row.precision)))
    placer.avoid_points([p[0] for p in points], [p[1] for p in points], 4.0)
    # One label per figure (value and precision) published on nearby days: outlets
    # repeating ">430" a day apart would print two identical labels side by side. The
    # label goes on the first; the markers still show each publication.
    last: dict[tuple, float] = {}
    for xd, value, prec in sorted(set(points)):
        repeat = (value, prec) in last and xd - last[value, prec] <= SAME_FIGURE_DAYS
        last[value, prec] = xd  # a run of repeats stays one label
        if repeat:
            continue
        ann = ax.annotate(
            total_label(value, prec), (xd, value), xytext=_AROUND[0][0], textcoords="offset points",
            fontsize=axes.small_font(), gid="total-label",
            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=3),
        )  # fmt: skip
        placer.add(ann, [((xd, value), off, ha, va) for off, ha, va in _AROUND], leader_after=7)


def cumulative_text(
    series: pd.DataFrame, totals: pd.DataFrame | None, rule: CountingRule, *, start=None, end=None
) -> FigureText:
    """The words of 01-cumulative; ``totals`` are the published totals drawn on the line."""
    axes.require_rows(series, "releases")
    h = headline(series, rule, start=start)
    start, end = period_span(series["period"], start, end)
    cmp = totals if totals is not None else pd.DataFrame(columns=["verdict", "as_of"])
    n_ok, n_cmp = agreement(cmp) if len(cmp) else (0, 0)
    title = f"{h.phrase()} by {fmt_month(end)}, release by release"
    if n_cmp:
        # The check covers the line only up to the last published total: the releases
        # after it are counted but checked against nothing, and the title says so.
        title += (
            f"; {n_ok:,} of {plural(n_cmp, 'distinct published total')} up to "
            f"{long_day(cmp['as_of'].max())} {'agrees' if n_cmp == 1 else 'agree'} with it"
        )
    subtitle = f"Running total, {fmt_month(start)} to {fmt_month(end)}; counting rule: {h.rule}"
    caption = how_to_read(MARKS, marks_drawn(series, cmp))
    if len(cmp):  # the figure shows values only: the caption names who published each
        caption += " Published totals, as labelled: " + "; ".join(
            f"{total_label(r.value, r.precision)}: {r.publisher}, {long_day(r.as_of)}"
            for r in cmp.sort_values(["as_of", "value"]).itertuples(index=False)
        ) + "."  # fmt: skip
    note, why = disagreements(cmp)
    caption += " " + why if why else ""
    at_least = "at least " if h.lower_bound else ""
    alt = (
        f"Step line rising from {fmt_month(start)} to {at_least}{fmt_n(h.value)} "
        f"{h.what} by {fmt_month(end)}, with {plural(len(cmp), 'published total')} marked as points."
    )
    lower = "The running total includes lower-bound releases, so it is a minimum."
    notes = tuple(n for n in (lower if h.lower_bound else "", note) if n)[:MAX_NOTES]
    ids = ids_by_frequency(
        series["source_ids"].astype(str), cmp["source_id"].astype(str) if len(cmp) else []
    )
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt, notes=notes, source_ids=ids
    )


def draw(
    series: pd.DataFrame, totals: pd.DataFrame | None = None, *, size: str = "a4-full", **kwargs
):
    """The 01-cumulative figure at ``size``; keyword arguments go to :func:`plot_cumulative`."""
    axes.require_rows(series, "releases")
    fig, ax = axes.new_figure(size)
    with house_style(size):
        plot_cumulative(series, totals, ax=ax, **kwargs)
    return fig
