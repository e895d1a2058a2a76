"""05-claims: releases whose sources give figures that cannot all be true, every figure drawn.

The frame is :func:`belthaw.transforms.claims.disputed_claims` output (one row per claim
of a disputed release, ``rank`` 0 = widest gap).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..style import COLORS, house_style
from ..transforms.claims import APPROX_WITHIN, claim_groups
from ..transforms.common import ids_by_frequency
from .axes import get_ax, is_short, legend_above, new_figure, require_rows, small_font
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import CLAIM_MARKERS, PRECISION_PREFIX, Mark, how_to_read, legend_handles
from .wording import MAX_NOTES, fmt_month, fmt_n, period_span, plural, short_day

NAME = "05-claims"
_BAND, _GAP = "#E3E3E3", "#9A9A9A"
_BLUE = COLORS["release"]
_PRECISIONS = ("at_least", "exact", "approx", "unknown")


def _claim_mark(precision: str, label: str, reads: str) -> Mark:
    style = dict(marker=CLAIM_MARKERS[precision], ms=6 if precision != "approx" else 5.5,
                 mew=1.3, color=_BLUE, mfc="white")  # fmt: skip
    return Mark(precision, "marker", label, reads, style)


MARKS: tuple[Mark, ...] = (
    Mark("range", "patch", "all figures given",
         "each row is one release; the light band runs from the lowest to the highest figure given for it, our count included",
         dict(facecolor=_BAND, edgecolor="none")),
    Mark("gap", "patch", "gap no figure bridges",
         "the darker stretch is the gap between two figures that cannot both be true",
         dict(facecolor=_GAP, edgecolor="none")),
    _claim_mark("at_least", "more than",
                "a triangle pointing right is a 'more than' figure, met by any number from it up"),
    _claim_mark("exact", "exact", "a circle is an exact figure"),
    _claim_mark("approx", "about",
                f"a diamond is an 'about' figure, read as give or take {APPROX_WITHIN * 100:.0f} %"),
    _claim_mark("unknown", "unclear", "a square is a figure whose wording is unclear"),
    Mark("best", "line", "our count", "the black tick is the count we use",
         dict(color=COLORS["total"], lw=1.8)),
)  # fmt: skip


def _shown(claims: pd.DataFrame, max_events: int | None) -> pd.DataFrame:
    return claims if not max_events else claims[claims["rank"] < int(max_events)]


def marks_drawn(claims: pd.DataFrame, *, max_events: int | None = None) -> list[str]:
    """The keys of :data:`MARKS` that these claims put on the chart."""
    c = _shown(claims, max_events)
    keys = {"range", *c["precision"].astype(str)} if len(c) else set()
    if (c["gap"] > 0).any():
        keys.add("gap")
    if c["best"].notna().any():
        keys.add("best")
    return [m.key for m in MARKS if m.key in keys]


def claim_label(value, precision: str, n: int) -> str:
    """The label beside a claim marker: the figure, and "×n" when n counters gave it (">50 ×2")."""
    times = f" ×{int(n)}" if int(n) > 1 else ""
    return f"{PRECISION_PREFIX.get(str(precision), '')}{int(value):,}{times}"


def _rows(events: pd.DataFrame, groups: pd.DataFrame, xmax: float) -> tuple[dict, dict, float]:
    """Row centre and number of lanes per event, widest first from the top; total height.

    Markers nearer than about their own width would hide each other: such a row becomes
    a staircase, one lane per figure, lowest at the top, so every shape and label shows.
    """
    y_of, lanes, top = {}, {}, 0.0
    for eid in events["event_id"]:
        vals = groups.loc[groups["event_id"] == eid, "value_num"].to_numpy(float)
        crowded = len(vals) > 1 and bool((np.diff(vals) < xmax * 0.035).any())
        lanes[eid] = len(vals) if crowded else 1
        height = max(2.0, lanes[eid] + 0.8)
        y_of[eid] = -(top + height / 2)
        top += height
    return y_of, lanes, top


def plot_claims(
    claims: pd.DataFrame, *, max_events: int | None = None, color: str | None = None, ax=None,
    **kwargs,
):  # fmt: skip
    """One row per disputed release, widest gap on top: every figure its sources gave.

    ``claims`` is :func:`belthaw.transforms.claims.disputed_claims` output; the
    ``max_events`` widest rows are drawn (all when None). Each row: a light band from the
    lowest to the highest figure (our count included), a darker stretch over the gap no
    figure bridges, one marker per distinct figure (shape = wording, see :data:`MARKS`)
    labelled with the figure and how many counters gave it (">50 ×2"), and a black tick
    at our count. Rows are labelled with the release date; counters are in the caption.
    ``color`` replaces the markers' colour; other keyword arguments go to their ``Axes.plot``.
    """
    require_rows(claims, "releases whose sources give incompatible figures")
    data = _shown(claims, max_events)
    ax = get_ax(ax)
    marks = {m.key: m.restyled(color=color or _BLUE) if m.key in _PRECISIONS else m for m in MARKS}
    events = data.drop_duplicates("event_id").sort_values("rank")
    groups = claim_groups(data)
    xmax = float(np.nanmax([data["band_high"].max(), data["value_num"].max()]))
    y_of, lanes, top = _rows(events, groups, xmax)
    groups["y"], groups["side"] = 0.0, "right"
    placer = LabelPlacer(ax, pad_pt=0.6)
    for ev in events.itertuples(index=False):
        y, k = y_of[ev.event_id], lanes[ev.event_id]
        band = (k + 0.5) if k > 1 else 1.4
        ax.barh(y, ev.band_high - ev.band_low, left=ev.band_low, height=band, color=_BAND,
                edgecolor="none", zorder=0.5, gid=f"range:{ev.event_id}", label="_nolegend_")  # fmt: skip
        ax.barh(y, ev.gap_high - ev.gap_low, left=ev.gap_low, height=band * 0.35, color=_GAP,
                edgecolor="none", zorder=0.6, gid=f"gap:{ev.event_id}", label="_nolegend_")  # fmt: skip
        sel = groups.index[groups["event_id"] == ev.event_id]
        groups.loc[sel, "y"] = y + (k - 1) / 2 - np.arange(k) if k > 1 else y
        if pd.notna(ev.best):
            # Figures under our count are labelled on their left, so no label crosses the tick.
            below = groups.loc[sel, "value_num"] < ev.best
            groups.loc[sel, "side"] = np.where(below, "left", "right")
            ax.plot([ev.best, ev.best], [y - band / 2, y + band / 2], solid_capstyle="butt",
                    zorder=2, gid=f"best:{ev.event_id}", label="_nolegend_", **marks["best"].style)  # fmt: skip
            placer.avoid_points(
                np.full(9, ev.best), np.linspace(y - band / 2, y + band / 2, 9), 1.2
            )
    for prec, grp in groups.groupby("precision", sort=True):
        ax.plot(grp["value_num"], grp["y"], ls="none", zorder=3, gid=f"claims:{prec}",
                label="_nolegend_", **(marks.get(prec, marks["unknown"]).style | kwargs))  # fmt: skip
    placer.avoid_points(groups["value_num"], groups["y"], 3.6)
    _label_claims(ax, placer, groups)
    ax.set_yticks([y_of[e] for e in events["event_id"]], [short_day(d) for d in events["date"]])
    ax.tick_params(axis="y", length=0)
    ax.set(ylim=(-top - 0.2, 0.2), xlim=(0, xmax * 1.15))
    ax.grid(axis="y", visible=False)
    ax.set(xlabel="People released, as each source reported them", ylabel="")
    # one row on a short figure (see legend_above), where a row costs more than its width
    ncols = None if is_short(ax) else 4
    legend_above(ax, handles=legend_handles(marks.values(), marks_drawn(data)), ncols=ncols)
    return ax


def _label_claims(ax, placer: LabelPlacer, groups: pd.DataFrame) -> None:
    for g in groups.itertuples(index=False):
        xy = (g.value_num, g.y)
        t = ax.annotate(
            claim_label(g.value_num, g.precision, g.n), xy, xytext=(5, 0),
            textcoords="offset points", ha="left", va="center", fontsize=small_font(),
            gid=f"claim-label:{g.event_id}",
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=3),
        )  # fmt: skip
        right = [(xy, (dx, 0), "left", "center") for dx in (5, 11, 17)]
        left = [(xy, (-dx, 0), "right", "center") for dx in (5, 11, 17)]
        first, then = (left, right) if g.side == "left" else (right, left)
        placer.add(t, [first[0], then[0], *first[1:], *then[1:]], leader_after=1)


def _said(value, precision: str) -> str:
    said = {"at_least": "more than ", "approx": "about "}.get(str(precision), "")
    return f"{said}{fmt_n(value)}"


def claims_text(
    claims: pd.DataFrame, ranges: pd.DataFrame | None = None, *,
    max_events: int | None = None, start=None, end=None,
) -> FigureText:  # fmt: skip
    """The words of 05-claims.

    ``ranges`` (:func:`~belthaw.transforms.claims.claim_ranges` of the same claims), when
    given, lets a note count the releases whose figures differ but can all be true. The
    caption names, per release drawn, which counter gave which figure (the chart shows none).
    """
    require_rows(claims, "releases whose sources give incompatible figures")
    shown = _shown(claims, max_events)
    events = shown.drop_duplicates("event_id").sort_values("rank")
    n, n_all = len(events), claims["event_id"].nunique()
    top = events.iloc[0]
    # The two figures furthest from both being true: the lowest upper end, the highest lower end.
    c = claims[claims["event_id"] == top["event_id"]]
    lo, hi = c.loc[c["high"].idxmin()], c.loc[c["low"].idxmax()]
    low, high = _said(lo["value_num"], lo["precision"]), _said(hi["value_num"], hi["precision"])
    day = short_day(top["date"])
    # The period is the one searched (every release with two or more claims), not only
    # the dates of the releases found disputed.
    ranges = ranges if ranges is not None and len(ranges) else None
    start, end = period_span(claims["date"] if ranges is None else ranges["date"], start, end)
    title = (
        f"Sources give figures that cannot all be true for {plural(n_all, 'release')}; "
        f"the widest gap is on {day}: {low} against {high}"
    )
    if n < n_all:
        title += f" ({n:,} widest shown)"
    subtitle = (
        f"Releases from {fmt_month(start)} to {fmt_month(end)} whose sources' figures do not "
        "overlap ('more than 50' fits an exact 52; 51 and 52 cannot both be right), widest gap first"
    )
    caption = how_to_read(MARKS, marks_drawn(claims, max_events=max_events))
    groups = claim_groups(shown)
    if (groups["n"] > 1).any():
        caption += " ×2 means two counters gave that figure; copies of one story count once."
    caption += " Who said what: " + " ".join(
        _who_said(groups, ev) for ev in events.itertuples(index=False)
    )
    alt = (
        f"Dot plot of {plural(n, 'release')} whose sources give figures that cannot all be "
        f"true, one row each. The widest gap is on {day}: {low} against {high}."
    )
    notes = []
    fine = ranges[~ranges["disputed"] & (ranges["n_values"] > 1)] if ranges is not None else ()
    if len(fine):
        days = ", ".join(short_day(d) for d in sorted(fine["date"]))
        notes.append(
            f"Not drawn: {plural(len(fine), 'release')} whose figures differ but can all "
            f"be true ({days})."
        )
    if n < n_all:
        notes.append(f"Not drawn: {plural(n_all - n, 'more disputed release')} (max_events = {n}).")
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt,
        notes=tuple(notes[:MAX_NOTES]), source_ids=ids_by_frequency(shown["source_id"].astype(str)),
    )  # fmt: skip


def _who_said(groups: pd.DataFrame, ev) -> str:
    g = groups[groups["event_id"] == ev.event_id].sort_values("value_num", ascending=False)
    said = "; ".join(
        f"{_said(r.value_num, r.precision)}: {', '.join(r.counters)}"
        for r in g.itertuples(index=False)
    )
    ours = f", our count {fmt_n(ev.best)}" if pd.notna(ev.best) else ""
    return f"{short_day(ev.date)}{ours} - {said}."


def draw(claims: pd.DataFrame, *, size: str = "a4-full", max_events: int | None = None, **kwargs):
    """The 05-claims figure at ``size``; keyword arguments go to :func:`plot_claims`."""
    require_rows(claims, "releases whose sources give incompatible figures")
    fig, ax = new_figure(size)
    with house_style(size):
        plot_claims(claims, max_events=max_events, ax=ax, **kwargs)
    return fig
