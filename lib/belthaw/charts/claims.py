"""Where sources disagree: for each disputed release, every figure the sources gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..errors import EmptySelectionError
from ..style import COLORS
from ..transforms.common import between, ids_by_frequency
from .axes import get_ax, legend_above, new_figure, require_rows, small_font
from .figtext import Built, FigureText
from .wording import MAX_NOTES, fmt_n, plural, short_day
from .labels import LabelPlacer
from .marks import (
    CLAIM_MARKERS,
    PRECISION_PREFIX,
    PRECISION_WORDS,
)


def _claims_from_ranges(ranges: pd.DataFrame) -> pd.DataFrame:
    """Expand :func:`claim_ranges` output (``values`` lists) into one row per claim."""
    rows = ranges.explode("values").dropna(subset=["values"])
    vals = pd.DataFrame(rows["values"].tolist(), columns=["publisher", "value", "precision"])
    nums = pd.to_numeric(vals["value"].str.extract(r"(\d[\d,]*)")[0].str.replace(",", ""))
    return pd.DataFrame(
        {
            "event_id": rows["event_id"].to_numpy(),
            "date": rows["date"].to_numpy(),
            "title": rows["title"].to_numpy(),
            "publisher": vals["publisher"],
            "value": vals["value"],
            "value_num": nums.astype(float),
            "precision": vals["precision"],
            "best": rows["best"].to_numpy(),
        }
    )


def disputed_claims(
    ranges_long: pd.DataFrame, max_events: int | None = None, *, min_values: int = 2
) -> pd.DataFrame:
    """The claims of events whose sources give two or more different numbers, widest first.

    One row per claim (``claims_long`` columns plus ``low``, ``high``, ``width`` and
    ``rank``: 0 for the widest disagreement). At most ``max_events`` events are kept.
    Ties in width go to the earlier release.
    """
    data = _claims_from_ranges(ranges_long) if "values" in ranges_long else ranges_long
    data = data.drop(columns=["low", "high", "width", "rank"], errors="ignore")
    data = data.dropna(subset=["value_num"])
    n_values = data.groupby("event_id")["value_num"].nunique()
    keep = n_values.index[n_values >= min_values]
    data = data[data["event_id"].isin(keep)].copy()
    if data.empty:
        return data.assign(low=[], high=[], width=[], rank=[])
    both = pd.concat(
        [
            data[["event_id", "value_num"]],
            data[["event_id", "best"]].rename(columns={"best": "value_num"}).dropna(),
        ]
    )
    span = both.groupby("event_id")["value_num"].agg(low="min", high="max")
    span["width"] = span["high"] - span["low"]
    first = data.groupby("event_id")["date"].first()
    order = span.assign(date=first).sort_values(["width", "date"], ascending=[False, True]).index
    if max_events:
        order = order[: int(max_events)]
    rank = {e: i for i, e in enumerate(order)}
    data = data[data["event_id"].isin(rank)]
    data = data.join(span, on="event_id").assign(rank=data["event_id"].map(rank))
    return data.sort_values(["rank", "value_num"], kind="stable").reset_index(drop=True)


def claim_groups(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per event and distinct claimed figure (number + precision): how many sources.

    Columns ``event_id, value_num, precision, n, publishers`` (list, in claim order).
    """
    c = claims.assign(precision=claims["precision"].astype(str))
    g = c.groupby(["event_id", "value_num", "precision"], sort=False)
    out = g.agg(n=("publisher", "size"), publishers=("publisher", list)).reset_index()
    order = {p: i for i, p in enumerate(("at_least", "approx", "exact", "unknown"))}
    out["_o"] = out["precision"].map(order).fillna(9)
    out = out.sort_values(["event_id", "value_num", "_o"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


def claim_label(value, precision: str, n: int) -> str:
    """The small label beside a claim marker: the figure, and "×n" when n > 1 sources gave it.

    >>> claim_label(50, "at_least", 2), claim_label(16, "exact", 1)
    ('>50 ×2', '16')
    """
    times = f" ×{int(n)}" if int(n) > 1 else ""
    return f"{PRECISION_PREFIX.get(str(precision), '')}{int(value):,}{times}"


def plot_claim_ranges(
    ranges_long: pd.DataFrame,
    *,
    disputed_only=True,
    max_events: int | None = None,
    ax=None,
    legend_ncols: int = 5,
):
    """One row per disputed event, widest disagreement on top: what the sources claimed.

    ``ranges_long`` is :func:`belthaw.claims.claims_long` output (one row per claim;
    :func:`claim_ranges` output is accepted too). An event is drawn when its claims give
    two or more different numbers (``disputed_only``; with False every event with a
    claim is drawn); at most ``max_events`` rows. Each row: a grey band from the lowest
    to the highest figure (our own count included), one marker per distinct claimed
    figure (shape = precision: right-pointing triangle "more than", circle exact,
    diamond "about") labelled with the figure and how many sources gave it (">50 ×2"),
    and a black tick at our count. Publishers are not drawn (the caption names them).
    Rows are labelled with the release date only.

    >>> ax = plot_claim_ranges(claims_long(ds, kinds=("release",)), max_events=8)  # doctest: +SKIP
    """
    require_rows(ranges_long, "claims")
    data = _claims_from_ranges(ranges_long) if "values" in ranges_long else ranges_long
    n_events = data["event_id"].nunique()
    data = disputed_claims(data, max_events, min_values=2 if disputed_only else 1)
    if data.empty:
        raise EmptySelectionError(
            f"nothing to draw: none of the {n_events} events with claims has sources "
            "that disagree on the figure"
        )
    ax = get_ax(ax)
    small = small_font()
    events = data.drop_duplicates("event_id")
    groups = claim_groups(data)
    xmax = float(max(data["high"].max(), data["value_num"].max()))
    # Markers nearer than ~their own width on the page would hide each other. A row with
    # such a pair becomes a staircase: one lane per figure, lowest at the top, so every
    # shape and label has its own line; the row gets taller by as many lanes.
    near = xmax * 0.035
    lanes: dict = {}
    for eid in events["event_id"]:
        vals = groups.loc[groups["event_id"] == eid, "value_num"].to_numpy(float)
        crowded = len(vals) > 1 and bool((np.diff(vals) < near).any())
        lanes[eid] = len(vals) if crowded else 1
    heights = {e: max(2.0, k + 0.8) for e, k in lanes.items()}
    y_of, top = {}, 0.0
    for e in events["event_id"]:  # widest first, from the top down
        y_of[e] = -(top + heights[e] / 2)
        top += heights[e]
    placer = LabelPlacer(ax, pad_pt=0.6)
    groups["y"] = 0.0
    groups["side"] = "right"
    for ev in events.itertuples(index=False):
        y, k = y_of[ev.event_id], lanes[ev.event_id]
        band = (k + 0.5) if k > 1 else 1.4
        ax.barh(
            y,
            ev.high - ev.low,
            left=ev.low,
            height=band,
            color="#E3E3E3",
            edgecolor="none",
            zorder=0.5,
            gid=f"range:{ev.event_id}",
            label="_nolegend_",
        )
        sel = groups.index[groups["event_id"] == ev.event_id]
        if k > 1:
            groups.loc[sel, "y"] = y + (k - 1) / 2 - np.arange(k)
        else:
            groups.loc[sel, "y"] = y
        if pd.notna(ev.best):
            # Figures under our count are labelled on their left, so no label crosses the tick.
            groups.loc[sel, "side"] = np.where(
                groups.loc[sel, "value_num"] < ev.best, "left", "right"
            )
            ax.plot(
                [ev.best, ev.best],
                [y - band / 2, y + band / 2],
                color=COLORS["total"],
                lw=1.8,
                solid_capstyle="butt",
                zorder=2,
                gid=f"best:{ev.event_id}",
                label="_nolegend_",
            )
            placer.avoid_points(
                np.full(9, ev.best), np.linspace(y - band / 2, y + band / 2, 9), 1.2
            )
    for prec, grp in groups.groupby("precision", sort=True):
        ax.plot(
            grp["value_num"],
            grp["y"],
            ls="none",
            marker=CLAIM_MARKERS.get(prec, "s"),
            ms=6 if prec != "approx" else 5.5,
            mew=1.3,
            color=COLORS["release"],
            mfc="white",
            zorder=3,
            gid=f"claims:{prec}",
            label="_nolegend_",
        )
    placer.avoid_points(groups["value_num"], groups["y"], 3.6)
    for g in groups.itertuples(index=False):
        t = ax.annotate(
            claim_label(g.value_num, g.precision, g.n),
            (g.value_num, g.y),
            xytext=(5, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=small,
            gid=f"claim-label:{g.event_id}",
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=3),
        )
        xy = (g.value_num, g.y)
        right = [(xy, (dx, 0), "left", "center") for dx in (5, 11, 17)]
        left = [(xy, (-dx, 0), "right", "center") for dx in (5, 11, 17)]
        first, then = (left, right) if g.side == "left" else (right, left)
        placer.add(t, [first[0], then[0], *first[1:], *then[1:]], leader_after=1)
    precs = set(groups["precision"])
    present = [p for p in ("at_least", "exact", "approx", "unknown") if p in precs]
    handles = [Patch(facecolor="#E3E3E3", edgecolor="none", label="range")]
    handles += [
        Line2D(
            [],
            [],
            ls="none",
            marker=CLAIM_MARKERS[p],
            ms=6,
            mew=1.3,
            color=COLORS["release"],
            mfc="white",
            label=PRECISION_WORDS[p],
        )  # fmt: skip
        for p in present
    ]
    handles.append(Line2D([], [], color=COLORS["total"], lw=1.8, label="our count"))
    legend_above(ax, handles=handles, ncols=legend_ncols)
    labels = [f"{d:%-d %b %Y}" for d in events["date"]]
    ax.set_yticks([y_of[e] for e in events["event_id"]], labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-top - 0.2, 0.2)
    ax.set_xlim(0, xmax * 1.15)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("People released, as each source reported them")
    ax.set_ylabel("")
    return ax


def _claim_words(value, precision: str) -> str:
    said = {"at_least": "more than ", "approx": "about "}.get(str(precision), "")
    return f"{said}{fmt_n(value)}"


def claims_text(claims, n_disputed: int | None = None, left_out=None) -> FigureText:
    """Words for the claims figure: releases whose sources disagree on how many were freed.

    ``claims`` is :func:`belthaw.plots.disputed_claims` output (the rows drawn, one per
    claim, ``rank`` 0 = widest). ``n_disputed``: how many releases are disputed in all
    (more than drawn when ``max_events`` cut the list). ``left_out``: dates of disputed
    events that are not releases (their claims are not drawn). The caption names, per
    release, which publisher gave which figure: the chart itself shows no names.

    >>> claims_text(disputed_claims(claims_long(ds, kinds=("release",)))).title
    ... # doctest: +SKIP
    'Sources disagree on the size of 5 releases, most widely on 13 Dec 2025: more than 100 ...'
    """
    events = claims.drop_duplicates("event_id").sort_values("rank")
    n = len(events)
    n_all = max(n, int(n_disputed or 0))
    top = events.iloc[0]

    def end(value) -> str:  # "more than 100" when the lowest figure was worded so
        said = claims[(claims["event_id"] == top["event_id"]) & (claims["value_num"] == value)]
        precs = set(said["precision"].astype(str))
        return _claim_words(value, precs.pop()) if len(precs) == 1 else fmt_n(value)

    day = short_day(top["date"])
    gap = f"{end(top['low'])} against {end(top['high'])}"
    if n_all == 1:
        title = f"Sources disagree on the size of 1 release, on {day}: {gap}"
    else:
        title = f"Sources disagree on the size of {n_all:,} releases, most widely on {day}: {gap}"
    subtitle = "Releases whose sources gave two or more different counts, widest disagreement first"
    if n < n_all:
        subtitle += f"; the {n:,} widest of {n_all:,} shown"
    caption = (
        "Each row is one release. The grey band runs from the lowest to the highest figure "
        "given for it (our own count included); each marker is one figure that sources "
        "gave, with the number of sources that gave it (×2 = two sources). Marker shape "
        "says how the figure was worded: a triangle pointing right is 'more than' (the "
        "true number lies to the right), a circle an exact number, a diamond 'about'. "
        "The black tick is the count we use. Who said what:"
    )
    groups = claim_groups(claims)
    parts = []
    for ev in events.itertuples(index=False):
        g = groups[groups["event_id"] == ev.event_id].sort_values("value_num", ascending=False)
        said = "; ".join(
            f"{_claim_words(r.value_num, r.precision)}: {', '.join(dict.fromkeys(r.publishers))}"
            for r in g.itertuples(index=False)
        )
        ours = f", our count {fmt_n(ev.best)}" if pd.notna(ev.best) else ""
        parts.append(f"{short_day(ev.date)}{ours} - {said}.")
    caption += " " + " ".join(parts)
    alt = (
        f"Dot plot of {plural(n, 'release')} with disputed counts, one row each. The widest "
        f"gap is on {day}: sources give {gap}."
    )
    notes = []
    left = [pd.Timestamp(d) for d in (left_out or [])]
    if left:
        dates = ", ".join(short_day(d) for d in sorted(left))
        notes.append(
            f"Left out: disputed figures about {plural(len(left), 'event')} that "
            f"{'is' if len(left) == 1 else 'are'} not a release ({dates})."
        )
    if n < n_all:
        notes.append(f"{n_all - n:,} more disputed releases are not drawn (max_events = {n}).")
    col = "source_id" if "source_id" in claims else None
    ids = ids_by_frequency(claims[col].astype(str)) if col else ()
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes[:MAX_NOTES]),
        source_ids=ids,
    )


def build(data, p) -> Built:
    """Releases whose sources disagree on the count: each figure claimed, widest gap first."""
    from ..transforms.claims import claim_ranges, claims_long

    max_events = p.max_events

    def draw():
        long = claims_long(data, kinds=("release",))
        long = long[between(long["date"], p.start or None, p.end or None)]
        releases = disputed_claims(long)
        n_disputed = releases["event_id"].nunique()
        shown = disputed_claims(long, max_events)
        # Disputed figures about anything else (trucks held at the border) are named, not drawn.
        others = claim_ranges(data)
        kinds = others["event_id"].map(data.events.set_index("event_id")["kind"].astype(str))
        others = others[
            (kinds != "release")
            & (others["n_values"] >= 2)
            & between(others["date"], p.start or None, p.end or None)
        ]
        if shown.empty:
            raise EmptySelectionError(
                "nothing to draw: no release has sources that give different counts"
            )
        fig, ax = new_figure(p.size)
        plot_claim_ranges(shown, max_events=max_events, ax=ax)
        return fig, claims_text(shown, n_disputed, left_out=list(others["date"]))

    return drawn(Built("05-claims", p.size), draw)
