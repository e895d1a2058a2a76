"""Concession for release, as a labelled ladder: one row per exchange, named in words.

Each row joins what the US did (named at the left) to what Minsk gave (named at the
right) on a shared date axis, so the length of the line is the lag, which is also
written beside it. A release that answered several US steps on the same or nearby
days is one row (the steps joined with "+"), not a stack of markers. Line style is
how firmly the link is sourced; every row also carries a faint guide in that style,
because a same-day pair has no line to style.

The encoding lives in :data:`MARKS` only: the legend and the caption's "how to read
it" are both generated from it.

This module is longer than 500 lines on purpose: the rows (grouping, short labels,
lag words), the encoding table, the drawing and the words counted from the rows
are one unit, so the title's numbers and the rows drawn cannot drift apart. The
row model is pure and could move to ``transforms/exchanges.py`` if another chart
ever needs it.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from ..errors import EmptySelectionError
from ..style import COLORS
from ..transforms.common import between, ids_by_frequency
from .axes import date_axis, get_ax, legend_above, new_figure, require_rows, small_font
from .figtext import Built, FigureText
from .marks import Mark, how_to_read, legend_handles
from .wording import fmt_month, plural
from .labels import LabelPlacer

#: The encoding, once. Order = legend order = order of the caption's sentence.
MARKS: tuple[Mark, ...] = (
    Mark(
        "explicit",
        "line",
        "stated trade",
        "a solid line is a trade a source states outright",
        dict(ls="-", lw=2.4, color=COLORS["total"]),
    ),
    Mark(
        "reported",
        "line",
        "reported together",
        "a dashed line, a step and a release sources report together",
        dict(ls="--", lw=1.6, color=COLORS["total"]),
    ),
    Mark(
        "inferred",
        "line",
        "our inference",
        "a dotted line, a pairing that is our own reading",
        dict(ls=":", lw=1.8, color=COLORS["total"]),
    ),
    Mark(
        "candidate",
        "line",
        "lead, not a finding",
        "a thin sky-blue line, a pair found by timing alone (a lead, not a finding)",
        dict(ls=(0, (1, 1.5)), lw=1.1, color=COLORS["inferred"]),
    ),
    Mark(
        "us_relief",
        "marker",
        "US relief",
        "green circles are US sanctions relief",
        dict(marker="o", ms=8, color=COLORS["us_relief"]),
    ),
    Mark(
        "contact",
        "marker",
        "US visit or call",
        "orange diamonds US visits, calls and appointments",
        dict(marker="D", ms=7, color=COLORS["contact"]),
    ),
    Mark(
        "release",
        "marker",
        "release",
        "blue squares releases",
        dict(marker="s", ms=5.5, color=COLORS["release"]),
    ),
)
_BY_KEY = {m.key: m for m in MARKS}
#: Firmest first: a row that groups several links takes the style of its firmest one.
LINK_ORDER = ("explicit", "reported", "inferred", "candidate")
#: US steps this many days apart or closer, answered by one release, are one row.
GROUP_DAYS = 3
#: The faint guide drawn across each row, in the row's line style.
_GUIDE = dict(color="#BBBBBB", lw=0.8)

#: Lines of small type the plotting area holds at each size, gaps between rows included
#: (measured on the rendered figures): grouped rows drop to fewer lines beyond it.
LINE_BUDGET = {"a4-half": 13.5, "a4-full": 17.5, "slide": 22.0, "a4-page": 40.0}

#: How much of a row's US step words fit, by figure size: (characters per line, lines).
#: Single steps are short enough for one line everywhere; a grouped row's steps wrap
#: onto more lines where the figure is tall enough, and otherwise name what fits and
#: count the rest ("+ 2 more"; the table beside the figure lists them all).
LABEL_FIT = {"a4-half": (36, 1), "a4-full": (36, 2), "slide": (44, 3), "a4-page": (40, 3)}

ROW_COLUMNS = [
    "row",
    "us_step",
    "release",
    "step_date",
    "release_date",
    "lag_days",
    "lag_words",
    "link",
    "marker",
    "n_steps",
    "exchange_ids",
    "source_ids",
]


# -- rows -------------------------------------------------------------------------------------


def _first_words(title: str, max_chars: int = 34) -> str:
    """The title cut at a word boundary to ``max_chars`` (the fallback short label)."""
    title = " ".join(str(title).split())
    if len(title) <= max_chars:
        return title
    cut = title[: max_chars + 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def _release_words(count, destination: str) -> str:
    """'52 freed to Lithuania' from a release's count and destination (fallback label)."""
    n = "" if pd.isna(count) else f"{int(float(count)):,} "
    where = [d.strip() for d in str(destination or "").split(";") if d.strip()]
    where = [d for d in where if d.lower() != "unknown"]
    if not where:
        return f"{n}freed".strip()
    if where == ["home"]:
        return f"{n}freed, stay in Belarus"
    abroad = [d for d in where if d.lower() != "home"]
    if len(abroad) == 1:
        return f"{n}freed to {abroad[0]}"
    return f"{n}freed to {' and '.join(abroad)}"


def short_labels(events: pd.DataFrame) -> pd.Series:
    """A few words per event, by event id: ``short_label`` where the data has one.

    Without it (older data packages, or a blank cell) a US step is named by the first
    words of its title and a release by its count and destination.
    """
    ev = events.set_index("event_id")
    has = (
        ev["short_label"].astype(object).where(ev["short_label"].notna(), "").astype(str)
        if "short_label" in ev.columns
        else pd.Series("", index=ev.index)
    ).str.strip()
    is_release = ev["kind"].astype(str).eq("release")
    dest = ev["destination"] if "destination" in ev.columns else pd.Series("", index=ev.index)
    derived = pd.Series(
        [
            _release_words(c, d) if r else _first_words(t)
            for r, c, d, t in zip(
                is_release, ev["count"], dest.fillna(""), ev["title"], strict=True
            )
        ],
        index=ev.index,
    )
    return has.where(has != "", derived)


def lag_words(lag_days: int, months: int | None = None) -> str:
    """The lag in words, counted from the US step to the release.

    ``months`` (calendar months from step to release) is given when a date is known
    only to the month: such a date cannot give a lag in days.

    >>> lag_words(0), lag_words(13), lag_words(-44), lag_words(1), lag_words(29, months=0)
    ('same day', '13 days later', '44 days earlier', '1 day later', 'same month')
    """
    if months is not None:
        if months == 0:
            return "same month"
        return f"about {plural(abs(months), 'month')} {'later' if months > 0 else 'earlier'}"
    if lag_days == 0:
        return "same day"
    return f"{plural(abs(int(lag_days)), 'day')} {'later' if lag_days > 0 else 'earlier'}"


def exchange_rows(pairs: pd.DataFrame, events: pd.DataFrame, candidates=None) -> pd.DataFrame:
    """One row per exchange drawn: a release with the US steps it answered on nearby days.

    Pairs sharing a release whose US steps fall within :data:`GROUP_DAYS` of each other
    are one row; candidate pairs are never grouped with recorded ones. A row's lag is
    that of its closest step, its link the firmest of its pairs. Rows are ordered by
    their earlier date (step or release), top to bottom.
    """
    frames = [pairs] + ([candidates] if candidates is not None and len(candidates) else [])
    allp = pd.concat(frames, ignore_index=True)
    if not len(allp):
        return pd.DataFrame(columns=ROW_COLUMNS)
    labels = short_labels(events)
    prec = events.set_index("event_id")["date_precision"].astype(str)
    allp = allp.assign(
        _cand=allp["link"].astype(str).eq("candidate"),
        _rank=allp["link"].astype(str).map({k: i for i, k in enumerate(LINK_ORDER)}),
        _relief=allp["concession_kind"].astype(str).eq("sanctions_relief"),
    )
    # Relief first (what the US gave), then firmer links, then by date: the row's
    # first words are its most substantial step.
    allp = allp.sort_values(
        ["release_event_id", "_cand", "concession_date", "exchange_id"], kind="stable"
    ).reset_index(drop=True)
    group = np.zeros(len(allp), dtype=int)
    g, last = -1, None
    for i, (rel, cand, d) in enumerate(
        zip(allp["release_event_id"], allp["_cand"], allp["concession_date"], strict=True)
    ):
        key = (rel, cand)
        if last is None or key != last[0] or (d - last[1]).days > GROUP_DAYS:
            g += 1
        group[i] = g
        last = (key, d)
    allp["_group"] = group
    rows = []
    for _, grp in allp.groupby("_group", sort=True):
        grp = grp.sort_values(
            ["_relief", "_rank", "concession_date", "exchange_id"],
            ascending=[False, True, True, True],
            kind="stable",
        )
        steps = list(dict.fromkeys(grp["concession_event_id"]))
        lag = grp["lag_days"].astype(int)
        closest = grp.loc[(lag.abs() + (lag < 0) * 0.5).idxmin()]
        month = any(prec.get(e, "day") == "month" for e in [*steps, closest.release_event_id])
        rd, sd = pd.Timestamp(closest.release_date), pd.Timestamp(closest.concession_date)
        months = (rd.year * 12 + rd.month) - (sd.year * 12 + sd.month) if month else None
        link = LINK_ORDER[int(grp["_rank"].min())]
        rows.append(
            {
                "us_step": " + ".join(labels[s] for s in steps),
                "steps": tuple(labels[s] for s in steps),
                "release": labels[closest.release_event_id],
                "step_date": grp["concession_date"].min(),
                "step_end": grp["concession_date"].max(),
                "release_date": closest.release_date,
                "lag_days": int(closest.lag_days),
                "lag_words": lag_words(int(closest.lag_days), months),
                "link": link,
                "marker": "us_relief" if grp["_relief"].any() else "contact",
                "n_steps": len(steps),
                "exchange_ids": ";".join(sorted(grp["exchange_id"].astype(str))),
                "source_ids": ";".join(grp["source_ids"].astype(str)),
            }
        )
    out = pd.DataFrame(rows)
    out["_first"] = out[["step_date", "release_date"]].min(axis=1)
    out = out.sort_values(
        ["_first", "release_date", "step_date", "exchange_ids"], kind="stable"
    ).reset_index(drop=True)
    out["row"] = np.arange(1, len(out) + 1)
    return out.drop(columns="_first")[ROW_COLUMNS + ["steps", "step_end"]]


def _row_label(steps: tuple[str, ...], width: int, lines: int) -> str:
    """The US step words of a row in at most ``lines`` lines of ``width`` characters.

    Lines break between steps, never inside one. When not every step fits, the row
    names the steps that do, shortest first, and counts the rest ("+ 2 more").

    >>> _row_label(("Coale visit", "Potash licence (GL 13)"), 40, 1)
    'Coale visit + Potash licence (GL 13)'
    >>> _row_label(("Coale announces potash relief", "Potash licence (GL 13)"), 36, 1)
    'Potash licence (GL 13) + 1 more'
    """
    steps = tuple(_first_words(st, width) for st in steps)
    packed = _pack(steps, width)
    if len(packed) <= lines:
        return "\n".join(packed)
    short = sorted(steps, key=len)
    for k in range(len(steps) - 1, 0, -1):
        packed = _pack((*short[:k], f"{len(steps) - k} more"), width)
        if len(packed) <= lines:
            return "\n".join(packed)
    return _first_words(short[0], width)


def _pack(parts: tuple[str, ...], width: int) -> list[str]:
    """Parts joined with " + ", a new line started (after a trailing "+") when one is full."""
    out: list[str] = []
    for part in parts:
        if out and len(out[-1]) + 3 + len(part) <= width:
            out[-1] += " + " + part
        elif out:
            out[-1] += " +"
            out.append(part)
        else:
            out.append(part)
    return out


# -- drawing ----------------------------------------------------------------------------------


def _x(d) -> float:
    return float(mdates.date2num(pd.Timestamp(d).to_pydatetime()))


#: Where a row's words go. "columns": US step left of the axes, release right of it
#: (the chart alone). "inline": both inside the axes beside the row's marks, so a
#: panel sharing its time axis with others (the overview) keeps their full width.
#: "strip": no words, for a panel too short to hold one line per row.
LAYOUTS = ("columns", "inline", "strip")


def plot_exchanges(
    rows: pd.DataFrame,
    *,
    ax=None,
    fit: tuple[int, int] = (36, 1),
    layout: str = "columns",
    legend_ncols: int = 3,
    marker_legend: bool = True,
    line_budget: float = 99.0,
):
    """The ladder: one row per exchange, US step named at the left, release at the right.

    ``rows`` come from :func:`exchange_rows`; ``fit`` is (characters per line, lines)
    for the US step words (see :data:`LABEL_FIT`); ``layout`` one of :data:`LAYOUTS`.

    >>> ax = plot_exchanges(exchange_rows(exchange_pairs(ds), ds.events))  # doctest: +SKIP
    """
    require_rows(rows, "exchanges")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    ax = get_ax(ax)
    small = small_font()
    # Fewer lines per grouped row when many rows share the height (candidates added).
    width, max_lines = fit
    for n_lines in range(max_lines, 0, -1):
        labels = [
            # A candidate row says on its face that it is a lead, not a finding.
            ("lead: " if link == "candidate" else "")
            + _row_label(tuple(st), width - 6 * (link == "candidate"), n_lines)  # fmt: skip
            for st, link in zip(rows["steps"], rows["link"].astype(str), strict=True)
        ]
        if sum(lab.count("\n") + 1.45 for lab in labels) <= line_budget or n_lines == 1:
            break
    if layout == "inline":
        labels = [
            f"{_row_label(tuple(s), fit[0], 1)} →\n{_first_words(r, fit[0])}, {w}"
            for s, r, w in zip(rows["steps"], rows["release"], rows["lag_words"], strict=True)
        ]
    # Rows as tall as their labels: a three-line group gets three lines of height.
    lines = [max(1, lab.count("\n") + 1) for lab in labels] if layout != "strip" else [1] * len(rows)  # fmt: skip
    heights = np.array(lines, float) + 0.45
    bottoms = np.concatenate([[0.0], np.cumsum(heights)[:-1]])
    ys = -(bottoms + heights / 2)  # first row on top
    total = float(heights.sum())
    dates = pd.concat([rows["step_date"], rows["step_end"], rows["release_date"]])
    x_lo, x_hi = _x(dates.min()) - 25, _x(dates.max()) + 25
    placer = LabelPlacer(ax)
    present: list[str] = []
    for y, r, label in zip(ys, rows.itertuples(index=False), labels, strict=True):
        link = str(r.link)
        style = _BY_KEY[link].style
        present += [link, str(r.marker), "release"]
        # The guide spans the row in the link's dash pattern: a same-day pair has no
        # line of its own, so this is where its strength shows.
        ax.plot([0, 1], [y, y], ls=style["ls"], zorder=0, gid=f"guide:{r.row}", transform=ax.get_yaxis_transform(), **_GUIDE)  # fmt: skip
        xs, xe, xr = _x(r.step_date), _x(r.step_end), _x(r.release_date)
        lo, hi = min(xs, xr), max(xe, xr)
        ax.plot([lo, hi], [y, y], solid_capstyle="butt", zorder=2, gid=f"link:{link}:{r.row}", **style)  # fmt: skip
        m = _BY_KEY[str(r.marker)].style
        ax.plot([xs, xe] if xe != xs else [xs], [y] * (2 if xe != xs else 1), ls="none", zorder=3, gid=f"step:{r.row}", **m)  # fmt: skip
        rm = _BY_KEY["release"].style
        # Same day: the smaller release square sits on the larger step marker, which
        # shows around it as a coloured rim.
        ax.plot([xr], [y], ls="none", zorder=4, gid=f"release:{r.row}", mec="white", mew=0.6, **rm)  # fmt: skip
        placer.avoid_points([xs, xe, xr], [y, y, y], 4.0)
        if layout == "strip":
            continue
        if layout == "inline":
            t = ax.annotate(
                label,
                (hi, y),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=small,
                color="#333333" if link != "candidate" else COLORS["neutral"],
                bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"),
                gid=f"row-label:{r.row}",
            )
            placer.add(t, [((hi, y), (6, 0), "left", "center"), ((lo, y), (-6, 0), "right", "center")])  # fmt: skip
            continue
        ax.annotate(
            _first_words(r.release, fit[0]),
            (1.0, y),
            xycoords=ax.get_yaxis_transform(),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=small,
            color=COLORS["release"] if link != "candidate" else COLORS["neutral"],
            annotation_clip=False,
            gid=f"release-label:{r.row}",
        )
        words = r.lag_words
        t = ax.annotate(
            words,
            (hi, y),
            xytext=(6, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=small,
            color="#333333",
            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none"),
            gid=f"lag-label:{r.row}",
        )
        placer.add(
            t,
            [((hi, y), (6, 0), "left", "center"), ((lo, y), (-6, 0), "right", "center")],
        )
    if layout == "columns":
        ax.set_yticks(ys, labels)
        for tl, r in zip(ax.get_yticklabels(), rows.itertuples(index=False), strict=True):
            tl.set_fontsize(small)
            tl.set_gid(f"step-label:{r.row}")
            if r.link == "candidate":
                tl.set_color(COLORS["neutral"])
    else:
        ax.set_yticks([])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-total, 0)
    ax.set_xlim(x_lo, x_hi)
    ax.grid(False, axis="y")
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    date_axis(ax, dates)
    keys = list(dict.fromkeys(k for k in (m.key for m in MARKS) if k in present))
    if not marker_legend:
        # Where height is short, the legend keeps one row: the line styles (the link
        # strength), while the words at both ends say what each marker is.
        keys = [k for k in keys if _BY_KEY[k].kind == "line"]
        legend_ncols = len(keys)
    legend_above(ax, handles=legend_handles(MARKS, keys), ncols=legend_ncols)
    ax.exchange_marks = keys  # what the caption's "how to read it" describes
    return ax


# -- words ------------------------------------------------------------------------------------


def finding(rows: pd.DataFrame) -> dict[str, int]:
    """The counts the title states, all from the recorded (non-candidate) rows drawn."""
    rec = rows[rows["link"].astype(str) != "candidate"]
    words = rec["lag_words"].astype(str)
    return {
        "rows": len(rec),
        "same_day": int(words.eq("same day").sum()),
        "release_first": int((rec["lag_days"].astype(int) < 0).sum()),
        "stated": int(rec["link"].astype(str).eq("explicit").sum()),
        "inferred": int(rec["link"].astype(str).eq("inferred").sum()),
    }


def _title(f: dict[str, int]) -> str:
    n = f["rows"]
    parts = [
        f"In {f['same_day']:,} of {plural(n, 'exchange')} Minsk freed people the same day "
        "the US acted"
    ]
    if f["release_first"]:
        parts.append(
            f"in {f['release_first']:,} the release came first"
            if f["release_first"] > 1
            else "in 1 the release came first"
        )
    stated = f["stated"]
    tail = (
        f"a source calls {'it' if n == 1 else f'{stated:,} of them'} a trade outright"
        if stated
        else "no source calls any of them a trade outright"
    )
    return "; ".join(parts) + "; " + tail


def exchanges_text(rows: pd.DataFrame, *, window_days: int = 0, marks=None) -> FigureText:
    """Words for the exchanges chart, every number counted from ``rows`` as drawn."""
    f = finding(rows)
    cand = rows[rows["link"].astype(str) == "candidate"]
    rec = rows[rows["link"].astype(str) != "candidate"]
    dates = pd.concat([rows["step_date"], rows["release_date"]])
    start, end = dates.min(), dates.max()
    subtitle = (
        f"Recorded exchanges, {fmt_month(start)} to {fmt_month(end)}; "
        "one row per release and the US steps it answered"
    )
    present = marks if marks is not None else list(dict.fromkeys(rows["link"].astype(str)))
    caption = (
        "Each row is one exchange: the US step named at the left, what Minsk gave at the "
        "right, both on one date axis, so the length of the line is the time between them "
        "(also written beside it; 'earlier' means the release came first). Steps that one "
        "release answered within a few days share a row. "
        + how_to_read(MARKS, present)
        + " A row's faint guide line repeats its line style, so a same-day pair's link "
        "strength shows too; a row that groups several links takes the firmest one's style."
    )
    if len(cand):
        caption += (
            f" Candidate rows pair a US step and a release within ±{window_days} days that no "
            "source links: leads to check, not findings."
        )
    alt = (
        f"Ladder chart with {plural(f['rows'], 'row')}, one per exchange between a US step "
        f"and a release, {fmt_month(start)} to {fmt_month(end)}. "
        + " ".join(
            f"{r.us_step} and {r.release}: {r.lag_words}, {r.link}." for r in rec.itertuples()
        )
        + (f" Also {plural(len(cand), 'candidate row')}." if len(cand) else "")
    )
    if f["inferred"]:
        # In the caption, not a note on the figure: the dotted style already says it
        # on the figure, and a half-page figure needs the line for its rows.
        verb = "rests" if f["inferred"] == 1 else "rest"
        caption += f" {plural(f['inferred'], 'row')} {verb} on our own reading, not a source's word."  # fmt: skip
    notes = []
    if len(cand):
        notes.append(
            f"{plural(len(cand), 'candidate row')} (sky blue) {'is' if len(cand) == 1 else 'are'} "
            f"timing within ±{window_days} days only: a lead, not a finding."
        )
    return FigureText(
        title=_title(f),
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes),
        source_ids=ids_by_frequency(rows["source_ids"].astype(str)),
    )


# -- build ------------------------------------------------------------------------------------


def _pairs(data, p):
    from ..transforms.exchanges import exchange_pairs, infer_links

    pairs = _in_window(exchange_pairs(data, link_strengths=tuple(p.link_strengths)), p)
    window = p.infer_window_days
    cands = _in_window(infer_links(data, window_days=window), p) if window > 0 else None
    return pairs, cands


def exchange_table(data, p) -> pd.DataFrame:
    """The pairs shown in the exchanges figure, with their evidence, as a table for briefings.

    ``us_step`` and ``release`` are the short labels the chart prints; ``row`` is the
    chart row (top = 1) the pair is drawn on.
    """
    pairs, cands = _pairs(data, p)
    if cands is not None:
        pairs = pd.concat([pairs, cands], ignore_index=True)
    labels = short_labels(data.events)
    rows = exchange_rows(pairs, data.events)
    row_of = {x: r for r, ids in zip(rows["row"], rows["exchange_ids"], strict=True) for x in ids.split(";")}  # fmt: skip
    out = pairs.assign(
        row=pairs["exchange_id"].map(row_of).astype("Int64"),
        us_step=pairs["concession_event_id"].map(labels),
        release=pairs["release_event_id"].map(labels),
    )
    cols = [
        "exchange_id", "row", "concession_date", "us_step", "release_date", "release",
        "lag_days", "link", "concession_title", "release_title", "release_count",
        "evidence", "rationale",
    ]  # fmt: skip
    out = out[cols].sort_values(["row", "concession_date", "exchange_id"]).reset_index(drop=True)
    out["concession_date"] = out["concession_date"].dt.strftime("%Y-%m-%d")
    out["release_date"] = out["release_date"].dt.strftime("%Y-%m-%d")
    return out


def _in_window(pairs: pd.DataFrame, p) -> pd.DataFrame:
    """Pairs whose release falls between the ``start`` and ``end`` parameters."""
    return pairs[between(pairs["release_date"], p.start or None, p.end or None)]


def build(data, p) -> Built:
    """Each US step paired with the release it answered, one named row per exchange."""
    built = Built("03-exchanges", p.size)

    def draw():
        pairs, cands = _pairs(data, p)
        if not len(pairs):
            raise EmptySelectionError(
                "no exchanges with link strength "
                f"{', '.join(p.link_strengths) or '(none chosen)'} between the start and end "
                "dates; choose from explicit, reported, inferred or widen the dates"
            )
        rows = exchange_rows(pairs, data.events, cands)
        fig, ax = new_figure(p.size)
        plot_exchanges(
            rows,
            ax=ax,
            fit=LABEL_FIT[p.size],
            marker_legend=p.size != "a4-half",
            line_budget=LINE_BUDGET[p.size],
        )
        built.tables["pairs"] = exchange_table(data, p)
        built.tables["rows"] = _public(rows)
        return fig, exchanges_text(rows, window_days=p.infer_window_days, marks=ax.exchange_marks)

    return drawn(built, draw)


def _public(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[ROW_COLUMNS].copy()
    for c in ("step_date", "release_date"):
        out[c] = out[c].dt.strftime("%Y-%m-%d")
    return out
