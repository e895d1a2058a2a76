"""Plot functions: frames in, Axes out (seaborn-like). They never show or save a figure.

Every function draws on ``ax`` (``plt.gca()`` when None), sets its axis labels,
colours by meaning from :data:`belthaw.style.COLORS`, and tags artists with a
``gid`` (and a ``label`` where a legend needs one) so tests and the saver can find
them. Meaning never rests on colour alone: lower bounds are hatched, link strengths
differ by line style, precisions by marker shape, destinations are written out.

An empty frame raises :class:`belthaw.errors.EmptySelectionError` saying what was
selected and what the data covers, never a blank chart.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .errors import EmptySelectionError
from .style import COLORS, MIN_FONT_PT, get_size

#: Precision -> marker shape (a published or claimed figure).
PRECISION_MARKERS = {"at_least": "^", "exact": "o", "approx": "D", "unknown": "s"}
#: Link strength -> (line style, line width, colour key).
LINK_STYLES = {
    "explicit": ("-", 2.4, "total"),
    "reported": ("--", 1.6, "total"),
    "inferred": (":", 1.6, "total"),
    "candidate": (":", 0.9, "inferred"),
}
LINK_WORDS = {
    "explicit": "explicit trade",
    "reported": "reported together",
    "inferred": "our inference",
    "candidate": "candidate (±window, not recorded)",
}
#: Destination names -> short codes that read in greyscale.
DEST_CODES = {
    "home": "home",
    "unknown": "?",
    "lithuania": "LT",
    "ukraine": "UA",
    "poland": "PL",
    "united states": "US",
    "usa": "US",
    "germany": "DE",
    "latvia": "LV",
}
LOWER_BOUND_HATCH = "//"
#: Where people went -> marker fill. Fill, not colour, carries the meaning, and the
#: hatch stays reserved for lower bounds.
DEST_MARKERS = {
    "abroad": dict(marker="o", fillstyle="full", label="sent abroad"),
    "home": dict(marker="o", fillstyle="none", label="stayed in Belarus"),
    "both": dict(marker="o", fillstyle="left", label="some abroad, some stayed"),
    "unknown": dict(marker="x", fillstyle="full", label="destination not reported"),
}


# -- helpers --------------------------------------------------------------------------------


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


class _LabelPlacer(Artist):
    """Places annotations at draw time, once the layout (and so the data-to-page scale) is final.

    Each label has candidate spots, tried in order; it takes the first one whose box
    stays inside the axes and overlaps no label placed before it and no obstacle
    (markers, bars). When none is free, the spot with the least overlap wins. Placing
    at draw time rather than at plot time matters: constrained layout and
    ``finish_figure`` resize the axes after the plot function returns, which moves
    points closer together on the page while text keeps its size in points.
    """

    def __init__(self, ax, *, pad_pt: float = 1.5):
        super().__init__()
        self.axes = ax
        self._pad_pt = pad_pt
        self._items: list[tuple] = []
        self._points: list[tuple] = []  # (x data, y data, radius in points)
        self._patches: list = []
        self.set_zorder(-1e9)  # drawn before the labels it moves
        self.set_in_layout(False)
        self.set_gid("label-placer")
        ax.add_artist(self)

    def add(self, ann, candidates, *, leader_after: int | None = None):
        """``candidates``: list of ``(xy data, (dx, dy) points, ha, va)``, best first."""
        ann.set_in_layout(False)
        self._items.append((ann, list(candidates), leader_after))
        self._apply(ann, self._items[-1][1][0])

    def avoid_points(self, xs, ys, radius_pt: float) -> None:
        self._points += [(float(x), float(y), radius_pt) for x, y in zip(xs, ys, strict=True)]

    def avoid_patches(self, patches) -> None:
        self._patches += list(patches)

    @staticmethod
    def _apply(ann, cand) -> None:
        xy, off, ha, va = cand
        ann.xy = xy
        ann.xyann = off
        ann.set_ha(ha)
        ann.set_va(va)

    def get_window_extent(self, renderer=None):
        from matplotlib.transforms import Bbox

        return Bbox.null()

    def get_tightbbox(self, renderer=None):
        return None

    def draw(self, renderer) -> None:
        if self._items:
            self.place(renderer)
        self.stale = False

    def place(self, renderer) -> None:
        from matplotlib.text import Text
        from matplotlib.transforms import Bbox

        px = renderer.points_to_pixels(1.0)
        pad = self._pad_pt * px
        inside = self.axes.get_window_extent(renderer)
        taken: list = [p.get_window_extent(renderer) for p in self._patches]
        for x, y, r in self._points:
            cx, cy = self.axes.transData.transform((x, y))
            taken.append(Bbox.from_extents(cx - r * px, cy - r * px, cx + r * px, cy + r * px))

        def area(b) -> float:
            return max(0.0, b.width) * max(0.0, b.height)

        for ann, cands, leader_after in self._items:
            best = None
            for k, cand in enumerate(cands):
                self._apply(ann, cand)
                ann.update_positions(renderer)
                box = Text.get_window_extent(ann, renderer).padded(pad)
                clipped = Bbox.intersection(box, inside)
                outside = area(box) - (area(clipped) if clipped is not None else 0.0)
                cost = 4 * outside
                for t in taken:
                    hit = Bbox.intersection(box, t)
                    cost += area(hit) if hit is not None else 0.0
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, k, box)
                if cost <= 0:
                    break
            _, k, box = best
            self._apply(ann, cands[k])
            if ann.arrow_patch is not None:
                ann.arrow_patch.set_visible(leader_after is not None and k > leader_after)
            taken.append(box)


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


def destination_code(destination: str) -> str:
    """Short code for a ``;``-joined destination (``"Lithuania;home"`` -> ``"LT+home"``).

    >>> destination_code("Lithuania;Ukraine")
    'LT+UA'
    """
    tokens = [t.strip() for t in str(destination).split(";") if t.strip()]
    codes = []
    for t in tokens:
        code = DEST_CODES.get(t.lower(), t if len(t) <= 4 else t[:3].title())
        if code not in codes:
            codes.append(code)
    return "+".join(codes)


def destination_kind(destination: str) -> str:
    """``abroad``, ``home``, ``both`` or ``unknown`` for a ``;``-joined destination.

    >>> destination_kind("Lithuania;home")
    'both'
    """
    tokens = {t.strip().lower() for t in str(destination).split(";") if t.strip()}
    tokens.discard("unknown")
    if not tokens:
        return "unknown"
    if tokens == {"home"}:
        return "home"
    return "both" if "home" in tokens else "abroad"


def _bar_width(series: pd.DataFrame) -> float:
    gran = series.attrs.get("granularity")
    if gran == "month":
        return 24.0
    if gran == "quarter":
        return 75.0
    span = (series["period"].max() - series["period"].min()).days
    return max(3.0, span / 90)


# -- releases -------------------------------------------------------------------------------


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
    bars = []
    for xi, h, lb, key in zip(x, counts, lower, keys, strict=True):
        face = to_rgba(color, 0.35) if lb else color
        (bar,) = ax.bar(xi, h, width=width, color=face, edgecolor=color, linewidth=0.8)
        bar.set_hatch(LOWER_BOUND_HATCH if lb else None)
        bar.set_gid(f"release-bar:{key}")
        bar.set_label("_lower_bound" if lb else "_exact")
        bars.append(bar)
    top = max(1, int(counts.max()))
    dests = None
    if show_destination and "destination" in series:
        dests = series["destination"].astype(str).to_numpy()
    threshold = 1 if annotate_min is None else annotate_min
    placer = _LabelPlacer(ax)
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
    _require(series, "releases")
    ax = _ax(ax)
    x = _num(series["period"]).to_numpy()
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
    placer = _LabelPlacer(ax)
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
    _legend_above(ax, ncols=legend_ncols)
    _pad_x(ax, dates)
    _date_axis(ax, dates)
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


def total_label(value, precision: str) -> str:
    """The short label of a published total: ">430", "~250", "569".

    >>> total_label(430, "at_least")
    '>430'
    """
    prefix = {"at_least": ">", "approx": "~"}.get(str(precision), "")
    return f"{prefix}{int(value):,}"


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
    placer = placer or _LabelPlacer(ax)
    placer.avoid_points([p[0] for p in points], [p[1] for p in points], 4.0)
    # Two outlets printing the same figure on the same day share a marker; one label says it.
    for xd, value, prec in dict.fromkeys(points):
        ann = ax.annotate(
            total_label(value, prec),
            (xd, value),
            xytext=_AROUND[0][0],
            textcoords="offset points",
            fontsize=_small(),
            gid="total-label",
            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=3),
        )
        placer.add(ann, [((xd, value), off, ha, va) for off, ha, va in _AROUND], leader_after=7)


# -- stock ----------------------------------------------------------------------------------


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
    ax.set_ylabel("Political prisoners held")
    ax.set_ylim(0, None)
    ax.legend(loc="lower left", ncols=3, frameon=False, fontsize=_small())
    _pad_x(ax, stock["date"])
    _date_axis(ax, stock["date"])
    return ax


# -- sanctions lanes ------------------------------------------------------------------------


def _step_style(direction: str, jurisdiction: str) -> dict:
    edge = COLORS["us_relief"] if jurisdiction == "US" else COLORS["eu_measure"]
    if direction == "easing":
        return dict(marker="o", mfc="none", mec=edge, color=edge)
    if direction == "tightening":
        return dict(
            marker="s",
            mfc=COLORS["eu_measure"],
            mec=COLORS["eu_measure"],
            color=COLORS["eu_measure"],
        )
    return dict(
        marker="o", mfc=COLORS["us_relief"], mec=COLORS["us_relief"], color=COLORS["us_relief"]
    )


def plot_relief_steps(
    measures_df: pd.DataFrame, *, stage_labels=True, ax=None, legend_ncols: int = 3
):
    """One horizontal lane per ``lane``; each measure a marker, stages of an action joined.

    US relief is a filled green circle, tightening a filled vermillion square, a border
    easing a hollow circle. Stages of one action are joined by a line with small labels
    (announced / licence / list updated / published).

    >>> ax = plot_relief_steps(measures(ds.events))  # doctest: +SKIP
    """
    from .sanctions import STAGE_LABELS

    _require(measures_df, "sanctions measures")
    ax = _ax(ax)
    m = measures_df.copy()
    lanes = list(dict.fromkeys(m["lane"]))
    y_of = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}  # first lane on top
    m["_y"] = m["lane"].map(y_of)
    m["_x"] = _num(m["date"]).to_numpy()
    stage_rows = []
    for action, grp in m.groupby("action_id", sort=False):
        if len(grp) < 2:
            continue
        grp = grp.sort_values("date")
        ax.plot(
            grp["_x"],
            grp["_y"],
            color=COLORS["neutral"],
            lw=1.2,
            zorder=1,
            gid=f"action:{action}",
            label="_nolegend_",
        )
        if stage_labels:
            for _, r in grp.iterrows():
                stage = STAGE_LABELS.get(str(r["action_stage"]), "")
                if stage:
                    stage_rows.append((r["_x"], r["_y"], stage))
    names = {"relief": "US relief step", "tightening": "tightening", "easing": "easing (reopening)"}
    for (direction, jur), grp in m.groupby(
        [m["direction"].astype(str), m["jurisdiction"].astype(str)], sort=False
    ):
        style = _step_style(direction, jur)
        ax.plot(
            grp["_x"],
            grp["_y"],
            ls="none",
            ms=7,
            zorder=3,
            gid=f"steps:{direction}:{jur}",
            label=names.get(direction, direction),
            **style,
        )
    # Stages of one action often fall on the same day or a few days apart: their labels
    # take turns above and below the lane, and move further out until they are clear.
    placer = _LabelPlacer(ax)
    placer.avoid_points(m["_x"], m["_y"], 4.0)
    for k, (sx, sy, stage) in enumerate(stage_rows):
        t = ax.annotate(
            stage,
            (sx, sy),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=_small(),
            gid="stage-label",
            arrowprops=dict(arrowstyle="-", lw=0.5, color=COLORS["neutral"], shrinkA=0, shrinkB=4),
        )
        up = [((0, 6), "center", "bottom"), ((0, -6), "center", "top")]
        if k % 2:
            up.reverse()
        sideways = [
            ((7, 5), "left", "bottom"),
            ((-7, 5), "right", "bottom"),
            ((7, -5), "left", "top"),
            ((-7, -5), "right", "top"),
        ]
        cands = [((sx, sy), off, ha, va) for off, ha, va in up + sideways]
        placer.add(t, cands, leader_after=1)
    ax.set_yticks(range(len(lanes)), [lanes[len(lanes) - 1 - i] for i in range(len(lanes))])
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    ax.set_xlabel("Date")
    ax.set_ylabel("")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles, strict=True))
    _legend_above(ax, list(uniq.values()), list(uniq.keys()), ncols=legend_ncols)
    _pad_x(ax, m["date"])
    _date_axis(ax, m["date"])
    return ax


# -- exchanges ------------------------------------------------------------------------------


def plot_exchanges(
    pairs: pd.DataFrame,
    *,
    candidates: pd.DataFrame | None = None,
    ax=None,
    legend_ncols: int = 3,
):
    """US step (upper row) -> release (lower row), one connecting line per pair.

    Link strength is in the line style: explicit solid thick, reported dashed, inferred
    dotted; candidates from :func:`belthaw.exchanges.infer_links` thin sky-blue dotted.
    The lag in days (release - US step) is written on each line. Markers of one row
    that would overlap (same or nearby days) are stacked; US contacts are diamonds,
    relief steps circles, so the two read apart without colour.

    >>> ax = plot_exchanges(exchange_pairs(ds), candidates=infer_links(ds))  # doctest: +SKIP
    """
    _require(pairs, "exchanges")
    ax = _ax(ax)
    frames = [pairs]
    if candidates is not None and len(candidates):
        frames.append(candidates)
    allp = pd.concat(frames, ignore_index=True)
    dates = pd.concat([allp["concession_date"], allp["release_date"]])
    span = max(1.0, float((dates.max() - dates.min()).days))
    # Markers closer than about their own width would sit on top of each other: those of
    # one row are stacked, US steps upwards and releases downwards, away from the lines.
    near = span * 0.03
    y_step = _stack(allp.drop_duplicates("concession_event_id"), "concession", near, +0.2)
    y_rel = _stack(allp.drop_duplicates("release_event_id"), "release", near, -0.2)
    placer = _LabelPlacer(ax)
    lag_labels = []
    for row in allp.itertuples(index=False):
        link = str(row.link)
        ls, lw, ckey = LINK_STYLES.get(link, LINK_STYLES["inferred"])
        xc = mdates.date2num(pd.Timestamp(row.concession_date).to_pydatetime())
        xr = mdates.date2num(pd.Timestamp(row.release_date).to_pydatetime())
        yc, yr = y_step[row.concession_event_id], y_rel[row.release_event_id]
        ax.plot(
            [xc, xr],
            [yc, yr],
            ls=ls,
            lw=lw,
            color=COLORS[ckey],
            zorder=1,
            gid=f"link:{link}:{row.exchange_id}",
            label="_nolegend_",
        )
        lag = int(row.lag_days)
        lag_labels.append((f"{lag:+d} d" if lag else "0 d", xc, yc, xr, yr))
    conc = allp.drop_duplicates("concession_event_id")
    rel = allp.drop_duplicates("release_event_id")
    yc_all = conc["concession_event_id"].map(y_step).to_numpy(float)
    yr_all = rel["release_event_id"].map(y_rel).to_numpy(float)
    placer.avoid_points(_num(conc["concession_date"]), yc_all, 4.5)
    placer.avoid_points(_num(rel["release_date"]), yr_all, 4.5)
    # Each lag sits on its own line: where pairs are close, the labels slide along
    # their lines to different heights instead of piling up at mid-height.
    fractions = (0.5, 0.3, 0.7, 0.15, 0.85, 0.4, 0.6, 0.22, 0.78)
    for text, xc, yc, xr, yr in lag_labels:
        t = ax.annotate(
            text,
            ((xc + xr) / 2, (yc + yr) / 2),
            xytext=(0, 0),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=_small(),
            gid="lag-label",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"),
        )
        cands = [
            ((xc + f * (xr - xc), yc + f * (yr - yc)), (0, 0), "center", "center")
            for f in fractions
        ]
        placer.add(t, cands)
    contact = ~conc["concession_kind"].astype(str).eq("sanctions_relief").to_numpy()
    for is_contact in (False, True):
        sel = contact == is_contact
        if not sel.any():
            continue
        key = "contact" if is_contact else "us_relief"
        ax.plot(
            _num(conc["concession_date"][sel]),
            yc_all[sel],
            ls="none",
            marker="D" if is_contact else "o",
            ms=6 if is_contact else 7,
            color=COLORS[key],
            zorder=3,
            gid=f"concession:{key}",
            label="US contact / appointment" if is_contact else "US relief step",
        )
    ax.plot(
        _num(rel["release_date"]),
        yr_all,
        ls="none",
        marker="s",
        ms=7,
        color=COLORS["release"],
        zorder=3,
        gid="release-points",
        label="release",
    )
    present = list(dict.fromkeys(allp["link"].astype(str)))
    handles = [
        Line2D(
            [],
            [],
            ls=LINK_STYLES[k][0],
            lw=LINK_STYLES[k][1],
            color=COLORS[LINK_STYLES[k][2]],
            label=LINK_WORDS[k],
        )
        for k in LINK_STYLES
        if k in present
    ]
    h2, _ = ax.get_legend_handles_labels()
    _legend_above(ax, handles=handles + h2, ncols=legend_ncols)
    ax.set_yticks([0, 1], ["Release", "US step"])
    lo = min(-0.3, float(yr_all.min()) - 0.25)
    hi = max(1.3, float(yc_all.max()) + 0.25)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("Date")
    ax.set_ylabel("")
    _pad_x(ax, dates)
    _date_axis(ax, dates)
    return ax


def _stack(frame: pd.DataFrame, which: str, near_days: float, step: float) -> dict:
    """Event id -> row height, stacking markers that fall within ``near_days`` of the previous."""
    base = 1.0 if which == "concession" else 0.0
    f = frame.sort_values([f"{which}_date", f"{which}_event_id"])
    out, last, level = {}, None, 0
    for eid, d in zip(f[f"{which}_event_id"], f[f"{which}_date"], strict=True):
        level = level + 1 if last is not None and (d - last).days <= near_days else 0
        out[eid] = base + level * step
        last = d
    return out


# -- claims and totals ----------------------------------------------------------------------


#: Claimed or published figure's precision -> marker in the sources figures: "more than"
#: points right, towards where the true number lies.
CLAIM_MARKERS = {**PRECISION_MARKERS, "at_least": ">"}
#: Precision -> the few characters put before a number (">50", "~50", "52").
PRECISION_PREFIX = {"at_least": ">", "approx": "~", "exact": "", "unknown": "?"}
PRECISION_WORDS = {
    "at_least": "more than",
    "exact": "exact",
    "approx": "about",
    "unknown": "unclear",
}


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
    _require(ranges_long, "claims")
    data = _claims_from_ranges(ranges_long) if "values" in ranges_long else ranges_long
    n_events = data["event_id"].nunique()
    data = disputed_claims(data, max_events, min_values=2 if disputed_only else 1)
    if data.empty:
        raise EmptySelectionError(
            f"nothing to draw: none of the {n_events} events with claims has sources "
            "that disagree on the figure"
        )
    ax = _ax(ax)
    small = _small()
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
    placer = _LabelPlacer(ax, pad_pt=0.6)
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
    _legend_above(ax, handles=handles, ncols=legend_ncols)
    labels = [f"{d:%-d %b %Y}" for d in events["date"]]
    ax.set_yticks([y_of[e] for e in events["event_id"]], labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-top - 0.2, 0.2)
    ax.set_xlim(0, xmax * 1.15)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("People released, as each source reported them")
    ax.set_ylabel("")
    return ax


#: Short verdicts at the right margin of the totals figure.
def verdict_label(verdict: str, difference) -> str:
    """``agrees`` / ``close (+13)`` / ``differs by +21`` (our sum minus the published total).

    >>> verdict_label("differs", 21)
    'differs by +21'
    """
    d = int(difference) if pd.notna(difference) else 0
    if verdict == "consistent":
        return "agrees"
    if verdict == "close":
        return f"close ({d:+,})"
    return f"differs by {d:+,}"


def short_publisher(name: str, width: int = 22) -> str:
    """A publisher name short enough for a row label.

    >>> short_publisher("The Associated Press (re-published by an unidentified site)")
    'AP'
    >>> short_publisher("Pozirk (via mstagmanager.com)")
    'Pozirk'
    """
    import re

    s = re.sub(r"\s*\(.*?\)", "", str(name)).strip()
    s = s.split(" via ")[0].strip() or str(name)
    s = {"The Associated Press": "AP", "Associated Press": "AP"}.get(s, s)
    return s if len(s) <= width else s[: width - 1].rstrip() + "…"


def plot_totals_vs_itemized(
    cmp: pd.DataFrame,
    *,
    scopes=None,
    ax=None,
    legend_ncols: int = 4,
):
    """Dumbbell per published total: published value (black) vs our itemized sum (blue).

    ``cmp`` is :func:`belthaw.claims.itemized_vs_totals` output; ``scopes`` keeps only
    totals of those scopes (in that order; None = every scope present). Rows are grouped
    by scope under a small heading, by date within a group, and labelled
    "publisher · date". The published marker's shape gives its precision; a hollow
    itemized marker is a lower bound. The verdict is written at the right margin
    ("agrees", "close (+13)", "differs by +21").

    >>> ax = plot_totals_vs_itemized(itemized_vs_totals(ds))  # doctest: +SKIP
    """
    from .claims import SCOPE_WORDS

    _require(cmp, "published totals")
    present = list(dict.fromkeys(cmp["scope"].astype(str)))
    order = [s for s in (scopes or SCOPE_WORDS) if s in present]
    order += [] if scopes else [s for s in present if s not in order]
    c = cmp[cmp["scope"].astype(str).isin(order)]
    if c.empty:
        raise EmptySelectionError(
            f"nothing to draw: no published totals of scope {', '.join(scopes or [])}; "
            f"the data has {', '.join(present)}"
        )
    ax = _ax(ax)
    small = _small()
    c = c.assign(_s=c["scope"].astype(str).map({s: i for i, s in enumerate(order)}))
    c = c.sort_values(["_s", "as_of", "total_id"]).reset_index(drop=True)
    # Slots from the top: a heading per scope, then its rows.
    slots, y = [], 0
    for scope, grp in c.groupby("_s", sort=True):
        slots.append(("head", order[scope], y))
        y += 1
        for i in grp.index:
            slots.append(("row", i, y))
            y += 1
    n = y
    ys = {}
    lo = float(min(c["value"].min(), c["itemized"].min()))
    hi = float(max(c["value"].max(), c["itemized"].max()))
    pad = (hi - lo) * 0.06 + 5
    x0 = max(0.0, lo - pad)
    for kind, key, slot in slots:
        yy = n - 1 - slot
        if kind == "head":
            ax.text(
                x0,
                yy,
                SCOPE_WORDS.get(key, key),
                ha="left",
                va="center",
                fontsize=small,
                fontstyle="italic",
                color="#4D4D4D",
                gid=f"scope-heading:{key}",
            )
            continue
        r = c.loc[key]
        ys[key] = yy
        pub, item = float(r["value"]), float(r["itemized"])
        ax.plot(
            [pub, item], [yy, yy], color=COLORS["neutral"], lw=1.2, zorder=1,
            gid=f"dumbbell:{r['total_id']}", label="_nolegend_",
        )  # fmt: skip
        lb = bool(r["itemized_is_lower_bound"])
        ax.plot(
            [item], [yy], ls="none", marker="o", ms=6.5, mew=1.2, color=COLORS["release"],
            mfc="white" if lb else COLORS["release"], zorder=2,
            gid=f"itemized:{r['total_id']}", label="_nolegend_",
        )  # fmt: skip
        ax.plot(
            [pub], [yy], ls="none", marker=CLAIM_MARKERS.get(str(r["precision"]), "s"),
            ms=4.5, color=COLORS["total"], zorder=3,
            gid=f"published:{r['total_id']}", label="_nolegend_",
        )  # fmt: skip
        ax.annotate(
            verdict_label(str(r["verdict"]), r["difference"]),
            (1.0, yy),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=small,
            color="#222222" if r["verdict"] == "differs" else "#4D4D4D",
            fontweight="bold" if r["verdict"] == "differs" else "normal",
            gid=f"verdict:{r['verdict']}",
            annotation_clip=False,
        )
    labels = [
        f"{short_publisher(c.loc[k, 'publisher'])} · {c.loc[k, 'as_of']:%-d %b %Y}" for k in ys
    ]
    ax.set_yticks(list(ys.values()), labels)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(x0, hi + pad)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("People released since the total's start date")
    ax.set_ylabel("")
    precs = [p for p in ("at_least", "exact", "approx") if p in set(c["precision"].astype(str))]
    # One legend entry for the published shapes, so the row fits the figure's width.
    shapes = tuple(
        Line2D([], [], ls="none", marker=CLAIM_MARKERS[p], ms=4.5, color=COLORS["total"])
        for p in precs
    )
    handles = [shapes, Line2D([], [], ls="none", marker="o", ms=6.5, color=COLORS["release"])]
    labels = ["published: " + " / ".join(PRECISION_WORDS[p] for p in precs), "our sum"]
    if c["itemized_is_lower_bound"].any():
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                ms=6.5,
                mew=1.2,
                color=COLORS["release"],
                mfc="white",
            )  # fmt: skip
        )
        labels.append("our sum (at least)")
    from matplotlib.legend_handler import HandlerTuple

    _legend_above(
        ax,
        handles=handles,
        labels=labels,
        ncols=legend_ncols,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.8)},
        handlelength=3.2,
    )
    return ax


# -- composite ------------------------------------------------------------------------------


def overview_figure(dataset, *, start=None, end=None, size: str = "a4-full", annotate_min=20):
    """One page, three stacked panels on a shared time axis: releases, measures, exchanges.

    Returns the Figure (not shown, not saved). Raises EmptySelectionError when no release
    falls in ``start``..``end``; an empty lower panel says so in words instead.

    >>> fig = overview_figure(belthaw.load(), start="2025-01-01")  # doctest: +SKIP
    """
    from .exchanges import exchange_pairs
    from .sanctions import measures
    from .timeline import between, release_series

    s = get_size(size)
    series = release_series(dataset.events, dataset.claims, start=start, end=end)
    _require(series, "releases")
    fig, axes = plt.subplots(
        3,
        1,
        sharex=True,
        figsize=(s.width, s.height * 1.6),
        gridspec_kw={"height_ratios": [3, 2, 2]},
        layout="constrained",
    )
    # Labels only on the larger releases: on one page every bar labelled is a wall of digits.
    plot_releases(series, annotate_min=annotate_min, ax=axes[0])
    axes[0].set_ylabel("People freed")
    meas = measures(dataset.events, start=start, end=end)
    pairs = exchange_pairs(dataset)
    pairs = pairs[between(pairs["release_date"], start, end)]
    for ax, frame, fn in ((axes[1], meas, plot_relief_steps), (axes[2], pairs, plot_exchanges)):
        try:
            fn(frame, ax=ax)
        except EmptySelectionError as err:
            ax.text(
                0.5,
                0.5,
                str(err),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=_small(),
                color=COLORS["neutral"],
                wrap=True,
                gid="empty-note",
            )
            ax.set_yticks([])
    for ax in axes[:-1]:
        ax.set_xlabel("")
    dates = pd.concat(
        [series["period"], meas["date"], pairs["concession_date"], pairs["release_date"]]
    )
    dates = dates[between(dates, start, end)]
    _pad_x(axes[0], dates, 20)
    _date_axis(axes[-1], dates)
    return fig


__all__ = [
    "plot_releases",
    "plot_cumulative",
    "plot_stock",
    "plot_relief_steps",
    "plot_exchanges",
    "plot_claim_ranges",
    "plot_totals_vs_itemized",
    "disputed_claims",
    "claim_groups",
    "overview_figure",
    "destination_code",
]
