"""03-exchanges: concession for release, as a labelled ladder, one row per exchange.

Each row joins what the US did (named at the left) to what Minsk gave (named at the
right) on a shared date axis, so the length of the line is the lag, which is also
written beside it. A release that answered several US steps on nearby days is one row
(the steps joined with "+"). Line style is how firmly the link is sourced; every row
also carries a faint guide in that style, because a same-day pair has no line to style.
The rows are :func:`belthaw.transforms.exchanges.exchange_rows` output.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from ..counting import LINK_STRENGTHS
from ..style import COLORS, house_style
from ..transforms.common import ids_by_frequency
from ..transforms.exchanges import exchange_finding, first_words
from .axes import date_axis, get_ax, legend_above, new_figure, require_rows, small_font
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import Mark, how_to_read, legend_handles
from .wording import fmt_month, plural

NAME = "03-exchanges"

#: The encoding, once: legend order = order of the caption's sentence. The link words are
#: the declared ones (belthaw.counting.LINK_STRENGTHS).
MARKS: tuple[Mark, ...] = (
    Mark("explicit", "line", LINK_STRENGTHS["explicit"],
         f"a solid line: {LINK_STRENGTHS['explicit']}", dict(ls="-", lw=2.4, color=COLORS["total"])),
    Mark("reported", "line", LINK_STRENGTHS["reported"],
         f"a dashed line: {LINK_STRENGTHS['reported']}", dict(ls="--", lw=1.6, color=COLORS["total"])),
    Mark("inferred", "line", LINK_STRENGTHS["inferred"],
         f"a dotted line: {LINK_STRENGTHS['inferred']}", dict(ls=":", lw=1.8, color=COLORS["total"])),
    Mark("candidate", "line", "lead, not a finding",
         "a thin sky-blue line: a pair found by timing alone that no source links (a lead, not a finding)",
         dict(ls=(0, (1, 1.5)), lw=1.1, color=COLORS["inferred"])),
    Mark("us_relief", "marker", "US relief", "green circles are US sanctions relief",
         dict(marker="o", ms=8, color=COLORS["us_relief"])),
    Mark("contact", "marker", "US visit or call", "orange diamonds US visits, calls and appointments",
         dict(marker="D", ms=7, color=COLORS["contact"])),
    Mark("release", "marker", "release", "blue squares releases",
         dict(marker="s", ms=5.5, color=COLORS["release"])),
)  # fmt: skip
_BY_KEY = {m.key: m for m in MARKS}

#: By print size, (characters per line, lines) of a row's US step words: a grouped row
#: wraps onto more lines where the figure is tall enough, else names what fits and counts
#: the rest ("+ 2 more"; the pairs table lists them all).
#: In the "left" layout (the column), characters in a row's one line of words.
LABEL_FIT = {"a4-half": (36, 1), "a4-full": (38, 1), "slide": (44, 2), "a4-page": (40, 3),
             "column": (26, 1)}  # fmt: skip
#: Lines of small type the plotting area holds, gaps between rows included (measured on the
#: rendered figures): beyond it grouped rows drop to fewer lines.
LINE_BUDGET = {"a4-half": 13.5, "a4-full": 17.5, "slide": 22.0, "a4-page": 40.0, "column": 20.0}

#: Where a row's words go. "columns": US step left of the axes, release right of it (the
#: chart alone). "inline": both beside the row's marks, so a panel sharing its time axis
#: (the overview) keeps its full width. "left": step and release in one line left of the
#: axes, for a figure too narrow for words on both sides. "strip": no words, for a panel
#: too short for them.
LAYOUTS = ("columns", "inline", "left", "strip")
#: The layout of the chart alone at a print size: an 8 cm column has room for words on one
#: side of the axes only, and its rows are one line high.
SIZE_LAYOUT = {"column": "left"}


def marks_drawn(rows: pd.DataFrame) -> list[str]:
    """The keys of :data:`MARKS` that these rows put on the chart, in table order."""
    present = {*rows["link"].astype(str), *rows["marker"].astype(str)}
    if len(rows):
        present.add("release")
    return [m.key for m in MARKS if m.key in present]


def _row_label(steps: tuple[str, ...], width: int, lines: int) -> str:
    """The US step words of a row in at most ``lines`` lines of ``width`` characters.

    Lines break between steps, never inside one. When not every step fits, the row
    names the steps that do, shortest first, and counts the rest ("+ 2 more").
    """
    steps = tuple(first_words(st, width) for st in steps)
    short = sorted(steps, key=len)
    for k in range(len(steps), 0, -1):
        packed = _pack(steps if k == len(steps) else (*short[:k], f"{len(steps) - k} more"), width)
        if len(packed) <= lines:
            return "\n".join(packed)
    return first_words(short[0], width)


def _pack(parts: tuple[str, ...], width: int) -> list[str]:
    """Parts joined with " + ", a new line started (after a trailing "+") when one is full."""
    out = [parts[0]]
    for part in parts[1:]:
        if len(out[-1]) + 3 + len(part) <= width:
            out[-1] += " + " + part
        else:
            out[-1] += " +"
            out.append(part)
    return out


def _labels(rows: pd.DataFrame, fit: tuple[int, int], layout: str, line_budget: float) -> list[str]:
    """The words of each row: its US steps (columns), steps and release (left), or steps,
    release and lag (inline)."""
    width, max_lines = fit
    if layout == "left":
        return _left_labels(rows, width)
    if layout == "inline":
        return [
            f"{_row_label(tuple(s), width, 1)} →\n{first_words(r, width)}, {lag_label(w)}"
            for s, r, w in zip(rows["steps"], rows["release"], rows["lag_words"], strict=True)
        ]
    # Fewer lines per grouped row when many rows share the height (candidates added). A
    # candidate row says on its face that it is a lead, not a finding.
    lead = rows["link"].astype(str).eq("candidate").tolist()
    for n_lines in range(max_lines, 0, -1):
        labels = [
            ("lead: " if c else "") + _row_label(tuple(st), width - 6 * c, n_lines)
            for st, c in zip(rows["steps"], lead, strict=True)
        ]
        if sum(lab.count("\n") + 1.45 for lab in labels) <= line_budget:
            break
    return labels


def _left_labels(rows: pd.DataFrame, width: int) -> list[str]:
    """One line a row, "step → release", the two cut to share ``width`` characters: the
    release keeps half (more when the step's name is short) and never less than its first
    two words, so its count and what happened show ("31 freed…")."""
    lead = rows["link"].astype(str).eq("candidate").tolist()
    out = []
    for steps, release, c in zip(rows["steps"], rows["release"], lead, strict=True):
        room = width - 3 - 6 * c
        full = " + ".join(steps)
        two = len(" ".join(str(release).split()[:2])) + 1
        rel = _cut(release, max(room // 2, room - len(full), two))
        step = _cut(_row_label(tuple(steps), room - len(rel) - 1, 1), room - len(rel))
        out.append(("lead: " if c else "") + f"{step} → {rel}")
    return out


def _cut(text: str, n: int) -> str:
    """``text`` in at most ``n`` characters, the ellipsis included; inside a word only
    when its first word is longer than that."""
    text = " ".join(str(text).split())
    if len(text) <= n:
        return text
    cut = first_words(text, n - 1)
    return cut if len(cut) <= n else text[: n - 1] + "…"


def lag_label(words: str) -> str:
    """A row's ``lag_words`` as printed beside its line: "44 days before US step"."""
    return words.removeprefix("release ").replace(" the US step", " US step")


def _annotate(ax, text, xy, gid, **kw):
    kw = dict(xytext=(6, 0), textcoords="offset points", ha="left", va="center",
              fontsize=small_font(), gid=gid) | kw  # fmt: skip
    return ax.annotate(text, xy, **kw)


def plot_exchanges(
    rows: pd.DataFrame,
    *,
    ax=None,
    fit: tuple[int, int] = (36, 1),
    layout: str = "columns",
    marker_legend: bool = True,
    legend: bool = True,
    line_budget: float = 99.0,
    color: str | None = None,
    **kwargs,
):
    """The ladder: one row per exchange, US step named at the left, release at the right.

    ``rows`` come from :func:`~belthaw.transforms.exchanges.exchange_rows`; ``fit`` is
    (characters per line, lines) for the US step words (see :data:`LABEL_FIT`);
    ``layout`` one of :data:`LAYOUTS`. ``color`` replaces the colour of the recorded
    links; other keyword arguments go to the links' ``Axes.plot``. ``legend=False`` leaves
    the legend out (a panel whose caption points to this chart).
    """
    require_rows(rows, "exchanges")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    ax = get_ax(ax)
    labels = _labels(rows, fit, layout, line_budget)
    # Rows as tall as their labels: a three-line group gets three lines of height.
    heights = np.array([1 if layout == "strip" else lab.count("\n") + 1 for lab in labels]) + 0.45
    ys = -(np.concatenate([[0.0], np.cumsum(heights)[:-1]]) + heights / 2)  # first row on top
    placer = LabelPlacer(ax)
    crowded = heights.sum() > line_budget
    released = []
    for y, r, label in zip(ys, rows.itertuples(index=False), labels, strict=True):
        lo, hi = _draw_row(ax, r, y, color, kwargs, placer)
        if layout != "strip":
            # More rows than the height holds lines (candidates added): a lead's lag is
            # left to the pairs table, so the recorded rows keep room for theirs.
            lag = not (crowded and r.link == "candidate")
            released.append(_row_words(ax, r, y, (lo, hi), label, layout, fit[0], placer, lag))
    if layout in ("columns", "left"):
        ax.set_yticks(ys, labels)
        for tl, r in zip(ax.get_yticklabels(), rows.itertuples(index=False), strict=True):
            tl.set_fontsize(small_font())
            tl.set_gid(f"step-label:{r.row}")
            if r.link == "candidate":
                tl.set_color(COLORS["neutral"])
            # Rows closer than a line (a short figure): a step's name that would lie on
            # the row above's is left out rather than printed over it, and so is the
            # release named at the row's other end, which would read as another row's.
            placer.add_optional(tl)
        for tl, named in zip(ax.get_yticklabels(), released, strict=True):
            if named is not None:
                placer.add_optional(named, requires=tl)
    else:
        ax.set_yticks([])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-float(heights.sum()), 0)
    # Limits from every drawn layer: the steps (first and last of a group) and releases.
    dates = pd.concat([rows["step_date"], rows["step_end"], rows["release_date"]])
    ax.set_xlim(_x(dates.min()) - 25, _x(dates.max()) + 25)
    ax.grid(False, axis="y")
    ax.spines["left"].set_visible(False)
    ax.set(xlabel="", ylabel="")
    date_axis(ax, dates)
    keys, ncols = marks_drawn(rows), 2
    if not marker_legend:
        # Where height is short, the legend keeps one row: the line styles (the link
        # strength), while the words at both ends say what each marker is; on one row
        # when the words fit across the figure (about 70 characters), else two.
        keys = [k for k in keys if _BY_KEY[k].kind == "line"]
        ncols = len(keys) if sum(len(_BY_KEY[k].label) + 6 for k in keys) <= 70 else 2
    if legend:
        handles = legend_handles(_recolored(_BY_KEY[k], color) for k in keys)
        legend_above(ax, handles=handles, ncols=ncols)
    return ax


def _x(d) -> float:
    return float(mdates.date2num(pd.Timestamp(d).to_pydatetime()))


def _row_words(ax, r, y, span, label, layout, width, placer, lag=True):
    """A row's words inside the axes (the lag, or everything when inline), and the release
    named right of the axes in the "columns" layout (returned; None in the others)."""
    lo, hi = span
    named = None
    grey = COLORS["neutral"] if r.link == "candidate" else None
    box = dict(boxstyle="square,pad=0.1", fc="white", ec="none")
    if layout == "inline":
        t = _annotate(ax, label, (hi, y), f"row-label:{r.row}", color=grey or "#333333", bbox=box)
    else:
        if layout == "columns":
            named = _annotate(ax, first_words(r.release, width), (1.0, y), f"release-label:{r.row}",
                              xycoords=ax.get_yaxis_transform(), xytext=(4, 0),
                              annotation_clip=False, color=grey or COLORS["release"])  # fmt: skip
        if not lag:
            return named
        # Narrow: "44 days before", the caption says relative to what.
        words = lag_label(r.lag_words)
        words = words if layout == "columns" else words.removesuffix(" US step")
        t = _annotate(ax, words, (hi, y), f"lag-label:{r.row}", color="#333333", bbox=box)
    # Beside the row first; above its line only when neither side has room (never below,
    # where it would read as the next row's); last, starting or ending at the row's marks
    # just above its line, which changes nothing where a side is free.
    placer.add(t, [((hi, y), (6, 0), "left", "center"), ((lo, y), (-6, 0), "right", "center"),
                   (((lo + hi) / 2, y), (0, 2), "center", "bottom"),
                   ((lo, y), (-2, 3), "left", "bottom"), ((hi, y), (2, 3), "right", "bottom")])  # fmt: skip
    return named


def _recolored(mark: Mark, color: str | None) -> Mark:
    """``mark`` in the analyst's ``color``: the recorded links only, never a lead."""
    if not color or mark.kind != "line" or mark.key == "candidate":
        return mark
    return mark.restyled(color=color)


def _draw_row(ax, r, y: float, color, kwargs, placer) -> tuple[float, float]:
    """A row's guide, link line, step marker(s) and release square; returns its x span."""
    link = str(r.link)
    style = _recolored(_BY_KEY[link], color).style
    # The guide spans the row in the link's dash pattern: a same-day pair has no
    # line of its own, so this is where its strength shows.
    ax.plot([0, 1], [y, y], ls=style["ls"], zorder=0, gid=f"guide:{r.row}",
            transform=ax.get_yaxis_transform(), color="#BBBBBB", lw=0.8)  # fmt: skip
    xs, xe, xr = _x(r.step_date), _x(r.step_end), _x(r.release_date)
    lo, hi = min(xs, xr), max(xe, xr)
    ax.plot([lo, hi], [y, y], solid_capstyle="butt", zorder=2, gid=f"link:{link}:{r.row}",
            **(style | (kwargs if link != "candidate" else {})))  # fmt: skip
    steps = [xs, xe] if xe != xs else [xs]
    ax.plot(steps, [y] * len(steps), ls="none", zorder=3, gid=f"step:{r.row}",
            **_BY_KEY[str(r.marker)].style)  # fmt: skip
    # Same day: the smaller release square sits on the larger step marker, which
    # shows around it as a coloured rim.
    ax.plot([xr], [y], ls="none", zorder=4, gid=f"release:{r.row}", mec="white", mew=0.6,
            **_BY_KEY["release"].style)  # fmt: skip
    placer.avoid_points([xs, xe, xr], [y, y, y], 4.0)
    return lo, hi


def _title(f: dict[str, int]) -> str:
    """The finding: how many exchanges came the same day, release-first, stated as trades."""
    parts = [
        f"In {f['same_day']:,} of {plural(f['rows'], 'exchange')} Minsk freed people the same "
        "day the US acted"
    ]
    if f["release_first"]:
        parts.append(f"in {f['release_first']:,} the release came before the US step")
    if f["stated"]:
        parts.append(f"in {f['stated']:,} {LINK_STRENGTHS['explicit']}")
    else:
        parts.append("in none does a source call it a trade")
    return "; ".join(parts)


def exchanges_text(
    rows: pd.DataFrame, *, window_days: int = 0, start=None, end=None, size: str = "a4-full"
) -> FigureText:
    """Words for the exchanges chart, every number counted from ``rows`` as drawn.

    ``window_days`` is the candidate window the rows were proposed with (0: none); ``size``
    the print size :func:`draw` drew, whose layout decides where the caption says the
    words are.
    """
    link = rows["link"].astype(str)
    cand, rec = rows[link == "candidate"], rows[link != "candidate"]
    # Candidates alone make no finding: the title counts recorded exchanges only.
    require_rows(rec, "recorded exchanges")
    f = exchange_finding(rows)
    dates = pd.concat([rows["step_date"], rows["release_date"]])
    start, end = pd.Timestamp(start or dates.min()), pd.Timestamp(end or dates.max())
    subtitle = (
        f"Recorded exchanges, {fmt_month(start)} to {fmt_month(end)}; one row per release and "
        f"the US steps it answered ({plural(f['pairs'], 'recorded link')} in "
        f"{plural(f['rows'], 'row')})"
    )
    where = (
        "the words at the left name the US step and what Minsk gave, both on one date axis, "
        "so the length of the line is the time between them; the words beside it say how "
        "many days the release came before or after the US step"
        if SIZE_LAYOUT.get(size) == "left"
        else "the US step named at the left, what Minsk gave at the right, both on one date "
        "axis, so the length of the line is the time between them; the words beside it say "
        "when the release came relative to the US step"
    )
    caption = (
        f"Each row is one exchange: {where}. Steps that "
        "one release answered within a few days share a row, dated by the closest step. "
        + how_to_read(MARKS, marks_drawn(rows))
        + " A row's faint guide line repeats its line style, so a same-day pair's link "
        "strength shows too; a row that groups several links takes the firmest one's style."
    )
    alt = (
        f"Ladder chart of {plural(f['rows'], 'exchange')} between a US step and a release, "
        f"{fmt_month(start)} to {fmt_month(end)}: in {f['same_day']:,} the release came the "
        f"same day as the US step, in {f['release_first']:,} before it, and in "
        f"{f['stated']:,} {LINK_STRENGTHS['explicit']}. "
        + " ".join(
            f"{r.us_step} and {r.release}: {r.lag_words}; {LINK_STRENGTHS[r.link]}."
            for r in rec.itertuples()
        )
    )
    notes = ()
    if len(cand):
        caption += (
            f" Candidate rows pair a US step and a release within ±{window_days} days that no "
            "source links: leads to check, not findings, and not counted in the title."
        )
        alt += f" Also {plural(len(cand), 'candidate row')}, a lead each."
        notes = (
            f"{plural(len(cand), 'candidate row')} (sky blue) {'is' if len(cand) == 1 else 'are'} "
            f"timing within ±{window_days} days only: a lead, not a finding.",
        )
    return FigureText(
        title=_title(f),
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=notes,
        source_ids=ids_by_frequency(rows["source_ids"].astype(str)),
    )


def draw(rows: pd.DataFrame, *, size: str = "a4-full", color: str | None = None, **kwargs):
    """The 03-exchanges figure at ``size``; keyword arguments go to :func:`plot_exchanges`."""
    require_rows(rows, "exchanges")
    fig, ax = new_figure(size)
    options = dict(fit=LABEL_FIT[size], marker_legend=size not in ("a4-half", "column"),
                   line_budget=LINE_BUDGET[size], layout=SIZE_LAYOUT.get(size, "columns")) | kwargs  # fmt: skip
    with house_style(size):
        plot_exchanges(rows, ax=ax, color=color, **options)
    return fig
