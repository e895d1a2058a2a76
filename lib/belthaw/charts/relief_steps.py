"""02-relief-steps: one lane per jurisdiction and target; US relief beside EU, Lithuanian
and Polish measures. The frame is :func:`belthaw.transforms.sanctions.measures` output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..style import COLORS, house_style
from ..transforms.common import ids_by_frequency
from ..transforms.sanctions import STAGE_LABELS, relief_finding
from .axes import (
    date_axis,
    date_num,
    get_ax,
    is_short,
    is_short_size,
    legend_above,
    new_figure,
    pad_x,
    require_rows,
    small_font,
)
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import Mark, how_to_read, legend_handles
from .wording import MAX_NOTES, fmt_month, long_day, period_span, plural

NAME = "02-relief-steps"
_GREEN, _RED, _GREY = COLORS["us_relief"], COLORS["eu_measure"], COLORS["neutral"]
_BAND = "#F0F0F0"  # every other lane is shaded, so a label reads as its own lane's

#: The encoding table: one row per mark, in legend and caption order. A relief stage only
#: announced is a ring, not a dot, and the title counts it apart from relief issued.
MARKS: tuple[Mark, ...] = (
    Mark("relief-issued", "marker", "US relief issued",
         "a filled green circle is US relief issued (a licence, a delisting or its publication)",
         dict(marker="o", ms=6, color=_GREEN, mec=_GREEN)),
    Mark("relief-announced", "marker", "US relief announced",
         "a green ring is relief only announced, not yet issued",
         dict(marker="o", ms=10, mfc="none", mec=_GREEN, mew=1.4, color=_GREEN)),
    Mark("tightening", "marker", "sanctions tightened",
         "a filled square is a sanctions tightening (new listings or measures)",
         dict(marker="s", ms=6, color=_RED, mec=_RED)),
    Mark("renewal", "marker", "sanctions renewed",
         "a hollow square is a renewal that keeps the measures in force, not counted as a tightening",
         dict(marker="s", ms=6, mfc="none", mec=_RED, mew=1.2, color=_RED)),
    Mark("border_closure", "marker", "border closed",
         "a grey down-triangle is a border or transit closure (not a sanction, not counted)",
         dict(marker="v", ms=7, color=_GREY, mec=_GREY)),
    Mark("border_reopening", "marker", "border reopened",
         "a hollow up-triangle is a reopening",
         dict(marker="^", ms=7, mfc="none", mec=_GREY, mew=1.2, color=_GREY)),
    Mark("stages", "line", "stages of one action",
         "a grey line joins the stages of one action on different days",
         dict(color=_GREY, lw=1.2)),
)  # fmt: skip
_BY_KEY = {m.key: m for m in MARKS}

#: Stages of one action this many days apart or closer share one label.
STAGE_DAYS = 7


def _mark_keys(frame: pd.DataFrame) -> pd.Series:
    """The :data:`MARKS` key of each row."""
    d = frame["direction"].astype(str)
    return d.where(d != "relief", "relief-" + frame["status"].astype(str))


def _staged(frame: pd.DataFrame) -> pd.Series:
    """Rows of actions with more than one stage (the rows that get stage labels)."""
    return frame.groupby("action_id")["event_id"].transform("size") > 1


def _joined(frame: pd.DataFrame) -> pd.Series:
    """Rows of actions whose stages fall on more than one day (joined by a line)."""
    return frame.groupby("action_id")["date"].transform("nunique") > 1


def marks_drawn(frame: pd.DataFrame) -> list[str]:
    """The keys of :data:`MARKS` that this frame puts on the chart, in table order."""
    keys = {*_mark_keys(frame), *(["stages"] if _joined(frame).any() else [])}
    return [m.key for m in MARKS if m.key in keys]


#: What a row is, in the subtitle, for each kind of lane :func:`plot_relief_steps` draws.
LANE_WORDS = {
    "instrument": "one row per jurisdiction and target",
    "jurisdiction": "one row per jurisdiction",
    "side": "one row for the US, one for Europe",
}


def lane_names(frame: pd.DataFrame, lanes: str) -> pd.Series:
    """The lane each measure is drawn in, for ``lanes`` (a key of :data:`LANE_WORDS`)."""
    if lanes == "side":
        return frame["jurisdiction"].eq("US").map({True: "US", False: "Europe"})
    return frame["lane"].str.split(" · ").str[0] if lanes == "jurisdiction" else frame["lane"]


def default_lanes(size: str) -> str:
    """The lanes a figure of ``size`` gets: by jurisdiction on a short one (see ``is_short``)."""
    return "jurisdiction" if is_short_size(size) else "instrument"


def plot_relief_steps(
    frame: pd.DataFrame,
    *,
    color: str | None = None,
    lanes: str | None = None,
    legend: bool = True,
    ax=None,
    **kwargs,
):
    """One horizontal lane per ``lane``; each measure a marker (see :data:`MARKS`).

    Stages of one action get small labels (licence / list updated / published; the
    ring already says "announced"), kept inside their own lane, and a grey line joins
    stages on different days. ``color`` replaces the US relief colour; other keyword
    arguments go to the markers' ``Axes.plot``. ``lanes`` is ``"instrument"`` (one lane
    per jurisdiction and instrument, the default) or ``"jurisdiction"`` (one per
    jurisdiction, the default on a short figure, where seven lanes' names cannot fit one
    above the other) or ``"side"`` (two lanes: the US and the European measures).
    ``legend=False`` leaves the legend out (a panel whose caption points to this chart).
    """
    require_rows(frame, "sanctions measures")
    ax = get_ax(ax)
    marks = {
        k: m.restyled(**{s: color for s, v in m.style.items() if v == _GREEN})
        if color and k.startswith("relief-") else m
        for k, m in _BY_KEY.items()
    }  # fmt: skip
    lane = lane_names(frame, lanes or ("jurisdiction" if is_short(ax) else "instrument"))
    names = list(dict.fromkeys(lane))
    y_of = {name: len(names) - 1 - i for i, name in enumerate(names)}  # first lane on top
    y = lane.map(y_of).to_numpy(float)
    x = date_num(frame["date"]).to_numpy()
    for name, yi in y_of.items():
        if yi % 2 == (len(names) - 1) % 2:
            ax.axhspan(yi - 0.5, yi + 0.5, color=_BAND, lw=0, zorder=0, gid=f"lane-band:{name}")
    for action in dict.fromkeys(frame.loc[_joined(frame), "action_id"]):
        sel = (frame["action_id"] == action).to_numpy()
        ax.plot(x[sel], y[sel], zorder=1, gid=f"action:{action}", label="_nolegend_",
                **marks["stages"].style)  # fmt: skip
    keys = _mark_keys(frame).to_numpy()
    for key in dict.fromkeys(keys):
        sel = keys == key
        # The ring of an announcement is drawn over a dot issued the same day.
        z = 4 if key == "relief-announced" else 3
        ax.plot(x[sel], y[sel], ls="none", zorder=z, gid=f"steps:{key}", label="_nolegend_",
                **(marks[key].style | kwargs))  # fmt: skip
    staged = _staged(frame).to_numpy()
    groups = _stage_groups(frame[staged], x[staged], y[staged])
    _stage_labels(ax, groups, (x, y))
    ax.set_yticks(range(len(names)), names[::-1])
    ax.set_ylim(-0.5, len(names) - 0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    ax.set(xlabel="Date", ylabel="")
    if legend:
        legend_above(ax, handles=legend_handles(marks[k] for k in marks_drawn(frame)))
    # Room on the right for a label beside the last marker (about 6 days a character).
    ends = pd.Series([gx + 6 * len(w) + 10 for gx, _, w in groups], dtype=float)
    pad_x(ax, pd.concat([frame["date"], pd.to_datetime(ends, unit="D", origin="1970-01-01")]))
    date_axis(ax, frame["date"])
    return ax


def _stage_groups(staged: pd.DataFrame, x, y) -> list[tuple[float, float, str]]:
    """(x, y, words) of each stage label: one per action and run of stages at most
    :data:`STAGE_DAYS` apart, at the run's last marker. "announced" is not written: the
    ring already says it."""
    words = staged["action_stage"].astype(object).map(STAGE_LABELS).fillna("")
    g = pd.DataFrame({"action": staged["action_id"].to_numpy(), "x": x, "y": y,
                      "w": words.replace("announced", "").to_numpy()})  # fmt: skip
    run = g.groupby("action")["x"].diff().gt(STAGE_DAYS).groupby(g["action"]).cumsum()
    joined = ("w", lambda w: " + ".join(p for p in dict.fromkeys(w) if p))
    out = g.groupby([g["action"], run], sort=False).agg(x=("x", "last"), y=("y", "first"), w=joined)
    return [(gx, gy, w) for gx, gy, w in zip(out["x"], out["y"], out["w"], strict=True) if w]


def _stage_labels(ax, groups, points) -> None:
    """The stage labels, inside their lane's band, so a label never sits nearer to the
    next lane than to its own."""
    placer = LabelPlacer(ax)
    placer.avoid_points(points[0], points[1], 5.0)
    # Beside the marker on the lane's own line; above or below only when both sides are
    # taken, and then only a few points off the line. Under the markers (over the lines):
    # where no spot is free, a label's box never hides a measure, the data it annotates.
    spots = [((8, 0), "left", "center"), ((-8, 0), "right", "center"),
             ((0, 5), "center", "bottom"), ((0, -5), "center", "top")]  # fmt: skip
    for sx, sy, text in groups:
        t = ax.annotate(text, (sx, sy), xytext=(8, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=small_font(), gid="stage-label", zorder=2.5,
                        bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8))  # fmt: skip
        placer.add(t, [((sx, sy), off, ha, va) for off, ha, va in spots])


_NAMES = {"EU": "the EU", "LT": "Lithuania", "PL": "Poland", "US": "the US"}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _title(f: dict) -> str:
    """The finding: relief issued and announced, in actions; sanctions tightening, in actions."""
    parts = []
    if f["issued"]:
        parts.append(
            f"The US issued {plural(f['issued'], 'relief action')} on {_and(f['fronts_issued'])}"
        )
    if f["announced"]:
        more = "more " if f["issued"] else ""
        lead = "and announced" if f["issued"] else "The US announced"
        n = f["announced"] if f["issued"] else plural(f["announced"], "relief action")
        parts.append(f"{lead} {n} {more}on {_and(f['fronts_announced'])}")
    title = " ".join(parts) if parts else "No US relief in the selection"
    if f["tightening"]:
        who = [_NAMES.get(c, c) for c in f["tightened_by"]]
        if "US" in f["tightened_by"] and parts:
            # "the US issued relief ... the US tightened" reads as a slip; it is not one.
            who = [w for w in who if w != "the US"] + ["the US itself"]
        title += f"; {_and(who)} tightened sanctions {plural(f['tightening'], 'time')}"
    return title


def relief_steps_text(
    frame: pd.DataFrame, *, start=None, end=None, size: str = "a4-full", lanes: str | None = None
) -> FigureText:
    """The words of 02-relief-steps, every number counted from ``frame`` as drawn at ``size``
    (a short size draws one lane per jurisdiction, and the words say so)."""
    require_rows(frame, "sanctions measures")
    f = relief_finding(frame)
    lanes = lanes or default_lanes(size)
    start, end = period_span(frame["date"], start, end)
    direction = frame["direction"].astype(str)
    what = (
        "Sanctions and border measures"
        if direction.str.startswith("border").any()
        else "Sanctions measures"
    )
    if set(direction) == {"relief"} and frame["jurisdiction"].astype(str).eq("US").all():
        what = "US sanctions relief"
    subtitle = (
        f"{what}, {fmt_month(start)} to {fmt_month(end)}; {LANE_WORDS[lanes]}; "
        "counted in actions (the stages of one decision count once)"
    )
    caption = "Each marker is one dated step. " + how_to_read(MARKS, marks_drawn(frame))
    staged = frame[_staged(frame)]
    groups = _stage_groups(staged, date_num(staged["date"]).to_numpy(), np.zeros(len(staged)))
    stages = list(dict.fromkeys(w for *_, text in groups for w in text.split(" + ")))
    if stages:
        caption += f" Small labels name the stages ({_and(stages)})."
    counted = [
        f"{plural(f['issued'], 'US relief action')} issued" if f["issued"] else "",
        f"{plural(f['announced'], 'US relief action')} only announced" if f["announced"] else "",
        plural(f["tightening"], "sanctions tightening") if f["tightening"] else "",
        plural(f["renewals"], "renewal") if f["renewals"] else "",
        plural(f["border"], "border measure") if f["border"] else "",
    ]
    alt = (
        f"Lane chart with {plural(lane_names(frame, lanes).nunique(), 'lane')} from {fmt_month(start)} to "
        f"{fmt_month(end)}: {_and([c for c in counted if c] or ['no US relief'])}; "
        f"{plural(len(frame), 'dated step')} in all."
    )
    pending = frame[(direction == "relief") & frame["action_status"].eq("announced")]
    notes = [
        f"Relief on {grp['lane'].iloc[0].split(' · ')[-1]} was announced on "
        f"{long_day(grp['date'].min())}; no licence or delisting is recorded yet."
        for _, grp in pending.groupby("action_id", sort=False)
    ]
    return FigureText(
        title=_title(f),
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes[:MAX_NOTES]),
        source_ids=ids_by_frequency(frame["source_ids"].astype(str)),
    )


def draw(frame: pd.DataFrame, *, size: str = "a4-full", color: str | None = None, **kwargs):
    """The 02-relief-steps figure at ``size``; keyword arguments go to :func:`plot_relief_steps`."""
    require_rows(frame, "sanctions measures")
    fig, ax = new_figure(size)
    with house_style(size):
        plot_relief_steps(frame, color=color, ax=ax, **kwargs)
    return fig
