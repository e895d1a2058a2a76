"""Concession for release: each US step joined to the release it is paired with."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.lines import Line2D

from ..errors import EmptySelectionError
from ..style import COLORS
from ..transforms.common import between, ids_by_frequency
from .base import (
    Built,
    FigureText,
    _ax,
    _date_axis,
    _legend_above,
    _month,
    _num,
    _pad_x,
    _period,
    _plural,
    _require,
    _small,
    drawn,
    new_figure,
)
from .labels import LabelPlacer

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
    placer = LabelPlacer(ax)
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


def exchanges_text(pairs, candidates=None, *, window_days: int = 0) -> FigureText:
    """Words for the exchanges chart (US step -> release pairs and candidate links).

    >>> exchanges_text(exchange_pairs(ds), infer_links(ds)).title  # doctest: +SKIP
    '4 releases came within 1 day of a US step; 2 were openly described as a trade'
    """
    n = len(pairs)
    lag = pairs["lag_days"].astype(float)
    max_abs = int(lag.abs().max()) if n else 0
    n_explicit = int((pairs["link"].astype(str) == "explicit").sum())
    # One release can answer several US steps (a visit, a licence, a call): the finding
    # counts releases, each by its closest US step.
    closest = pairs.assign(_abs=lag.abs()).groupby("release_event_id")["_abs"].min()
    n_rel = len(closest)
    n_near = int((closest <= 1).sum())
    n_trade = pairs.loc[pairs["link"].astype(str) == "explicit", "release_event_id"].nunique()
    share = f"All {n_rel:,}" if n_near == n_rel > 1 else f"{n_near:,} of {n_rel:,}"
    title = (
        f"{share} {'release' if n_rel == 1 else 'releases'} linked to a US step came within a day "
        f"of it; {n_trade:,} {'was' if n_trade == 1 else 'were'} openly described as a trade"
    )
    dates = pd.concat([pairs["concession_date"], pairs["release_date"]])
    start, end = _period(dates)
    window = window_days
    subtitle = (
        f"US steps (relief, visits, calls, appointments) and releases, {_month(start)} to "
        f"{_month(end)}; lag = release date minus US step date"
    )
    caption = (
        "Upper row: US steps; lower row: releases. A line joins each pair: solid thick when a "
        "source calls it a trade, dashed when sources report them together, dotted when it is "
        "our inference. Numbers on the lines are the lag in days (+ = release came after). "
        "Circles are sanctions relief, diamonds visits, calls and appointments; markers on "
        "the same or nearby days are stacked."
    )
    n_cand = 0 if candidates is None else len(candidates)
    if n_cand:
        caption += (
            f" Thin sky-blue dotted lines are candidate pairs within ±{window} days that "
            "are not recorded as exchanges."
        )
    med = 0 if not n else int(round(float(lag.median())))
    alt = (
        f"Two-row timeline with {_plural(n, 'recorded pair')} ({n_explicit} explicit) "
        f"linking {_plural(n_rel, 'release')} to US steps; median "
        f"lag {_plural(med, 'day')}, longest {_plural(max_abs, 'day')}"
        + (f"; {_plural(n_cand, 'candidate pair')} also drawn." if n_cand else ".")
    )
    notes = []
    n_inf = int((pairs["link"].astype(str) == "inferred").sum())
    if n_inf:
        verb = "rests" if n_inf == 1 else "rest"
        notes.append(f"{_plural(n_inf, 'pair')} {verb} on our own reading, not a source's word.")
    if n_cand:
        notes.append(
            f"{_plural(n_cand, 'candidate pair')} fall within ±{window} days but are timing only."
        )
    ids = [pairs["source_ids"].astype(str)]
    if n_cand:
        ids.append(candidates["source_ids"].astype(str))
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes),
        source_ids=ids_by_frequency(*ids),
    )


def exchange_table(data, p) -> pd.DataFrame:
    """The pairs shown in the exchanges figure, with their evidence, as a table for briefings."""
    from ..transforms.exchanges import exchange_pairs, infer_links

    pairs = exchange_pairs(data, link_strengths=tuple(p.link_strengths))
    window = p.infer_window_days
    if window > 0:
        pairs = pd.concat([pairs, infer_links(data, window_days=window)], ignore_index=True)
    cols = [
        "exchange_id", "concession_date", "concession_title", "release_date", "release_title",
        "release_count", "lag_days", "link", "evidence", "rationale",
    ]  # fmt: skip
    pairs = _in_window(pairs, p)
    out = pairs[cols].sort_values(["release_date", "concession_date"]).reset_index(drop=True)
    out["concession_date"] = out["concession_date"].dt.strftime("%Y-%m-%d")
    out["release_date"] = out["release_date"].dt.strftime("%Y-%m-%d")
    return out


def _in_window(pairs: pd.DataFrame, p) -> pd.DataFrame:
    """Pairs whose release falls between the ``start`` and ``end`` parameters."""
    return pairs[between(pairs["release_date"], p.start or None, p.end or None)]


def build(data, p) -> Built:
    """Each US step paired with the release it answered; lag in days, link as line style."""
    from ..transforms.exchanges import exchange_pairs, infer_links

    built = Built("03-exchanges", p.size)

    def draw():
        pairs = _in_window(exchange_pairs(data, link_strengths=tuple(p.link_strengths)), p)
        window = p.infer_window_days
        candidates = _in_window(infer_links(data, window_days=window), p) if window > 0 else None
        if not len(pairs):
            raise EmptySelectionError(
                "no exchanges with link strength "
                f"{', '.join(p.link_strengths) or '(none chosen)'}; "
                "choose from explicit, reported, inferred"
            )
        fig, ax = new_figure(p.size)
        plot_exchanges(pairs, candidates=candidates, ax=ax)
        built.tables["pairs"] = exchange_table(data, p)
        return fig, exchanges_text(pairs, candidates, window_days=window)

    return drawn(built, draw)
