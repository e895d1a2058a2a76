"""01-releases: one bar per release (or month / quarter) above the stock of political
prisoners held (``plot_releases``, ``plot_stock``, ``releases_text``, ``draw``, ``MARKS``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..counting import CountingRule
from ..style import COLORS, house_style
from ..transforms.common import ids_by_frequency
from ..transforms.headline import headline
from . import axes
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import (
    DEST_MARKERS,
    LOWER_BOUND_HATCH,
    PRECISION_MARKERS,
    Mark,
    destination_code,
    destination_kind,
    how_to_read,
    legend_handles,
)
from .wording import MAX_NOTES, fmt_month, fmt_n, long_day, period_span, plural

NAME = "01-releases"
_BLUE = COLORS["release"]
_DASHED = (0, (2, 1.5))

#: The encoding table of the releases panel: legend entries and caption words, per mark.
MARKS: tuple[Mark, ...] = (
    Mark("exact", "patch", "exact count", "bar height is the number of people freed",
         dict(facecolor=_BLUE, edgecolor=_BLUE)),
    Mark("lower", "patch", "at least (lower bound)",
         "a hatched, lighter bar is a lower bound (a source said 'more than', or the size was not reported)",
         dict(facecolor=to_rgba(_BLUE, 0.35), edgecolor=_BLUE, hatch=LOWER_BOUND_HATCH)),
    Mark("weak", "patch", "single or weak source",
         "an outlined bar with a dashed edge rests only on copies or aggregators (single or weak source): it is counted, and data/events.csv says what is missing",
         dict(facecolor="white", edgecolor=_BLUE, linewidth=1.0, linestyle=_DASHED)),
    *(
        Mark(f"dest-{kind}", "marker", label, words,
             dict(marker=DEST_MARKERS[kind]["marker"], fillstyle=DEST_MARKERS[kind]["fillstyle"], ms=5, mew=1.0,
                  color=COLORS["neutral"] if kind == "unknown" else "#222222",
                  **({"markerfacecoloralt": "white"} if kind == "both" else {})))
        for kind, label, words in (
            ("abroad", "sent abroad", "a filled marker under a bar: the people were sent abroad"),
            ("home", "stayed in Belarus", "a hollow marker: they stayed in Belarus"),
            ("both", "some left, some stayed", "a half-filled marker: some left, some stayed"),
            ("unknown", "not reported", "a cross: the destination was not reported"),
        )
    ),
)  # fmt: skip
#: The stock panel's encoding table.
STOCK_MARKS: tuple[Mark, ...] = (
    Mark("stock-line", "line", "Viasna", "lower panel: the line is Viasna's count of political prisoners still held",
         dict(color=COLORS["stock"], lw=2)),
    Mark("stock-exact", "marker", "exact", "a circle is an exact count", dict(marker="o", color=COLORS["stock"])),
    Mark("stock-at_least", "marker", "at least", "a triangle an 'at least' count", dict(marker="^", color=COLORS["stock"])),
    Mark("stock-approx", "marker", "about", "a diamond an approximate one", dict(marker="D", color=COLORS["stock"])),
    Mark("stock-other", "marker", "other counters",
         "hollow markers are counts by others than Viasna", dict(marker="o", mfc="none", mec=COLORS["stock"])),
)  # fmt: skip


def _weak(series: pd.DataFrame) -> np.ndarray:
    # A period is outlined only when every release in it is weakly sourced: one weak
    # release among strong ones does not make the period's count doubtful.
    return ((series["n_weak"] > 0) & (series["n_weak"] == series["n_events"])).to_numpy(bool)


def marks_drawn(
    series: pd.DataFrame, stock: pd.DataFrame | None = None, *, show_destination: bool = True
) -> list[str]:
    """The keys of :data:`MARKS` and :data:`STOCK_MARKS` that these frames put on the chart."""
    lower, weak = series["is_lower_bound"].to_numpy(bool), _weak(series)
    exact = ~lower & ~weak & (series["count"].fillna(0) > 0).to_numpy()
    bars = (("exact", exact), ("lower", lower & ~weak), ("weak", weak))
    drawn = [k for k, on in bars if on.any()]
    if show_destination:
        kinds = {destination_kind(d) for d in series["destination"].astype(str)}
        drawn += [f"dest-{k}" for k in DEST_MARKERS if k in kinds]
    if stock is not None and len(stock):
        main = _main_counter(stock)
        precisions = set(stock.loc[main, "precision"].astype(str))
        shapes = [f"stock-{p}" for p in ("exact", "at_least", "approx") if p in precisions]
        drawn += ["stock-line", *shapes]
        drawn += ["stock-other"] if (~main).any() else []
    return drawn


def _bar_width(series: pd.DataFrame) -> float:
    """Bar width in days: a period's bar nearly fills its period; a release's bar is
    thin enough that releases a few days apart stay separate."""
    if "event_id" not in series:
        return 0.8 * (float((series["period_end"] - series["period"]).dt.days.median()) + 1)
    return max(3.0, (series["period"].max() - series["period"].min()).days / 90)


def plot_releases(
    series: pd.DataFrame, *, annotate_min: int | None = 20, show_destination: bool = True,
    color: str | None = None, legend: bool = True, ax=None, **kwargs,
):  # fmt: skip
    """Bars of people freed per release (or period); lower bounds hatched and lighter.

    ``series`` is :func:`belthaw.transforms.timeline.release_series` output. The largest
    bars (about two per inch of width) of at least ``annotate_min`` people (any, when
    None) get a label: the count ("≥52" for a lower bound) and, with ``show_destination``,
    the destination code under it; colliding labels are lifted, with a leader to their
    bar. With ``show_destination`` every bar gets a marker in a strip under the baseline
    (see :data:`MARKS`). ``color`` replaces the bars' colour; other keyword arguments go
    to ``Axes.bar``.
    """
    axes.require_rows(series, "releases")
    ax = axes.get_ax(ax)
    color = color or _BLUE
    x = axes.date_num(series["period"]).to_numpy()
    counts = series["count"].fillna(0).astype(int).to_numpy()
    lower, weak = series["is_lower_bound"].to_numpy(bool), _weak(series)
    width = _bar_width(series)
    keys = series["event_id"] if "event_id" in series else series["period"].dt.strftime("%Y-%m")
    bars = []
    for xi, h, lb, wk, key in zip(x, counts, lower, weak, keys, strict=True):
        # A weakly sourced release keeps its place, drawn as an outline: the reader sees
        # it and sees that it is weakly sourced.
        face = "white" if wk else (to_rgba(color, 0.35) if lb else color)
        style = dict(color=face, edgecolor=color, linewidth=1.0 if wk else 0.8,
                     linestyle=_DASHED if wk else "solid") | kwargs  # fmt: skip
        bar = ax.bar(xi, h, width=width, **style)[0]
        bar.set_hatch(LOWER_BOUND_HATCH if lb and not wk else None)
        bar.set_gid(f"release-bar:{key}")
        bars.append(bar)
    top = max(1, int(counts.max()))
    dests = series["destination"].astype(str).to_numpy() if show_destination else None
    # On a narrow or short figure the marker strip alone says where people went: a second
    # label line per bar would not fit, nor would the markers' rows of legend (the
    # caption says what each marker means).
    compact = axes.is_narrow(ax) or axes.is_short(ax)
    threshold = 1 if annotate_min is None else annotate_min
    room = int(2 * ax.figure.get_figwidth())
    if (counts >= threshold).sum() > room:  # the rest are read off the axis
        threshold = max(threshold, int(np.sort(counts)[::-1][room - 1]))
    _count_labels(ax, x, counts, lower, None if compact else dests, threshold, bars)
    bottom = 0.0
    if dests is not None:
        # A strip under the baseline: one marker per bar, never in the way of a label.
        bottom = -0.11 * top
        kinds = np.array([destination_kind(d) for d in dests])
        for mark in MARKS[3:]:
            sel = kinds == mark.key[5:]
            if sel.any():
                ax.plot(x[sel], np.full(sel.sum(), bottom / 2), ls="none",
                        gid=f"destination-mark:{mark.key[5:]}", label="_nolegend_", **mark.style)  # fmt: skip
        ax.axhline(0, color="#4D4D4D", lw=0.6, zorder=0.5, gid="baseline")
    if legend:  # off only where a caption points to this chart for its marks
        drawn = marks_drawn(series, show_destination=show_destination)
        shown = [k for k in drawn if not (compact and k.startswith("dest-"))]
        axes.legend_above(ax, handles=legend_handles(_recolored(color), shown))
    ax.set_ylim(bottom, top * 1.25)
    # A low panel holds few ticks: at the default density their labels touch.
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3 if compact else "auto", integer=True))
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.25])
    ax.set_xlabel("Date of release" if "event_id" in series else "Period")
    ax.set_ylabel("People released")
    axes.pad_x(ax, pd.concat([series["period"], series["period_end"]]), width)
    axes.date_axis(ax, series["period"])
    return ax


def _recolored(color: str) -> tuple[Mark, ...]:
    """:data:`MARKS` with the bars in the colour actually drawn (an analyst's ``color=``)."""
    faces = {"exact": color, "lower": to_rgba(color, 0.35)}
    return tuple(
        replace(m, style=m.style | {"facecolor": faces.get(m.key, "white"), "edgecolor": color})
        if m.kind == "patch" and color != _BLUE
        else m
        for m in MARKS
    )


def _count_labels(ax, x, counts, lower, dests, threshold, bars) -> None:
    """The count (and destination code) above each bar of at least ``threshold`` people."""
    small = axes.small_font()
    placer = LabelPlacer(ax)
    placer.avoid_patches(bars)
    step = 2.4 * small  # lifted in steps of one two-line label
    for k in np.flatnonzero((counts >= threshold) & (counts > 0)):
        xy = (x[k], counts[k])
        text = f"≥{counts[k]:,}" if lower[k] else f"{counts[k]:,}"
        if dests is not None and dests[k].strip():
            text += "\n" + destination_code(dests[k])
        t = ax.annotate(
            text, xy, xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
            fontsize=small, linespacing=1.0, gid="count-label",
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=1),
        )  # fmt: skip
        spots = [(xy, (dx, 2 + j * step), ha, "bottom") for j in range(8)
                 for dx, ha in ((0, "center"), (3, "right"), (-3, "left"))]  # fmt: skip
        placer.add(t, spots, leader_after=0)


def _viasna(stock: pd.DataFrame) -> pd.Series:
    return stock["counted_by"].astype(str).str.lower().str.contains("viasna")


def _main_counter(stock: pd.DataFrame) -> pd.Series:
    """Rows of the counter drawn as the line: Viasna when present, else the most frequent."""
    who = stock["counted_by"].astype(str)
    return _viasna(stock) if _viasna(stock).any() else who.eq(who.value_counts().index[0])


def plot_stock(stock: pd.DataFrame, *, color: str | None = None, ax=None, **kwargs):
    """Political prisoners still held: the main counter as a line, other counters as markers.

    Marker shape shows precision (see :data:`STOCK_MARKS`); other counters are hollow.
    ``color`` replaces the colour; other keyword arguments go to the line's ``Axes.plot``.
    """
    axes.require_rows(stock, "prisoner counts")
    ax = axes.get_ax(ax)
    color = color or COLORS["stock"]
    main = _main_counter(stock)
    main_name = stock.loc[main, "counted_by"].astype(str).iloc[0]
    line = stock[main].sort_values("date")
    ax.plot(axes.date_num(line["date"]), line["count"].astype(float),
            **(dict(color=color, lw=2, gid="stock-line", label=main_name) | kwargs))  # fmt: skip
    for prec, grp in line.groupby(line["precision"].astype(str), sort=True):
        ax.plot(axes.date_num(grp["date"]), grp["count"].astype(float), ls="none",
                marker=PRECISION_MARKERS.get(prec, "s"), color=color,
                gid=f"stock-points:{main_name}:{prec}", label="_nolegend_")  # fmt: skip
    others = stock[~main]
    for (name, prec), grp in others.groupby(
        [others["counted_by"], others["precision"].astype(str)]
    ):
        ax.plot(axes.date_num(grp["date"]), grp["count"].astype(float), ls="none",
                marker=PRECISION_MARKERS.get(prec, "s"), mfc="none", mec=color, ms=7,
                gid=f"stock-points:{name}:{prec}", label=f"{name}")  # fmt: skip
    ax.set_xlabel("Date")
    # The data in the upper two thirds (the legend sits below), on round hundreds; from
    # zero when the data come near it anyway.
    lo, hi = float(stock["count"].min()), float(stock["count"].max())
    span = max(hi - lo, 50.0)
    bottom = np.floor((lo - 0.5 * span) / 100.0) * 100.0
    lo, hi = (0.0 if bottom < 0.25 * lo or bottom <= 0 else bottom), hi + 0.1 * span
    ax.set_ylim(lo, hi)
    if lo > 0:
        # The changes are the point, so the axis starts near the data; a break mark (two
        # short slashes across its foot) and the labelled first tick say it does not
        # start at zero.
        ax.set_ylabel("Still held")
        top = float(np.floor(hi / 100.0) * 100.0)
        ax.set_yticks([lo, top] if top > lo else [lo])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_n(v)))
        for dy in (0.0, 0.035):
            ax.plot([-0.012, 0.012], [0.01 + dy, 0.045 + dy], transform=ax.transAxes,
                    color="#333333", lw=0.9, clip_on=False, gid="axis-break")  # fmt: skip
    else:
        ax.set_ylabel("Political prisoners held")
    if axes.is_narrow(ax):
        axes.legend_above(ax)  # inside the short panel it would cover the line
    else:
        ax.legend(loc="lower left", ncols=3, frameon=False, fontsize=axes.small_font())
    axes.pad_x(ax, stock["date"])
    axes.date_axis(ax, stock["date"])
    return ax


def releases_text(
    series: pd.DataFrame, stock: pd.DataFrame | None, rule: CountingRule, *,
    start=None, end=None, show_destination: bool = True,
) -> FigureText:  # fmt: skip
    """The words of 01-releases: the finding, the scope, how to read it, alt text, notes."""
    axes.require_rows(series, "releases")
    h = headline(series, rule, start=start)
    start, end = period_span(series["period"], start, end or series["period_end"].max())
    title = f"{h.phrase()} in {plural(h.n_releases, 'release')} since {fmt_month(start)}"
    held = None
    if stock is not None and len(stock):  # the newest count, Viasna's when it has one
        held = (
            (stock[_viasna(stock)] if _viasna(stock).any() else stock).sort_values("date").iloc[-1]
        )
        some = "at least" if str(held["precision"]) == "at_least" else "some"
        # The stock is dated: a title setting it beside a total says on which day it was counted.
        title += f"; {some} {fmt_n(held['count'])} still held on {long_day(held['date'])}"
    days = (series["period_end"] - series["period"]).dt.days.median()
    unit = "per month" if days <= 31 else "per quarter"
    unit = "each bar one release" if "event_id" in series else unit
    subtitle = (
        f"Releases from Belarusian prisons, {fmt_month(start)} to {fmt_month(end)} "
        f"({unit}); counting rule: {h.rule}"
    )
    drawn = marks_drawn(series, stock, show_destination=show_destination)
    caption = how_to_read((*MARKS, *STOCK_MARKS), drawn)
    codes = _dest_codes(series) if show_destination else ""
    if codes:
        caption += f" Labels give the count and destination ({codes})."
    n_lb = int(series.loc[series["is_lower_bound"], "n_events"].sum())
    only_lb = f"{plural(n_lb, 'release')} only {'has' if n_lb == 1 else 'have'} a lower bound"
    biggest = series.loc[series["count"].fillna(0).idxmax()]
    alt = (
        f"Bar chart of {plural(h.n_releases, 'release')} from {fmt_month(start)} to {fmt_month(end)}, "
        f"adding up to {'at least ' if h.lower_bound else ''}{fmt_n(h.value)} {h.what}. The largest bar is "
        f"{fmt_n(biggest['count'])} on {long_day(biggest['period'])}."
    )
    alt += f" {only_lb}." if n_lb else ""
    if held is not None:
        alt += f" {held['counted_by']} counted {fmt_n(held['count'])} still held on {long_day(held['date'])}."
    notes = (
        [f"{only_lb}, so the total of {fmt_n(h.value)} is itself a lower bound."] if n_lb else []
    )
    if h.n_weak:
        rest = "rests" if h.n_weak == 1 else "rest"
        notes.append(f"{plural(h.n_weak, 'release')} {rest} on single or weak sources.")
    if bool(series["may_include_foreign"].any()):
        notes.append("Some releases do not say how many foreign nationals were among them.")
    stock_ids = [] if held is None else list(stock["source_id"].astype(str))
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt, notes=tuple(notes[:MAX_NOTES]),
        source_ids=ids_by_frequency(series["source_ids"].astype(str), stock_ids),
    )  # fmt: skip


def _dest_codes(series: pd.DataFrame) -> str:
    """'LT Lithuania, UA Ukraine, home = stayed in Belarus' for the codes drawn."""
    names = {}
    for tok in (t.strip() for d in series["destination"].astype(str) for t in d.split(";")):
        code = destination_code(tok)
        if code == "home":
            names[code] = "home = stayed in Belarus"
        elif tok and tok.lower() != "unknown":
            names.setdefault(code, f"{code} {tok.title() if tok.islower() else tok}")
    if "?" in {destination_code(d) for d in series["destination"].astype(str)}:
        names["?"] = "? = not reported"
    return ", ".join(names[c] for c in sorted(names, key=lambda c: (c == "home", c == "?", c)))


def draw(
    series: pd.DataFrame, stock: pd.DataFrame | None, *, size: str = "a4-full",
    annotate_min: int | None = 20, show_destination: bool = True, color: str | None = None,
    **kwargs,
):  # fmt: skip
    """The 01-releases figure: releases above, the stock still held below, at ``size``.

    Keyword arguments go to :func:`plot_releases` (and from there to ``Axes.bar``).
    Returns the figure; its two axes are ``fig.axes[0]`` (releases) and ``fig.axes[1]``.
    """
    axes.require_rows(series, "releases")
    # The stock moves slowly; the releases panel needs the height for its labels.
    fig, (top, bottom) = axes.new_figure(
        size, 2, sharex=True, gridspec_kw={"height_ratios": [3, 1.4]}
    )
    compact = axes.is_narrow(top) or axes.is_short(top)
    if compact:  # the stock panel keeps a readable share of a small figure's plot
        top.get_gridspec().set_height_ratios([3, 2])
    with house_style(size):
        plot_releases(series, annotate_min=annotate_min, show_destination=show_destination,
                      color=color, ax=top, **kwargs)  # fmt: skip
        top.set_xlabel("")
        top.set_ylabel("Freed" if compact else "People freed")
        if stock is not None and len(stock):
            plot_stock(stock, ax=bottom)
            # Dates need no axis title; on a small figure its line is the panel's room.
            bottom.set_ylabel("Held" if compact else "Still held")
            if compact:
                bottom.set_xlabel("")
            # The shared axis must hold every release, also one after the last stock count.
            dates = pd.concat([series["period"], series["period_end"], stock["date"]])
            axes.pad_x(bottom, dates, _bar_width(series))
        else:
            bottom.set_axis_off()
        fig.align_ylabels([top, bottom])
    return fig
