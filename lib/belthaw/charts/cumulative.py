"""01-cumulative: the running total of people freed, release by release, against the totals
sources published (``plot_cumulative``, ``cumulative_text``, ``draw``, encoding ``MARKS``)."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from ..counting import CountingRule
from ..style import COLORS, house_style
from ..transforms.claims import agreement
from ..transforms.common import ids_by_frequency
from ..transforms.headline import headline
from .axes import (
    date_axis,
    date_num,
    get_ax,
    is_short,
    legend_above,
    new_figure,
    pad_x,
    require_rows,
    small_font,
)
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import PRECISION_MARKERS, Mark, how_to_read, legend_handles, total_label
from .wording import MAX_NOTES, disagreements, fmt_month, fmt_n, long_day, period_span, plural

NAME = "01-cumulative"
_BLUE, _BLACK = COLORS["release"], COLORS["total"]

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


def marks_drawn(series: pd.DataFrame, totals: pd.DataFrame | None = None) -> list[str]:
    """The keys of :data:`MARKS` these frames put on the chart."""
    lb = series["cumulative_is_lower_bound"].to_numpy(bool)
    drawn = []
    if not lb[:1].all():
        drawn.append("line")
    if lb.any():
        drawn.append("line-lower")
    if totals is not None and len(totals):
        precisions = set(totals["precision"].astype(str))
        drawn += [f"total-{p}" for p in ("at_least", "exact", "approx") if p in precisions]
    return drawn


def _split_lower_bound(x, y, lb):
    """Solid part up to the first lower-bound row, dashed from there on (step-post shape)."""
    k = int(lb.argmax()) if lb.any() else len(x)
    solid = (list(x[:k]), list(y[:k]))
    dashed = ([], [])
    if k < len(x):
        if k > 0:
            solid[0].append(x[k])
            solid[1].append(y[k - 1])
            dashed = ([x[k], *x[k:]], [y[k - 1], *y[k:]])
        else:
            dashed = (list(x), list(y))
    return solid, dashed


def plot_cumulative(
    series: pd.DataFrame,
    totals: pd.DataFrame | None = None,
    *,
    color: str | None = None,
    legend_ncols: int = 2,
    ax=None,
    **kwargs,
):
    """Step line of the running itemized total, dashed once it is only a lower bound.

    ``totals`` (rows of :func:`belthaw.transforms.running_total.totals_on_line`) are black
    markers by precision (see :data:`MARKS`), each labelled with its value only (">430");
    who published which is in the caption. ``color`` replaces the line's colour; other
    keyword arguments go to the line's ``Axes.plot``.
    """
    require_rows(series, "releases")
    ax = get_ax(ax)
    x = date_num(series["period"]).to_numpy()
    y = series["cumulative"].fillna(0).astype(int).to_numpy()
    lb = series["cumulative_is_lower_bound"].to_numpy(bool)
    solid, dashed = _split_lower_bound(x, y, lb)
    color = color or _BLUE
    if solid[0]:
        ax.plot(*solid, drawstyle="steps-post", gid="cumulative-exact",
                **(dict(color=color, lw=2, ls="-") | kwargs))  # fmt: skip
    if dashed[0]:
        ax.plot(*dashed, drawstyle="steps-post", gid="cumulative-lower-bound",
                **(dict(color=color, lw=2, ls="--") | kwargs))  # fmt: skip
    dates = series["period"]
    placer = LabelPlacer(ax)
    # The line is an obstacle too: a value printed across the step line is hard to read.
    sx, sy = _step_samples(x, y)
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
    ax.set_ylabel("Freed, running total" if is_short(ax) else "People released (cumulative)")
    marks = [
        m if m.kind != "line" else Mark(m.key, m.kind, m.label, m.reads, m.style | {"color": color})
        for m in MARKS
    ]
    legend_above(ax, handles=legend_handles(marks, marks_drawn(series, totals)), ncols=legend_ncols)
    pad_x(ax, dates)
    date_axis(ax, dates)
    return ax


def _step_samples(x, y, per_segment: int = 8):
    """Points along a steps-post line, for the label placer to keep clear of."""
    xs, ys = [], []
    for i in range(len(x) - 1):
        xs += list(np.linspace(x[i], x[i + 1], per_segment))
        ys += [y[i]] * per_segment
        xs += [x[i + 1]] * per_segment
        ys += list(np.linspace(y[i], y[i + 1], per_segment))
    return xs, ys


#: Spots around a marker for its label, nearest first; from the ninth on, a leader is drawn.
_AROUND = [
    ((6, 0), "left", "center"),
    ((-6, 0), "right", "center"),
    ((0, 6), "center", "bottom"),
    ((0, -6), "center", "top"),
    ((5, 5), "left", "bottom"),
    ((5, -5), "left", "top"),
    ((-5, 5), "right", "bottom"),
    ((-5, -5), "right", "top"),
    ((0, 16), "center", "bottom"),
    ((0, -16), "center", "top"),
    ((14, 12), "left", "bottom"),
    ((14, -12), "left", "top"),
    ((-14, 12), "right", "bottom"),
    ((-14, -12), "right", "top"),
    ((0, 28), "center", "bottom"),
    ((0, -28), "center", "top"),
    ((24, 22), "left", "bottom"),
    ((24, -22), "left", "top"),
    ((-24, 22), "right", "bottom"),
    ((-24, -22), "right", "top"),
    ((0, 42), "center", "bottom"),
    ((0, -42), "center", "top"),
]


def _draw_totals(ax, t: pd.DataFrame, placer=None) -> None:
    points = []
    for row in t.itertuples(index=False):
        prec = str(row.precision)
        marker = PRECISION_MARKERS.get(prec, "s")
        xd = mdates.date2num(pd.Timestamp(row.as_of).to_pydatetime())
        ax.plot(
            xd,
            int(row.value),
            marker=marker,
            color=COLORS["total"],
            ls="none",
            ms=7,
            label="_nolegend_",
            gid=f"total:{row.total_id}",
        )
        points.append((xd, int(row.value), prec))
    placer = placer or LabelPlacer(ax)
    placer.avoid_points([p[0] for p in points], [p[1] for p in points], 4.0)
    for xd, value, prec in _one_label_per_figure(points):
        ann = ax.annotate(
            total_label(value, prec),
            (xd, value),
            xytext=_AROUND[0][0],
            textcoords="offset points",
            fontsize=small_font(),
            gid="total-label",
            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=3),
        )
        placer.add(ann, [((xd, value), off, ha, va) for off, ha, va in _AROUND], leader_after=7)


#: Totals giving the same figure this many days apart or closer share one label.
SAME_FIGURE_DAYS = 7


def _one_label_per_figure(points: list[tuple]) -> list[tuple]:
    """The points to label: one per figure (value and precision) published on nearby days.

    Outlets repeating ">430" a day apart would print two identical labels side by side;
    the label goes on the first of them, and the markers still show each publication.
    """
    keep: list[tuple] = []
    last: dict[tuple, float] = {}
    for xd, value, prec in sorted(dict.fromkeys(points), key=lambda p: (p[0], p[1], p[2])):
        key = (value, prec)
        if key in last and xd - last[key] <= SAME_FIGURE_DAYS:
            last[key] = xd  # a run of repeats stays one label
            continue
        last[key] = xd
        keep.append((xd, value, prec))
    return keep


def _totals_key(cmp: pd.DataFrame) -> str:
    """Caption text naming who published each labelled total (the figure shows values only)."""
    parts = [
        f"{total_label(r.value, r.precision)}: {r.publisher}, {long_day(r.as_of)}"
        for r in cmp.sort_values(["as_of", "value"]).itertuples(index=False)
    ]
    return "Published totals, as labelled: " + "; ".join(parts) + "."


def cumulative_text(
    series: pd.DataFrame, totals: pd.DataFrame | None, rule: CountingRule, *, start=None, end=None
) -> FigureText:
    """The words of 01-cumulative; ``totals`` are the published totals drawn on the line."""
    require_rows(series, "releases")
    h = headline(series, rule, start=start)
    start, end = period_span(series["period"], start, end)
    cmp = totals if totals is not None else pd.DataFrame(columns=["verdict", "as_of"])
    n_ok, n_cmp = agreement(cmp) if len(cmp) else (0, 0)
    title = f"{h.phrase()} by {fmt_month(end)}, release by release"
    if n_cmp:
        # The check covers the line only up to the last published total: the releases
        # after it are counted but checked against nothing, and the title says so.
        last = pd.Timestamp(cmp["as_of"].max())
        title += (
            f"; {n_ok:,} of {plural(n_cmp, 'distinct published total')} up to {long_day(last)} "
            f"{'agrees' if n_cmp == 1 else 'agree'} with it"
        )
    subtitle = f"Running total, {fmt_month(start)} to {fmt_month(end)}; counting rule: {h.rule}"
    caption = how_to_read(MARKS, marks_drawn(series, cmp)) + (
        " " + _totals_key(cmp) if len(cmp) else ""
    )
    note, why = disagreements(cmp)
    if why:
        caption += " " + why
    alt = (
        f"Step line rising from {fmt_month(start)} to {'at least ' if h.lower_bound else ''}{fmt_n(h.value)} "
        f"{h.what} by {fmt_month(end)}, with {plural(len(cmp), 'published total')} marked as points."
    )
    lower = (
        "The running total includes lower-bound releases, so it is a minimum."
        if h.lower_bound
        else ""
    )
    notes = tuple(n for n in (lower, note) if n)[:MAX_NOTES]
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
    require_rows(series, "releases")
    fig, ax = new_figure(size)
    with house_style(size):
        plot_cumulative(series, totals, ax=ax, **kwargs)
    return fig
