"""Published totals against our release-by-release sum over the same dates."""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D

from ..errors import EmptySelectionError
from ..style import COLORS
from ..transforms.common import between, ids_by_frequency
from .axes import get_ax, legend_above, new_figure, require_rows, small_font
from .figtext import Built, FigureText
from .wording import MAX_NOTES, fmt_n, plural
from .marks import (
    CLAIM_MARKERS,
    PRECISION_WORDS,
)


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
    from ..transforms.claims import SCOPE_WORDS

    require_rows(cmp, "published totals")
    present = list(dict.fromkeys(cmp["scope"].astype(str)))
    order = [s for s in (scopes or SCOPE_WORDS) if s in present]
    order += [] if scopes else [s for s in present if s not in order]
    c = cmp[cmp["scope"].astype(str).isin(order)]
    if c.empty:
        raise EmptySelectionError(
            f"nothing to draw: no published totals of scope {', '.join(scopes or [])}; "
            f"the data has {', '.join(present)}"
        )
    ax = get_ax(ax)
    small = small_font()
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

    legend_above(
        ax,
        handles=handles,
        labels=labels,
        ncols=legend_ncols,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.8)},
        handlelength=3.2,
    )
    return ax


def totals_text(shown, all_totals=None, table_name: str = "") -> FigureText:
    """Words for the totals figure: each published total against our itemized sum.

    ``shown`` is the :func:`belthaw.claims.itemized_vs_totals` rows drawn; ``all_totals``
    all of them (the caption says which are left out and that ``table_name`` has all).

    >>> totals_text(cmp[cmp["scope"] == "all_releases"], cmp).title  # doctest: +SKIP
    """
    from ..transforms.claims import SCOPE_WORDS, agreement

    all_totals = shown if all_totals is None else all_totals
    n_ok, n = agreement(shown)
    ok = shown[shown["verdict"] == "consistent"]
    off = shown[shown["verdict"] == "differs"]
    close = shown[shown["verdict"] == "close"]
    title = (
        f"{n_ok:,} of {plural(n, 'published total')} agree with our sum of the same thing "
        "over the same dates"
    )
    if len(off):
        d = off["difference"].astype("float64")
        big = fmt_n(d.abs().max())
        if (d > 0).all():
            title += f"; {len(off):,} fall{'s' if len(off) == 1 else ''} short of it by up to {big}"
        elif (d < 0).all():
            title += f"; {len(off):,} exceed{'s' if len(off) == 1 else ''} it by up to {big}"
        else:
            title += f"; {len(off):,} differ, by up to {big}"
    subtitle = (
        "Cumulative totals as published, grouped by what they count, against our sum of "
        "single releases over the same dates"
    )
    caption = (
        "Each row is one published total, labelled with who published it and the date it "
        "counts up to, grouped by what it counts. The black marker is the published figure "
        "(triangle pointing right = 'more than', circle = exact, diamond = 'about'); the "
        "blue circle is the sum of the releases in our data over the same dates (hollow "
        "when that sum is only a lower bound). At the right: 'agrees' (within 2 %, or a "
        "'more than' figure that our sum meets), 'close' (within 5 %) or how far our sum "
        "is above (+) or below (-) the published figure."
    )
    hidden = all_totals[~all_totals["total_id"].isin(shown["total_id"])]
    notes = []
    if len(hidden):
        kinds = ", ".join(SCOPE_WORDS.get(s, s) for s in dict.fromkeys(hidden["scope"].astype(str)))
        where = f" in {table_name}" if table_name else ""
        caption += (
            f" Left out of the chart: {plural(len(hidden), 'total')} ({kinds}) that our data "
            "cannot be compared with line by line, because not every release says how many "
            f"of its people were recognised political prisoners. All {len(all_totals):,} totals, "
            f"with our sum and the reason, are listed{where} beside this figure."
        )
        notes.append(
            f"{plural(len(hidden), 'total')} ({kinds}) not comparable with our data, not "
            f"drawn; all {len(all_totals):,} are{where}."
        )
    why = " ".join(str(e) for e in pd.concat([off, close])["explanation"])
    if why:
        caption += " Where they do not agree: " + why
    parts = [f"{len(ok):,} agree with our sum"]
    if len(close):
        parts.append(f"{len(close):,} {'is' if len(close) == 1 else 'are'} close")
    if len(off):
        parts.append(f"{len(off):,} {'differs' if len(off) == 1 else 'differ'}")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    alt = f"Dumbbell chart of {plural(n, 'published total')}: {listed}."
    return FigureText(
        title=title,
        subtitle=subtitle,
        caption=caption,
        alt=alt,
        notes=tuple(notes[:MAX_NOTES]),
        source_ids=ids_by_frequency(shown["source_id"].astype(str)),
    )


#: Scopes of the published totals drawn in ``05-totals``, in this order; each is compared
#: with our sum of the same thing (see ``itemized_vs_totals``).
TOTALS_SCOPES = ("all_releases", "all_pardons", "decree_pardons", "us_mediated", "expelled")


def totals_table(cmp: pd.DataFrame, shown_ids) -> pd.DataFrame:
    """Every published total with our itemized sum and the verdict, for the figure's CSV."""
    cols = [
        "total_id", "as_of", "since", "scope", "publisher", "value", "precision", "wording",
        "itemized", "itemized_is_lower_bound", "difference", "verdict", "explanation",
        "source_id",
    ]  # fmt: skip
    out = cmp[cols].sort_values(["as_of", "total_id"]).reset_index(drop=True)
    out.insert(len(out.columns) - 2, "on_figure", out["total_id"].isin(list(shown_ids)))
    out["as_of"] = out["as_of"].dt.strftime("%Y-%m-%d")
    out["since"] = out["since"].dt.strftime("%Y-%m-%d")
    out["scope"] = out["scope"].astype(str)
    out["precision"] = out["precision"].astype(str)
    return out


def build(data, p) -> Built:
    """Each published cumulative total against the sum of our itemized releases; CSV of all."""
    from ..transforms.claims import itemized_vs_totals

    name = "05-totals"
    built = Built(name, p.size)

    def draw():
        cmp = itemized_vs_totals(data)
        cmp = cmp[between(cmp["as_of"], p.start or None, p.end or None)]
        shown = cmp[
            cmp["scope"].astype(str).isin(TOTALS_SCOPES) & (cmp["verdict"] != "not comparable")
        ]
        if shown.empty:
            raise EmptySelectionError(
                "nothing to draw: no published total counts "
                + ", ".join(TOTALS_SCOPES)
                + f"; the data has {len(cmp)} totals of other scopes"
            )
        fig, ax = new_figure(p.size)
        plot_totals_vs_itemized(shown, scopes=TOTALS_SCOPES, ax=ax)
        built.tables["table"] = totals_table(cmp, shown["total_id"])
        return fig, totals_text(shown, cmp, table_name=f"{name}-table.csv")

    return drawn(built, draw)
