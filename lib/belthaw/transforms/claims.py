"""Where sources disagree: the figures sources give for one release, and published totals
against our itemized sum of the same thing over the same dates.

Pure transforms (no I/O). Who said a figure is its *counter*: the office, agency or group
whose count it is (``sources.origin`` when the data records it, else the outlet that
wrote the story, never the site that copied it); see :func:`counters`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..counting import COUNT_WHAT, DEFAULT_RULE, CountingRule
from .common import between, coverage, join_unique
from .timeline import counted_releases

#: The start of a published total is required data (``totals.since``); a synthetic table
#: without one is read as counting from the first release of the track.
DEFAULT_SINCE = pd.Timestamp("2024-07-01")
#: Relative difference up to which an exact/approx total is "consistent" / "close".
CONSISTENT_WITHIN, CLOSE_WITHIN = 0.02, 0.05
#: "About N" is read as N give or take this share: "about 50" allows 47.5 to 52.5, so an
#: exact 52 fits it and an exact 60 does not.
APPROX_WITHIN = 0.05

SCOPE_WORDS = {
    "all_releases": "people freed",
    "all_pardons": "people pardoned",
    "political_prisoners": "recognised political prisoners freed",
    "decree_pardons": "pardoned in domestic decree waves",
    "us_mediated": "freed on the US track",
    "expelled": "freed and sent abroad",
}
#: The scope of published total that counts what a running total of ``count_what`` counts.
SCOPE_OF = {"freed": "all_releases", "pardoned": "all_pardons", "political": "political_prisoners"}
#: Scopes of the published totals drawn in 05-totals, in this order. Totals of recognised
#: political prisoners are left to the table: most releases give no such split.
TOTALS_SCOPES = ("all_releases", "all_pardons", "decree_pardons", "us_mediated", "expelled")
#: A published figure is one figure however often it is relayed: same counter, value, date.
FIGURE_KEY = ("counter", "value", "as_of")


def counters(dataset) -> pd.Series:
    """Source id -> whose figure the source carries.

    ``sources.origin`` (the office, agency or post a page relays) where the column exists
    and is filled; else the outlet a citation names (the original of a copy).
    """
    s = dataset.sources
    who = s["source_id"].map(dataset.credited_publishers()).fillna(s["publisher"].astype(str))
    origin = s["origin"].astype(str).str.strip()
    who = who.where(origin.isin(["", "nan", "<NA>"]), origin)
    return pd.Series(who.to_numpy(), index=s["source_id"].astype(str).to_numpy(), dtype="str")


def claim_bounds(value: pd.Series, precision: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The range of true numbers a claim's wording allows: exact N is N, "more than N" is
    N and up (read inclusively, as the data codes "at least" and "more than" alike),
    "about N" is N give or take :data:`APPROX_WITHIN`."""
    v = value.astype("float64")
    p = precision.astype(str)
    low = v.where(p != "approx", v * (1 - APPROX_WITHIN))
    high = v.where(p != "approx", v * (1 + APPROX_WITHIN)).where(p != "at_least", np.inf)
    return low, high


def claims_long(dataset, *, kinds=None, start=None, end=None) -> pd.DataFrame:
    """One row per numeric count claim: who gave which figure for which event.

    Columns: ``claim_id, event_id, date, title, source_id, counter, value, value_num,
    precision, low, high`` (the range the wording allows, :func:`claim_bounds`) and
    ``best`` (the event's own count). ``kinds`` (e.g. ``("release",)``)
    keeps claims about events of those kinds; ``start``/``end`` filter by event date.
    Sorted by event date, then value.
    """
    cl = dataset.claims
    cl = cl[(cl["field"] == "count") & cl["value_num"].notna()]
    ev = dataset.events.set_index("event_id")
    if kinds is not None:
        # Only claims about events of these kinds (a count of stranded trucks is no release).
        cl = cl[cl["event_id"].map(ev["kind"].astype(object)).isin(list(kinds))]
    who = counters(dataset)
    out = pd.DataFrame(
        {
            "claim_id": cl["claim_id"],
            "event_id": cl["event_id"],
            "date": cl["event_id"].map(ev["date"]),
            "title": cl["event_id"].map(ev["title"]).astype("str"),
            "source_id": cl["source_id"],
            "counter": cl["source_id"].map(who).fillna(cl["source_id"]).astype("str"),
            "value": cl["value"],
            "value_num": cl["value_num"].astype("float64"),
            "precision": cl["precision"].astype(str),
            "best": cl["event_id"].map(ev["count"]).astype("float64"),
        }
    )
    out["low"], out["high"] = claim_bounds(out["value_num"], out["precision"])
    out = out[between(out["date"], start, end)]
    out = out.sort_values(["date", "event_id", "value_num", "claim_id"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(selection="numeric 'count' claims", coverage=coverage(dataset.events))
    return out


def claim_ranges(claims: pd.DataFrame) -> pd.DataFrame:
    """Per event of :func:`claims_long`: the figures given and whether they can all be true.

    One row per event with two or more claims: ``event_id, date, title, best, n_claims,
    n_values`` (distinct numbers), ``band_low, band_high`` (lowest and highest figure, our
    count included), ``gap_low, gap_high`` (the lowest upper end and highest lower end of
    the claims' ranges), ``gap`` (``gap_high - gap_low`` when positive, else 0) and
    ``disputed``: the ranges do not overlap, so no single number fits every source
    ("more than 50" against 52 is compatible, 51 against 52 is not). Widest gap first,
    ties by date; ``rank`` 0 is the widest.
    """
    g = claims.groupby("event_id", sort=False)
    out = g.agg(
        date=("date", "first"),
        title=("title", "first"),
        best=("best", "first"),
        n_claims=("claim_id", "size"),
        n_values=("value_num", "nunique"),
        band_low=("value_num", "min"),
        band_high=("value_num", "max"),
        gap_low=("high", "min"),
        gap_high=("low", "max"),
    ).reset_index()
    out = out[out["n_claims"] >= 2].copy()
    out["band_low"] = np.fmin(out["band_low"], out["best"])
    out["band_high"] = np.fmax(out["band_high"], out["best"])
    out["gap"] = (out["gap_high"] - out["gap_low"]).clip(lower=0)
    out["disputed"] = out["gap"] > 0
    out = out.sort_values(["gap", "date", "event_id"], ascending=[False, True, True])
    out["rank"] = np.arange(len(out))
    out.attrs.update(claims.attrs)
    return out.reset_index(drop=True)


def disputed_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims (rows of :func:`claims_long`) of the events whose sources disagree, with
    their event's :func:`claim_ranges` columns; widest disagreement first (``rank`` 0).
    This is the frame 05-claims draws."""
    ranges = claim_ranges(claims)
    keep = ranges[ranges["disputed"]].drop(columns=["date", "title", "best"])
    keep = keep.assign(rank=np.arange(len(keep)))
    out = claims.merge(keep, on="event_id", how="inner")
    out = out.sort_values(["rank", "value_num", "claim_id"], kind="stable").reset_index(drop=True)
    out.attrs.update(claims.attrs, selection="releases whose sources give incompatible figures")
    return out


def claim_groups(claims: pd.DataFrame) -> pd.DataFrame:
    """One row per event and distinct figure (number + precision): who gave it.

    Columns ``event_id, value_num, precision, n`` (distinct counters: one story relayed by
    three sites is one) and ``counters`` (list, first seen first).
    """
    g = claims.groupby(["event_id", "value_num", "precision"], sort=False, observed=True)
    out = g["counter"].agg(lambda c: list(dict.fromkeys(c))).rename("counters").reset_index()
    out.insert(3, "n", out["counters"].map(len))
    order = {p: i for i, p in enumerate(("at_least", "approx", "exact", "unknown"))}
    out = out.assign(_o=out["precision"].map(order).fillna(9))
    out = out.sort_values(["event_id", "value_num", "_o"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


# -- published totals ------------------------------------------------------------------


WINDOW_COLUMNS = (
    "itemized", "itemized_is_lower_bound", "n_releases", "first_release", "last_release", "excluded",
)  # fmt: skip


def _window_sum(rel: pd.DataFrame, since, as_of, leave_out=frozenset()) -> dict:
    """Our sum of ``rel`` from ``since`` to ``as_of`` (both days included), without the
    releases in ``leave_out``, and which releases it adds up."""
    dates = rel["date"].to_numpy()
    count = rel["count"].fillna(0).to_numpy(dtype="int64")
    inside = rel["date"].between(since, as_of).to_numpy()
    cut = inside & rel["event_id"].isin(list(leave_out)).to_numpy()
    kept = inside & ~cut
    days = dates[kept]
    return {
        "itemized": int(count[kept].sum()),
        "itemized_is_lower_bound": bool(rel["is_lower_bound"].to_numpy(dtype=bool)[kept].any()),
        "n_releases": int(kept.sum()),
        "first_release": pd.Timestamp(days.min()) if len(days) else pd.NaT,
        "last_release": pd.Timestamp(days.max()) if len(days) else pd.NaT,
        "excluded": int(count[cut].sum()),
    }


def _scope_releases(dataset, rule: CountingRule) -> dict[str, pd.DataFrame]:
    """Scope -> the releases, counted, that a total of that scope adds up."""
    # A published total counts everyone it names, at home or abroad, by its best figure:
    # only the rule's choices that a publisher could share (foreign nationals, source
    # strength) carry over to our side of the comparison.
    base = replace(rule, basis="best", include_released_home=True)
    counts = {what: counted_releases(dataset, replace(base, what=what)) for what in COUNT_WHAT}
    freed = counts["freed"]
    rtype = freed["release_type"].astype(str)
    # Sent abroad: people who stayed are taken out (known n_home; a mixed release with an
    # unknown split counts 0 and makes the sum a floor), and a release whose destination
    # was not reported is not counted as an expulsion.
    abroad = counted_releases(dataset, replace(base, include_released_home=False))
    dest = abroad["destination"].astype(str).str.strip().str.lower()
    known = ~dest.isin(["unknown", ""])
    return {
        "all_releases": freed,
        "all_pardons": counts["pardoned"],
        "political_prisoners": counts["political"],
        "decree_pardons": counts["pardoned"][rtype == "pardon"],
        "us_mediated": freed[rtype == "us_deal"],
        "expelled": abroad[known & (dest != "home")],
        "_unknown_destination": freed[~known.to_numpy()],
    }


def itemized_vs_totals(dataset, rule: CountingRule = DEFAULT_RULE) -> pd.DataFrame:
    """Each published total next to our itemized sum of the same thing over the same dates.

    A total up to day D that starts on day S is compared with the releases from S to D
    only (``first_release``, ``last_release``, ``n_releases`` say which). Like with like:
    ``all_releases`` with people freed, ``all_pardons`` with people pardoned,
    ``decree_pardons`` with the domestic pardon waves, ``us_mediated`` with releases on
    the US track, ``expelled`` with people sent abroad (an unreported destination is not
    counted; ``unknown_destination`` says how many such people the window holds).
    Releases a total's own source leaves out (the optional ``totals.excludes`` column,
    ``;``-joined event ids) are left out of our sum too, so a "differs" never comes from a
    release the published figure does not claim to count. ``political_prisoners`` is
    ``not comparable`` where a release in its window gives no such split.

    Columns: ``total_id, as_of, since, scope, value, precision, wording, counter``
    (whose figure it is), ``publisher`` (where it was read), ``source_id, itemized,
    itemized_is_lower_bound, n_releases, first_release, last_release, excluded,
    unknown_destination, difference`` (itemized - published), ``verdict``
    (``consistent`` / ``close`` / ``differs`` / ``not comparable``), ``repeat_of`` (the
    first total giving the same figure: same counter, value and date; "" for the first)
    and ``explanation``.
    """
    t = dataset.totals.reset_index(drop=True)
    since = t["since"].fillna(DEFAULT_SINCE)
    scope = t["scope"].astype(str)
    excl_ids = (
        t["excludes"]
        .astype(str)
        .str.split(";")
        .map(lambda ids: {i.strip() for i in ids if i.strip()})
    )
    rel = _scope_releases(dataset, rule)
    # Totals are a few dozen and releases a few hundred: one window per total reads best.
    rows = []
    for i in t.index:
        window = (since[i], t["as_of"][i])
        row = _window_sum(rel.get(scope[i], rel["all_releases"]), *window, excl_ids[i])
        lost = _window_sum(rel["_unknown_destination"], *window)["itemized"]
        row["unknown_destination"] = lost if scope[i] == "expelled" else 0
        row["all_freed"] = _window_sum(rel["all_releases"], *window)["itemized"]
        rows.append(row)
    sums = pd.DataFrame(rows, columns=[*WINDOW_COLUMNS, "unknown_destination", "all_freed"])
    src = t["source_id"].astype(str)
    credit = dataset.credited_publishers()
    out = pd.DataFrame(
        {
            "total_id": t["total_id"],
            "as_of": t["as_of"],
            "since": since,
            "scope": scope,
            "value": t["value"],
            "precision": t["precision"].astype(str),
            "wording": t["wording"],
            "counter": total_counters(dataset),
            "publisher": src.map(credit).fillna(src).astype("str"),
            "source_id": src,
        }
    )
    out = pd.concat([out, sums.reset_index(drop=True)], axis=1)
    out["itemized"] = out["itemized"].astype("Int64")
    out["difference"] = (out["itemized"] - out["value"]).astype("Int64")
    out["verdict"] = _verdict(out)
    # A partial political count (some releases give no split) measures nothing against a
    # published total: saying "differs" would blame the source for our gap.
    partial = (scope == "political_prisoners") & out["itemized_is_lower_bound"]
    out.loc[partial, "verdict"] = "not comparable"
    out["repeat_of"] = _repeat_of(out)
    out["explanation"] = _explain(out)
    out = out.drop(columns="all_freed")
    out.attrs.update(selection="published totals", coverage=coverage(dataset.events))
    return out


def total_counters(dataset) -> pd.Series:
    """Whose count each published total is: the counter of its source (:func:`counters`)."""
    src = dataset.totals["source_id"].astype(str).reset_index(drop=True)
    return src.map(counters(dataset)).fillna(src).astype("str")


def _figure_key(cmp: pd.DataFrame) -> pd.Series:
    """One string per published figure (:data:`FIGURE_KEY`; the publisher stands in for
    the counter in a frame without one)."""
    cols = [c if c in cmp else "publisher" for c in FIGURE_KEY]
    return cmp[cols].astype(str).agg("|".join, axis=1) if len(cmp) else pd.Series(dtype=str)


def _repeat_of(cmp: pd.DataFrame) -> pd.Series:
    """The total_id of the first row giving the same figure, "" for a figure's first row."""
    first = cmp.groupby(_figure_key(cmp), sort=False)["total_id"].transform("first").astype(str)
    return first.where(first != cmp["total_id"].astype(str), "").astype("str")


def distinct_figures(cmp: pd.DataFrame) -> pd.DataFrame:
    """One row per published figure in ``cmp`` (its first row), with ``n_reports`` (how many
    rows relay it) and ``source_ids`` (all of theirs). Computed within ``cmp``, so a filter
    that keeps only a relay of a figure still keeps the figure."""
    key = _figure_key(cmp)
    first = cmp[~key.duplicated()].copy()
    first["n_reports"] = key[~key.duplicated()].map(key.value_counts()).astype(int)
    ids = join_unique(cmp["source_id"].astype(str), by=key) if len(cmp) else pd.Series(dtype=str)
    first["source_ids"] = key[~key.duplicated()].map(ids).astype("str")
    return first


def totals_on_chart(
    cmp: pd.DataFrame, *, start=None, end=None, scopes=TOTALS_SCOPES
) -> pd.DataFrame:
    """The rows 05-totals draws: one per distinct published figure (:func:`distinct_figures`)
    of the given scopes, dated ``start`` to ``end``, that can be compared with our sum."""
    sel = cmp[between(cmp["as_of"], start, end) & cmp["scope"].astype(str).isin(list(scopes))]
    out = distinct_figures(sel)
    out = out[out["verdict"] != "not comparable"].reset_index(drop=True)
    out.attrs.update(cmp.attrs, selection="comparable published totals in " + ", ".join(scopes))
    return out


def totals_table(cmp: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """Every published total with our itemized sum and the verdict (05-totals-table.csv);
    ``on_figure`` says which rows the chart draws (``shown``, :func:`totals_on_chart`)."""
    cols = [
        "total_id", "as_of", "since", "scope", "counter", "publisher", "value", "precision",
        "wording", "itemized", "itemized_is_lower_bound", "n_releases", "first_release",
        "last_release", "excluded", "unknown_destination", "difference", "verdict",
        "repeat_of", "explanation", "source_id",
    ]  # fmt: skip
    out = cmp[cols].sort_values(["as_of", "total_id"]).reset_index(drop=True)
    out.insert(len(out.columns) - 2, "on_figure", out["total_id"].isin(list(shown["total_id"])))
    for c in ("as_of", "since", "first_release", "last_release"):
        out[c] = out[c].dt.strftime("%Y-%m-%d").fillna("")
    return out


def comparable_with_line(cmp: pd.DataFrame, count_what: str, start) -> pd.DataFrame:
    """The totals a running total of ``count_what`` from ``start`` can be drawn against:
    the same thing counted from the same day (the others belong in the table)."""
    start = DEFAULT_SINCE if start in (None, "") else pd.Timestamp(start)
    same = (cmp["scope"].astype(str) == SCOPE_OF[count_what]) & (cmp["since"] == start)
    return cmp[same & (cmp["verdict"] != "not comparable")]


def agreement(cmp: pd.DataFrame) -> tuple[int, int]:
    """(published figures that agree with our sum, published figures compared), each
    figure counted once however many rows relay it: one count for every title."""
    compared = distinct_figures(cmp)
    compared = compared[compared["verdict"] != "not comparable"]
    return int((compared["verdict"] == "consistent").sum()), len(compared)


def checked_span(cmp: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(first day, last day) of the releases the compared totals cover, or None: what a
    title may say was checked. Releases after the last day are checked by no total."""
    c = cmp[cmp["verdict"] != "not comparable"]
    if c.empty or c["last_release"].isna().all():
        return None
    return pd.Timestamp(c["first_release"].min()), pd.Timestamp(c["last_release"].max())


def _verdict(cmp: pd.DataFrame) -> pd.Series:
    value = cmp["value"].astype("float64")
    diff = cmp["difference"].astype("float64")
    fallback = pd.Series(np.where(diff == 0, 0.0, np.inf), index=cmp.index)
    rel = (diff.abs() / value.where(value > 0)).fillna(fallback)
    at_least = cmp["precision"].astype(str) == "at_least"
    # "More than N" is met by any itemized sum >= N; only a shortfall counts against it.
    verdict = np.select(
        [at_least & (diff >= 0), ~at_least & (rel <= CONSISTENT_WITHIN), rel <= CLOSE_WITHIN],
        ["consistent", "consistent", "close"],
        "differs",
    )
    return pd.Series(verdict, index=cmp.index, dtype="str")


def _day(ts) -> str:
    return f"{pd.Timestamp(ts):%-d %b %Y}"


def _explain(cmp: pd.DataFrame) -> pd.Series:
    """One plain sentence per total (totals are few: a loop reads best here)."""
    sentences = []
    for row in cmp.itertuples(index=False):
        said = {"at_least": "more than ", "approx": "about "}.get(row.precision, "")
        window = f"{_day(row.since)} to {_day(row.as_of)}"
        if row.verdict == "not comparable":
            sentences.append(
                f"{row.counter} gives {row.value:,} recognised political prisoners ({window}); "
                f"our releases give that split for only some releases (at least "
                f"{row.itemized:,}), and all people freed in the window come to {row.all_freed:,}: "
                "not comparable line by line."
            )
            continue
        ours = ("at least " if row.itemized_is_lower_bound else "") + f"{row.itemized:,}"
        which = (
            f"our {row.n_releases:,} releases from {_day(row.first_release)} to "
            f"{_day(row.last_release)}" if row.n_releases else "our releases"
        )  # fmt: skip
        head = (
            f"{row.counter} gives {said}{row.value:,} "
            f"({SCOPE_WORDS.get(row.scope, row.scope)}, {window}); {which} add up to {ours}"
        )
        more = "more" if (row.difference or 0) > 0 else "fewer"
        tail = {
            "consistent": ", which meets the 'more than' figure."
            if row.precision == "at_least"
            else ", which matches within 2 %.",
            "close": f", {abs(row.difference):,} {more}: close (within 5 %).",
        }.get(row.verdict, f", {abs(row.difference):,} {more}: the two differ.")
        extra = ""
        if row.excluded:
            extra += (
                f" Left out, as the source does: {row.excluded:,} people its figure does not count."
            )
        if row.unknown_destination:
            extra += f" Not counted as sent abroad: {row.unknown_destination:,} whose destination was not reported."
        sentences.append(head + tail + extra)
    return pd.Series(sentences, index=cmp.index, dtype="str")
