"""The running total of people freed, release by release, against the totals sources published."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from ..style import COLORS
from ..transforms.common import between, ids_by_frequency
from .axes import date_axis, date_num, get_ax, legend_above, new_figure, pad_x, require_rows, small_font
from .figtext import Built, FigureText
from .wording import MAX_NOTES, disagreements, fmt_month, fmt_n, long_day, period_span, plural
from .labels import LabelPlacer
from .marks import (
    PRECISION_MARKERS,
    total_label,
)


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
    scopes=("all_releases", "political_prisoners"),
    ax=None,
    legend_ncols: int = 2,
):
    """Step line of the running itemized total, dashed once it is only a lower bound.

    Published totals (``totals`` = raw totals table or
    :func:`belthaw.claims.itemized_vs_totals` output) whose ``scope`` is in ``scopes`` are
    black markers: triangle-up for "more than", circle for exact, diamond for "about".
    Each is labelled with its value only (">430"); labels are placed at draw time so
    they neither collide nor leave the axes. Who published which total belongs in the
    caption (:func:`belthaw.text.cumulative_text` lists them).

    >>> ax = plot_cumulative(release_series(ds.events), itemized_vs_totals(ds))  # doctest: +SKIP
    """
    require_rows(series, "releases")
    ax = get_ax(ax)
    x = date_num(series["period"]).to_numpy()
    y = series["cumulative"].fillna(0).astype(int).to_numpy()
    lb = series["cumulative_is_lower_bound"].to_numpy(bool)
    solid, dashed = _split_lower_bound(x, y, lb)
    color = COLORS["release"]
    if solid[0]:
        ax.plot(
            *solid,
            drawstyle="steps-post",
            color=color,
            lw=2,
            ls="-",
            gid="cumulative-exact",
            label="itemized releases, running total",
        )
    if dashed[0]:
        ax.plot(
            *dashed,
            drawstyle="steps-post",
            color=color,
            lw=2,
            ls="--",
            gid="cumulative-lower-bound",
            label="running total (lower bound)",
        )
    dates = series["period"]
    placer = LabelPlacer(ax)
    # The line is an obstacle too: a value printed across the step line is hard to read.
    sx, sy = _step_samples(x, y)
    placer.avoid_points(sx, sy, 1.5)
    if totals is not None and len(totals):
        t = totals[totals["scope"].astype(object).isin(list(scopes))]
        if len(t):
            _draw_totals(ax, t, placer)
            dates = pd.concat([dates, t["as_of"]])
    ax.set_ylim(0, None)
    ax.set_xlabel("Date")
    ax.set_ylabel("People released (cumulative)")
    legend_above(ax, ncols=legend_ncols)
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
    seen = set()
    points = []
    for row in t.itertuples(index=False):
        prec = str(row.precision)
        marker = PRECISION_MARKERS.get(prec, "s")
        label = {"at_least": "published: more than", "exact": "published: exact"}.get(
            prec, "published: about"
        )
        xd = mdates.date2num(pd.Timestamp(row.as_of).to_pydatetime())
        ax.plot(
            xd,
            int(row.value),
            marker=marker,
            color=COLORS["total"],
            ls="none",
            ms=7,
            label=label if label not in seen else "_nolegend_",
            gid=f"total:{row.total_id}",
        )
        seen.add(label)
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


def cumulative_text(series, totals_cmp=None, *, start=None, end=None) -> FigureText:
    """Words for the running total of releases against the totals sources published.

    >>> cumulative_text(release_series(ds.events), itemized_vs_totals(ds)).title  # doctest: +SKIP
    """
    from ..transforms.claims import agreement
    from ..transforms.headline import headline

    h = headline(series)
    total, lower = h.value, h.lower_bound
    start, end = period_span(series["period"], start, end)
    # ``totals_cmp`` holds only the totals that count the same thing from the same day as
    # this line (see ``comparable_with_line``); the others are in 05-totals-table.csv.
    cmp = totals_cmp if totals_cmp is not None else pd.DataFrame(columns=["verdict"])
    n_ok, n_cmp = agreement(cmp) if len(cmp) else (0, 0)
    title = f"{h.phrase()} by {fmt_month(end)}, release by release"
    if n_cmp:
        title += (
            f"; {n_ok:,} of {plural(n_cmp, 'published total')} of the same count "
            f"{'agrees' if n_cmp == 1 else 'agree'}"
        )
    subtitle = f"Running total, {fmt_month(start)} to {fmt_month(end)}; counting rule: {_rules(series)}"
    caption = (
        "The blue step line adds up each release as it happened (dashed once a release "
        "with only a lower bound is included). Black markers are totals that outlets and "
        "rights groups published: triangle = 'more than', circle = exact, diamond = 'about'."
    )
    alt = (
        f"Step line rising from {fmt_month(start)} to {'at least ' if lower else ''}{fmt_n(total)} "
        f"people by {fmt_month(end)}, with {plural(len(cmp), 'published total')} marked as points."
    )
    if len(cmp):
        caption += " " + _totals_key(cmp)
    note, why = disagreements(cmp)
    if why:
        caption += " " + why
    notes = tuple(
        n
        for n in (
            "The running total includes lower-bound releases, so it is a minimum." if lower else "",
            note,
        )
        if n
    )[:MAX_NOTES]
    ids = ids_by_frequency(
        series["source_ids"].astype(str),
        cmp["source_id"].astype(str) if len(cmp) else [],
    )
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt, notes=notes, source_ids=ids
    )


def build(data, p) -> Built:
    """Running itemized total of people freed against every published cumulative total."""
    from ..transforms.claims import comparable_with_line, itemized_vs_totals
    from ..transforms.timeline import release_series

    def draw():
        # The running total always counts event by event: a monthly step would hide
        # which release a published total should be compared with.
        series = release_series(
            data.events,
            data.claims,
            start=p.start or None,
            end=p.end or None,
            granularity="event",
            include_foreign_nationals=p.include_foreign_nationals,
            include_released_home=p.include_released_home,
            count_basis=p.count_basis,
            count_what=p.count_what,
            sources=data.sources,
            min_confidence=p.min_confidence,
        )
        cmp = itemized_vs_totals(
            data,
            include_foreign_nationals=p.include_foreign_nationals,
            min_confidence=p.min_confidence,
        )
        cmp = cmp[between(cmp["as_of"], p.start or None, p.end or None)]
        # Only totals counting the same thing from the same day are drawn on the line; a
        # line that leaves people out (home, foreign nationals) has no published twin.
        same_rule = p.include_released_home and p.include_foreign_nationals
        cmp = comparable_with_line(cmp, p.count_what, p.start) if same_rule else cmp.iloc[0:0]
        fig, ax = new_figure(p.size)
        plot_cumulative(series, cmp, scopes=tuple(cmp["scope"].astype(str).unique()), ax=ax)
        return fig, cumulative_text(series, cmp, start=p.start or None, end=p.end or None)

    return drawn(Built("01-cumulative", p.size), draw)
