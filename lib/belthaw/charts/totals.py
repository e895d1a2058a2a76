"""05-totals: published totals against our release-by-release sum over the same dates.

The frame drawn is :func:`belthaw.transforms.claims.totals_on_chart` (one row per distinct
published figure that can be compared with our data): ``plot_totals`` draws one dumbbell
per figure, ``totals_text`` writes the words, ``draw`` makes the figure at a named size.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from ..style import COLORS, house_style
from ..transforms.claims import SCOPE_WORDS, TOTALS_SCOPES, agreement, checked_span
from ..transforms.common import ids_by_frequency
from .axes import (
    get_ax,
    is_narrow,
    is_narrow_size,
    legend_above,
    new_figure,
    require_rows,
    small_font,
)
from .figtext import FigureText
from .labels import LabelPlacer
from .marks import CLAIM_MARKERS, Mark, how_to_read, legend_handles
from .wording import MAX_NOTES, fmt_n, plural, short_day

NAME = "05-totals"
_BLUE = COLORS["release"]


def _published(precision: str, label: str, reads: str) -> Mark:
    return Mark(f"published-{precision}", "marker", label, reads,
                dict(marker=CLAIM_MARKERS[precision], ms=4.5, color=COLORS["total"]))  # fmt: skip


#: The encoding table of 05-totals: legend entries and caption words, per mark.
MARKS: tuple[Mark, ...] = (
    _published("at_least", "published: more than",
               "each row is one published figure; a black triangle pointing right is a 'more than' total"),
    _published("exact", "published: exact", "a black circle an exact total"),
    _published("approx", "published: about", "a black diamond an 'about' total"),
    Mark("itemized", "marker", "our sum",
         "the blue circle is the sum of our releases from the total's start date to the day it counts up to, and no later",
         dict(marker="o", ms=6.5, mew=1.2, color=_BLUE)),
    Mark("itemized-floor", "marker", "our sum (at least)",
         "a hollow blue circle is a sum that is only a lower bound",
         dict(marker="o", ms=6.5, mew=1.2, color=_BLUE, mfc="white")),
)  # fmt: skip
#: The verdict written at the right margin, and what the caption says it means.
VERDICT_WORDS = {
    "consistent": "'agrees' is within 2 %, or a 'more than' figure our sum meets",
    "close": "'close' is within 5 %",
    "differs": "'differs by' gives our sum minus the published figure",
}
#: The same on a narrow figure, where the margin holds only "=" or the signed difference.
NARROW_VERDICT_WORDS = {
    "consistent": "'=' is within 2 %, or a 'more than' figure our sum meets",
    "close": "'close' is within 5 %",
    "differs": "a signed number gives our sum minus the published figure",
}


def marks_drawn(shown: pd.DataFrame, *, scopes=None) -> list[str]:
    """The keys of :data:`MARKS` that these rows put on the chart."""
    c = _selected(shown, scopes)
    precs = set(c["precision"].astype(str))
    floor = c["itemized_is_lower_bound"].astype(bool)
    drawn = [f"published-{p}" for p in ("at_least", "exact", "approx") if p in precs]
    drawn += ["itemized"] if (~floor).any() else []
    return drawn + (["itemized-floor"] if floor.any() else [])


def _selected(shown: pd.DataFrame, scopes=None) -> pd.DataFrame:
    """The rows of ``scopes`` (in that order; default: every scope, the usual ones first),
    by date within a scope."""
    order = list(scopes or TOTALS_SCOPES)
    order += [s for s in dict.fromkeys(shown["scope"].astype(str)) if s not in order and not scopes]
    c = shown[shown["scope"].astype(str).isin(order)]
    c = c.assign(_s=c["scope"].astype(str).map({s: i for i, s in enumerate(order)}))
    return c.sort_values(["_s", "as_of", "total_id"]).reset_index(drop=True)


def _row_label(row, width: int) -> str:
    """ "AP · 12 Dec 2025", with "×2" when two reports relay one figure."""
    name = re.sub(r"\s*\(.*?\)", "", str(row["counter"])).strip() or str(row["counter"])
    name = {"The Associated Press": "AP", "Associated Press": "AP"}.get(name, name)
    name = name if len(name) <= width else name[: width - 1].rstrip() + "…"
    times = f" ×{int(row['n_reports'])}" if int(row["n_reports"]) > 1 else ""
    return f"{name}{times} · {short_day(row['as_of'])}"


def plot_totals(shown: pd.DataFrame, *, scopes=None, color: str | None = None, ax=None, **kwargs):
    """Dumbbell per published figure: published value (black) against our sum (blue).

    ``shown`` is :func:`belthaw.transforms.claims.totals_on_chart` output; ``scopes``
    keeps totals of those scopes, in that order. Rows are grouped by scope under a
    heading, by date within a group, labelled "counter · date", with the verdict at the
    right margin. ``color`` replaces the colour of our sum; other keyword arguments go to
    the ``Axes.plot`` of our sum's markers.
    """
    c = _selected(shown, scopes)
    require_rows(c, "comparable published totals of " + ", ".join(scopes or TOTALS_SCOPES))
    ax = get_ax(ax)
    color = color or _BLUE
    n = len(c) + c["_s"].nunique()
    narrow = is_narrow(ax)
    # Rows closer than a line of text (a short figure): a row's words that would lie on
    # the row above's are left out rather than printed over them; its dumbbell stays.
    placer = LabelPlacer(ax)
    # A heading slot before each scope's first row.
    y = (n - 1 - c.index - c["_s"].rank(method="dense").astype(int)).tolist()
    for i in c.index[~c["_s"].duplicated()]:
        scope = c.at[i, "scope"]
        ax.text(0, y[i] + 1, SCOPE_WORDS.get(scope, scope), ha="left", va="center",
                fontsize=small_font(), fontstyle="italic", color="#4D4D4D",
                transform=ax.get_yaxis_transform(), gid=f"scope-heading:{scope}")  # fmt: skip
    marks = {m.key: m for m in MARKS}
    verdicts = []
    for i, r in c.iterrows():
        pub, item, tid = float(r["value"]), float(r["itemized"]), r["total_id"]
        ax.plot([pub, item], [y[i], y[i]], color=COLORS["neutral"], lw=1.2, zorder=1,
                gid=f"dumbbell:{tid}", label="_nolegend_")  # fmt: skip
        key = "itemized-floor" if bool(r["itemized_is_lower_bound"]) else "itemized"
        ax.plot([item], [y[i]], ls="none", zorder=2, gid=f"itemized:{tid}", label="_nolegend_",
                **(dict(marks[key].style, color=color) | kwargs))  # fmt: skip
        ax.plot([pub], [y[i]], ls="none", zorder=3, gid=f"published:{tid}", label="_nolegend_",
                **marks.get(f"published-{r['precision']}", marks["published-exact"]).style)  # fmt: skip
        differs = r["verdict"] == "differs"
        d = int(r["difference"]) if pd.notna(r["difference"]) else 0  # our sum minus theirs
        words = {"consistent": "agrees", "close": f"close ({d:+,})"}.get(r["verdict"], f"differs by {d:+,}")  # fmt: skip
        if narrow:  # an 8 cm column: the plot keeps the width, the verdict its number
            words = words.replace("differs by ", "").replace("agrees", "=")
        verdict = ax.annotate(words, (1.0, y[i]),
                    xycoords=("axes fraction", "data"), xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=small_font(), annotation_clip=False,
                    color="#222222" if differs else "#4D4D4D", fontweight="bold" if differs else "normal",
                    gid=f"verdict:{r['verdict']}")  # fmt: skip
        verdicts.append((not differs, verdict))
    ax.set_yticks(y, [_row_label(r, 12 if narrow else 22) for _, r in c.iterrows()])
    # A row that differs is the finding: it keeps its words first. A verdict is shown
    # only beside its row's name, so no verdict reads as another row's.
    rows = sorted(zip(verdicts, ax.get_yticklabels(), strict=True), key=lambda v: v[0][0])
    for _, name in rows:
        placer.add_optional(name)
    for (_, verdict), name in rows:
        placer.add_optional(verdict, requires=name)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.6, n - 0.4)
    # x from every drawn layer: both ends of every dumbbell.
    lo = float(min(c["value"].min(), c["itemized"].min()))
    hi = float(max(c["value"].max(), c["itemized"].max()))
    pad = (hi - lo) * 0.06 + 5
    ax.set_xlim(max(0.0, lo - pad), hi + pad)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(
        "People" if narrow else "People, from each total's start date to the day it counts up to"
    )
    ax.set_ylabel("")
    recolored = [
        replace(m, style=dict(m.style, color=color)) if m.key.startswith("itemized") else m
        for m in MARKS
    ]
    # In a column the row names push the plot right, past where a two-column legend
    # measured at plot time would end: one column stays on the page.
    legend_above(ax, handles=legend_handles(recolored, marks_drawn(c)), ncols=1 if narrow else None)
    return ax


def totals_text(
    shown: pd.DataFrame, cmp: pd.DataFrame | None = None, *, scopes=None,
    table_name: str = f"{NAME}-table.csv", size: str = "a4-full",
) -> FigureText:  # fmt: skip
    """The words of 05-totals as drawn at ``size`` (a narrow one writes "=" for agreement).

    ``shown``: the rows drawn (:func:`~belthaw.transforms.claims.totals_on_chart`);
    ``cmp``: every total (:func:`~belthaw.transforms.claims.itemized_vs_totals`), so
    the notes can say which are only in ``table_name``. Agreement is counted over
    distinct published figures; the title says which releases the checks cover.
    """
    c = _selected(shown, scopes)
    require_rows(c, "comparable published totals")
    n_ok, n = agreement(c)
    off = c[c["verdict"] == "differs"]
    verb = "matches" if n_ok == 1 else "match"
    title = f"{n_ok:,} of {plural(n, 'published total')} {verb} our sum over the same dates"
    span = checked_span(c)
    if span is not None:  # what was checked: no total reaches a release after span[1]
        title += f" (releases of {short_day(span[0])} to {short_day(span[1])})"
    if len(off):
        d = off["difference"].astype("float64")
        verb = "fall short of" if (d > 0).all() else "exceed" if (d < 0).all() else "differ from"
        if len(off) == 1:
            verb = {"fall short of": "falls short of", "exceed": "exceeds"}.get(
                verb, "differs from"
            )
        title += f"; {len(off):,} {verb} it by up to {fmt_n(d.abs().max())}"
    subtitle = (
        "Totals as published, grouped by what they count; each against our sum of the same "
        "kind of release from its start date to the day it counts up to, never later"
    )
    words = NARROW_VERDICT_WORDS if is_narrow_size(size) else VERDICT_WORDS
    verdicts = [words[v] for v in words if v in set(c["verdict"])]
    caption = how_to_read(MARKS, marks_drawn(c)) + " At the right: " + "; ".join(verdicts) + "."
    if (c["n_reports"] > 1).any():
        caption += " ×2: one figure carried by two reports, drawn and counted once."
    why = " ".join(str(e) for e in c.loc[c["verdict"] != "consistent", "explanation"])
    caption += " Where they do not agree: " + why if why else ""
    notes = []
    left = pd.DataFrame() if cmp is None else cmp[cmp["verdict"] == "not comparable"]
    if len(left):
        kinds = ", ".join(SCOPE_WORDS.get(s, s) for s in dict.fromkeys(left["scope"].astype(str)))
        notes.append(
            f"Not drawn: {plural(len(left), 'total')} ({kinds}) that our data cannot be "
            f"compared with line by line; all {len(cmp):,} are in {table_name}."
        )
    n_close = (c["verdict"] == "close").sum()
    parts = [f"{n_ok:,} agree"] + [f"{k:,} {w}" for w, k in (("close", n_close), ("differ", len(off))) if k]  # fmt: skip
    alt = f"Dumbbell chart of {plural(n, 'published total')}: " + ", ".join(parts) + "."
    return FigureText(
        title=title, subtitle=subtitle, caption=caption, alt=alt,
        notes=tuple(notes[:MAX_NOTES]), source_ids=ids_by_frequency(c["source_ids"].astype(str)),
    )  # fmt: skip


def draw(shown: pd.DataFrame, *, size: str = "a4-full", scopes=None, **kwargs):
    """The 05-totals figure at ``size``; keyword arguments go to :func:`plot_totals`."""
    require_rows(shown, "comparable published totals")
    fig, ax = new_figure(size)
    with house_style(size):
        plot_totals(shown, scopes=scopes, ax=ax, **kwargs)
    return fig
