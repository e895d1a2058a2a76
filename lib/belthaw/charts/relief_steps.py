"""Sanctions steps: one lane per jurisdiction and target; US relief against EU, Lithuanian and
Polish measures."""

from __future__ import annotations

import pandas as pd

from ..style import COLORS
from ..transforms.common import ids_by_frequency
from .axes import (
    date_axis,
    date_num,
    get_ax,
    legend_above,
    new_figure,
    pad_x,
    require_rows,
    small_font,
)
from .figtext import Built, FigureText
from .wording import fmt_month, period_span, plural
from .labels import LabelPlacer


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
    from ..transforms.sanctions import STAGE_LABELS

    require_rows(measures_df, "sanctions measures")
    ax = get_ax(ax)
    m = measures_df.copy()
    lanes = list(dict.fromkeys(m["lane"]))
    y_of = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}  # first lane on top
    m["_y"] = m["lane"].map(y_of)
    m["_x"] = date_num(m["date"]).to_numpy()
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
    placer = LabelPlacer(ax)
    placer.avoid_points(m["_x"], m["_y"], 4.0)
    for k, (sx, sy, stage) in enumerate(stage_rows):
        t = ax.annotate(
            stage,
            (sx, sy),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=small_font(),
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
    legend_above(ax, list(uniq.values()), list(uniq.keys()), ncols=legend_ncols)
    pad_x(ax, m["date"])
    date_axis(ax, m["date"])
    return ax


def relief_text(measures_df, *, start=None, end=None) -> FigureText:
    """Words for the sanctions-steps lanes.

    >>> relief_text(measures(ds.events)).title  # doctest: +SKIP
    'The US took 3 relief steps on Belavia and potash while neighbours tightened 2 times'
    """
    direction = measures_df["direction"].astype(str)
    us = measures_df["jurisdiction"].astype(str) == "US"
    relief = measures_df[us & (direction == "relief")]
    tight = measures_df[direction == "tightening"]
    easing = measures_df[direction == "easing"]
    start, end = period_span(measures_df["date"], start, end)
    fronts = list(dict.fromkeys(relief["lane"].str.split(" · ").str[-1]))
    front_words = " and ".join([", ".join(fronts[:-1]), fronts[-1]] if len(fronts) > 1 else fronts)
    from ..transforms.sanctions import count_actions

    # Actions, not dated rows: a licence, its list update and its Federal Register printing
    # are one decision.
    n_relief, n_tight = count_actions(relief), count_actions(tight)
    title = f"The US took {plural(n_relief, 'relief action')}"
    if front_words:
        title += f" on {front_words}"
    if n_tight:
        who = sorted(set(tight["jurisdiction"].astype(str)))
        if "US" in who and len(relief):
            # "the US took relief steps while ... the US tightened" reads as a contradiction.
            who = [c for c in who if c != "US"] + ["US itself"]
        title += f" while {_who(who)} tightened {plural(n_tight, 'time')}"
    subtitle = (
        f"Sanctions and border measures, {fmt_month(start)} to {fmt_month(end)}; "
        "one row per jurisdiction and target"
    )
    caption = (
        "Each marker is one dated step. Filled circles: US relief; filled squares: "
        "tightening; hollow circles: a border or transit reopening. A line joins the stages "
        "of one action (announced, licence, list updated)."
    )
    actions = measures_df.groupby("action_id").size()
    alt = (
        f"Lane chart with {plural(measures_df['lane'].nunique(), 'lane')}: "
        f"{plural(len(relief), 'US relief step')}, {plural(len(tight), 'tightening step')} "
        f"and {plural(len(easing), 'easing step')} from {fmt_month(start)} to {fmt_month(end)}; "
        f"{plural(int((actions > 1).sum()), 'action')} with more than one stage."
    )
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=(),
        source_ids=ids_by_frequency(measures_df["source_ids"].astype(str)),
    )


def _who(codes: list[str]) -> str:
    names = {
        "EU": "the EU",
        "LT": "Lithuania",
        "PL": "Poland",
        "US": "the US",
        "US itself": "the US itself",
    }
    words = [names.get(c, c) for c in codes]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def build(data, p) -> Built:
    """US relief steps per instrument, each action's dates joined; EU/LT/PL measures beside them."""
    from ..transforms.sanctions import measures

    def draw():
        m = measures(
            data.events,
            jurisdictions=tuple(p.jurisdictions),
            show_tightening=p.show_tightening,
            start=p.start or None,
            end=p.end or None,
        )
        fig, ax = new_figure(p.size)
        plot_relief_steps(m, ax=ax)
        return fig, relief_text(m, start=p.start or None, end=p.end or None)

    return drawn(Built("02-relief-steps", p.size), draw)
