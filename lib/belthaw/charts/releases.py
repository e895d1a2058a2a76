"""Releases: one bar per release (or month / quarter) above the stock of political prisoners held.

The builder draws two panels; ``plot_releases`` and ``plot_stock`` draw one each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..style import COLORS
from ..transforms.common import ids_by_frequency
from .base import (
    MAX_NOTES,
    Built,
    FigureText,
    _ax,
    _date_axis,
    _day,
    _disagreements,
    _legend_above,
    _month,
    _n,
    _num,
    _pad_x,
    _period,
    _plural,
    _require,
    _rules,
    _small,
    drawn,
    new_figure,
)
from .labels import LabelPlacer
from .marks import (
    DEST_MARKERS,
    LOWER_BOUND_HATCH,
    PRECISION_MARKERS,
    destination_code,
    destination_kind,
)


def _bar_width(series: pd.DataFrame) -> float:
    gran = series.attrs.get("granularity")
    if gran == "month":
        return 24.0
    if gran == "quarter":
        return 75.0
    span = (series["period"].max() - series["period"].min()).days
    return max(3.0, span / 90)


def plot_releases(
    series: pd.DataFrame,
    *,
    annotate_min=None,
    show_destination=True,
    ax=None,
    legend_ncols: int = 3,
):
    """Bars of people freed per release (or period); lower bounds hatched and lighter.

    ``series`` is :func:`belthaw.timeline.release_series` output. Bars whose count is
    >= ``annotate_min`` (all non-zero bars when None) get one label: the count ("≥52"
    for a lower bound) and, with ``show_destination``, the destination code under it
    ("52\nLT"). Labels that would collide are lifted, with a thin leader to their bar.
    With ``show_destination`` every bar also gets a marker in a strip under the
    baseline: filled = sent abroad, hollow = stayed in Belarus, half = both,
    cross = not reported, so destination reads in greyscale without crowding.

    >>> ax = plot_releases(release_series(ds.events))  # doctest: +SKIP
    """
    _require(series, "releases")
    ax = _ax(ax)
    small = _small()
    x = _num(series["period"]).to_numpy()
    counts = series["count"].fillna(0).astype(int).to_numpy()
    lower = series["is_lower_bound"].to_numpy(bool)
    width = _bar_width(series)
    keys = series["event_id"] if "event_id" in series else series["period"].dt.strftime("%Y-%m")
    color = COLORS["release"]
    weak = (
        series["confidence"].astype(str).eq("low").to_numpy()
        if "confidence" in series
        else np.zeros(len(series), bool)
    )
    bars = []
    for xi, h, lb, wk, key in zip(x, counts, lower, weak, keys, strict=True):
        # A release resting only on copies or aggregators keeps its place, drawn as an
        # outline: the reader sees it and sees that it is weakly sourced.
        face = "white" if wk else (to_rgba(color, 0.35) if lb else color)
        (bar,) = ax.bar(
            xi, h, width=width, color=face, edgecolor=color, linewidth=1.0 if wk else 0.8,
            linestyle=(0, (2, 1.5)) if wk else "solid",
        )  # fmt: skip
        bar.set_hatch(LOWER_BOUND_HATCH if lb else None)
        bar.set_gid(f"release-bar:{key}")
        bar.set_label("_lower_bound" if lb else "_exact")
        bars.append(bar)
    top = max(1, int(counts.max()))
    dests = None
    if show_destination and "destination" in series:
        dests = series["destination"].astype(str).to_numpy()
    threshold = 1 if annotate_min is None else annotate_min
    placer = LabelPlacer(ax)
    placer.avoid_patches(bars)
    # Lifted in steps of one two-line label; the leader shows which bar a lifted label is for.
    step = 2.4 * small
    for xi, h, lb, k in zip(x, counts, lower, range(len(x)), strict=True):
        if not (h >= threshold and h > 0):
            continue
        text = f"≥{h:,}" if lb else f"{h:,}"
        if dests is not None and dests[k].strip():
            text += "\n" + destination_code(dests[k])
        t = ax.annotate(
            text,
            (xi, h),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=small,
            linespacing=1.0,
            gid="count-label",
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=1),
        )
        cands = [
            ((xi, h), (dx, 2 + j * step), ha, "bottom")
            for j in range(8)
            for dx, ha in ((0, "center"), (3, "right"), (-3, "left"))
        ]
        placer.add(t, cands, leader_after=0)
    handles = [Patch(facecolor=color, edgecolor=color, label="exact count")]
    if weak.any():
        handles.append(
            Patch(
                facecolor="white",
                edgecolor=color,
                linewidth=1.0,
                linestyle=(0, (2, 1.5)),
                label="single or weak source",
            )
        )
    if lower.any():
        handles.append(
            Patch(
                facecolor=to_rgba(color, 0.35),
                edgecolor=color,
                hatch=LOWER_BOUND_HATCH,
                label="at least (lower bound)",
            )
        )
    bottom = 0.0
    if dests is not None:
        # A strip under the baseline: one marker per bar, never in the way of a label.
        bottom = -0.11 * top
        kinds = np.array([destination_kind(d) for d in dests])
        for kind, style in DEST_MARKERS.items():
            sel = kinds == kind
            if not sel.any():
                continue
            props = dict(
                marker=style["marker"],
                fillstyle=style["fillstyle"],
                ms=5,
                mew=1.0,
                color=COLORS["neutral"] if kind == "unknown" else "#222222",
            )
            if style["fillstyle"] == "left":
                props["markerfacecoloralt"] = "white"
            ax.plot(
                x[sel],
                np.full(sel.sum(), bottom / 2),
                ls="none",
                gid=f"destination-mark:{kind}",
                label="_nolegend_",
                **props,
            )
            handles.append(Line2D([], [], ls="none", label=style["label"], **props))
        ax.axhline(0, color="#4D4D4D", lw=0.6, zorder=0.5, gid="baseline")
    _legend_above(ax, handles=handles, ncols=legend_ncols)
    ax.set_ylim(bottom, top * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.25])
    gran = series.attrs.get("granularity", "event")
    ax.set_xlabel({"event": "Date of release", "month": "Month", "quarter": "Quarter"}[gran])
    ax.set_ylabel("People released")
    _pad_x(ax, series["period"], width)
    _date_axis(ax, series["period"])
    return ax


def plot_stock(stock: pd.DataFrame, *, ax=None):
    """Political prisoners still held: Viasna's series as a line, other counters as markers.

    Marker shape shows precision (circle exact, triangle "at least", diamond "about");
    other counters are hollow and labelled with their name.

    >>> ax = plot_stock(stock_series(ds.prisoner_counts))  # doctest: +SKIP
    """
    _require(stock, "prisoner counts")
    ax = _ax(ax)
    color = COLORS["stock"]
    who = stock["counted_by"].astype(str)
    is_viasna = who.str.lower().str.contains("viasna")
    main = is_viasna if is_viasna.any() else who.eq(who.value_counts().index[0])
    main_name = who[main].iloc[0]
    line = stock[main].sort_values("date")
    ax.plot(
        _num(line["date"]),
        line["count"].astype(float),
        color=color,
        lw=2,
        gid="stock-line",
        label=f"{main_name}",
    )
    for prec, grp in line.groupby(line["precision"].astype(str), sort=True):
        ax.plot(
            _num(grp["date"]),
            grp["count"].astype(float),
            ls="none",
            marker=PRECISION_MARKERS.get(prec, "s"),
            color=color,
            gid=f"stock-points:{main_name}:{prec}",
            label="_nolegend_",
        )
    others = stock[~main]
    for (name, prec), grp in others.groupby(
        [others["counted_by"], others["precision"].astype(str)], sort=True
    ):
        ax.plot(
            _num(grp["date"]),
            grp["count"].astype(float),
            ls="none",
            marker=PRECISION_MARKERS.get(prec, "s"),
            mfc="none",
            mec=color,
            ms=7,
            gid=f"stock-points:{name}:{prec}",
            label=f"{name}",
        )
    ax.set_xlabel("Date")
    lo, hi = _stock_range(stock["count"].astype(float))
    ax.set_ylim(lo, hi)
    if lo > 0:
        # The changes are the point, so the axis starts near the data; a break mark on
        # the axis and its labelled first tick say it does not start at zero (a longer
        # axis label would not fit the panel's height at a4-half).
        ax.set_ylabel("Still held")
        # Two ticks, the axis's start and a round value near the top: the panel is short.
        top = float(np.floor(hi / 100.0) * 100.0)
        ax.set_yticks([lo, top] if top > lo else [lo])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _n(v)))
        _axis_break(ax)
    else:
        ax.set_ylabel("Political prisoners held")
    ax.legend(loc="lower left", ncols=3, frameon=False, fontsize=_small())
    _pad_x(ax, stock["date"])
    _date_axis(ax, stock["date"])
    return ax


def _stock_range(counts: pd.Series) -> tuple[float, float]:
    """The y range of the stock panel: the data in the upper two thirds (the legend sits
    below), on round hundreds; from zero when the data come near it anyway."""
    lo, hi = float(counts.min()), float(counts.max())
    span = max(hi - lo, 50.0)
    bottom = np.floor((lo - 0.5 * span) / 100.0) * 100.0
    if bottom < 0.25 * lo or bottom <= 0:
        return 0.0, hi + 0.1 * span
    return bottom, hi + 0.1 * span


def _axis_break(ax) -> None:
    """Two short slashes across the foot of the y axis: it does not start at zero."""
    kw = dict(transform=ax.transAxes, color="#333333", lw=0.9, clip_on=False, gid="axis-break")
    for dy in (0.0, 0.035):
        ax.plot([-0.012, 0.012], [0.01 + dy, 0.045 + dy], **kw)


def _latest_stock(stock: pd.DataFrame | None):
    if stock is None or stock.empty:
        return None
    viasna = stock[stock["counted_by"].astype(str).str.lower().str.contains("viasna")]
    pick = (viasna if len(viasna) else stock).sort_values("date").iloc[-1]
    return pick


#: Months a bar covers, by granularity (a release bar covers its own day).
_PERIOD_MONTHS = {"month": 1, "quarter": 3}


def _last_period_end(series: pd.DataFrame):
    """The last day the last bar covers: ``period`` holds a month or quarter's first day,
    so a subtitle naming it would stop a quarter short (Jan 2026 for Jan-Mar 2026)."""
    months = _PERIOD_MONTHS.get(series.attrs.get("granularity", "event"))
    last = pd.Timestamp(series["period"].max())
    if months is None or pd.isna(last):
        return None
    return last + pd.DateOffset(months=months) - pd.Timedelta(days=1)


def releases_text(series, stock=None, totals_cmp=None, *, start=None, end=None) -> FigureText:
    """Words for the releases chart (bars per release, running total, stock still held).

    >>> releases_text(release_series(ds.events), stock_series(ds.prisoner_counts)).title
    ... # doctest: +SKIP
    'At least 213 people freed in 7 releases since July 2024, yet some 1,110 are still held'
    """
    from ..transforms.headline import headline

    h = headline(series)
    total, n_rel, lower = h.value, h.n_releases, h.lower_bound
    start, end = _period(series["period"], start, end or _last_period_end(series))
    title = f"{h.phrase()} in {_plural(n_rel, 'release')} since {_month(start)}"
    held = _latest_stock(stock)
    if held is not None:
        some = "at least" if str(held["precision"]) == "at_least" else "some"
        title += f", yet {some} {_n(held['count'])} are still held"
    gran = series.attrs["granularity"]
    unit = {"event": "each bar one release", "month": "per month", "quarter": "per quarter"}
    subtitle = (
        f"Releases from Belarusian prisons, {_month(start)} to {_month(end)} "
        f"({unit.get(gran, gran)}); counting rule: {_rules(series)}"
    )
    codes = _dest_codes(series)
    caption = (
        "Bar height is the number of people freed. Hatched, lighter bars are lower bounds "
        "(a source said 'more than', or the size was not reported). The marker under each "
        "bar says where people went: filled = sent abroad, hollow = stayed in Belarus, "
        "half-filled = both, cross = not reported. Labelled bars also give the count and "
        "destination" + (f" ({codes})" if codes else "") + "."
    )
    if stock is not None and len(stock):
        caption += (
            " Lower panel: political prisoners still held; marker shape is how precise the "
            "count is (circle exact, triangle 'at least', diamond 'about'); hollow markers "
            "are other counters than Viasna."
        )
    n_lb = int(series.loc[series["is_lower_bound"], "n_events"].sum())
    biggest = series.loc[series["count"].fillna(0).idxmax()]
    alt = (
        f"Bar chart of {_plural(n_rel, 'release')} from {_month(start)} to {_month(end)}, "
        f"adding up to {'at least ' if lower else ''}{_n(total)} people. The largest is "
        f"{_n(biggest['count'])} on {_day(biggest['period'])}."
    )
    if n_lb:
        alt += f" {_plural(n_lb, 'bar')} {'is a lower bound' if n_lb == 1 else 'are lower bounds'}."
    if held is not None:
        alt += (
            f" {held['counted_by']} counted {_n(held['count'])} still held on {_day(held['date'])}."
        )
    notes = []
    if n_lb:
        notes.append(
            f"{_plural(n_lb, 'release')} only have a lower bound, so the total of {_n(total)} "
            "is itself a lower bound."
        )
    if h.n_weak:
        caption += (
            " An outlined bar with a dashed edge is a release that rests only on copies or "
            "aggregators (single or weak source); it is counted, and the notes of "
            "data/events.csv say what is missing."
        )
        notes.append(
            f"{_plural(h.n_weak, 'release')} rest{'s' if h.n_weak == 1 else ''} on single or "
            "weak sources (outlined)."
        )
    if bool(series.get("may_include_foreign", pd.Series(False)).any()):
        notes.append("Some releases do not say how many foreign nationals were among them.")
    note, why = _disagreements(totals_cmp)
    if note:
        notes.append(note)
        caption += " " + why
    notes = notes[:MAX_NOTES]
    stock_ids = [] if held is None else list(stock["source_id"].astype(str))
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes),
        source_ids=ids_by_frequency(series["source_ids"].astype(str), stock_ids),
    )


def _dest_codes(series: pd.DataFrame) -> str:
    """'LT Lithuania, UA Ukraine, home = stayed in Belarus' for the codes drawn."""
    if "destination" not in series:
        return ""
    names = {}
    for d in series["destination"].astype(str):
        for tok in d.split(";"):
            tok = tok.strip()
            if not tok or tok.lower() == "unknown":
                continue
            code = destination_code(tok)
            if code == "home":
                names[code] = "home = stayed in Belarus"
            else:
                names.setdefault(code, f"{code} {tok.title() if tok.islower() else tok}")
    if "?" in {destination_code(d) for d in series["destination"].astype(str)}:
        names["?"] = "? = not reported"
    ordered = sorted(names, key=lambda c: (c == "home", c == "?", c))
    return ", ".join(names[c] for c in ordered)


def build(data, p) -> Built:
    """Releases (one bar per release or period) above the stock of political prisoners held."""
    from ..transforms.timeline import release_series, stock_series

    def draw():
        series = release_series(
            data.events,
            data.claims,
            count_what=p.count_what,
            sources=data.sources,
            min_confidence=p.min_confidence,
            start=p.start or None,
            end=p.end or None,
            granularity=p.granularity,
            include_foreign_nationals=p.include_foreign_nationals,
            include_released_home=p.include_released_home,
            count_basis=p.count_basis,
        )
        stock = stock_series(data.prisoner_counts, start=p.start or None, end=p.end or None)
        # The stock moves slowly; the releases panel needs the height for its labels.
        fig, (top, bottom) = new_figure(
            p.size, 2, sharex=True, gridspec_kw={"height_ratios": [3, 1.4]}
        )
        plot_releases(series, annotate_min=p.annotate_min, ax=top)
        top.set_xlabel("")
        # Short axis labels: the long ones are taller than a panel and run into each other.
        top.set_ylabel("People freed")
        if len(stock):
            plot_stock(stock, ax=bottom)
            bottom.set_ylabel("Still held")
        else:
            bottom.set_axis_off()
        fig.align_ylabels([top, bottom])
        return fig, releases_text(series, stock, None, start=p.start or None, end=p.end or None)

    return drawn(Built("01-releases", p.size), draw)
