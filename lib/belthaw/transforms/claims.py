"""Where sources disagree: per-event claim ranges, and published totals vs our itemized sum.

Pure transforms (no I/O, vectorised over claims and releases).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..counting import COUNT_WHAT, DEFAULT_RULE, CountingRule
from .common import coverage
from .timeline import counted_releases

#: The start of a published total is required data (``totals.since``); a synthetic table
#: without one is read as counting from the first release of the track.
DEFAULT_SINCE = pd.Timestamp("2024-07-01")
#: Relative difference up to which an exact/approx total is "consistent" / "close".
CONSISTENT_WITHIN, CLOSE_WITHIN = 0.02, 0.05

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


def _numeric_claims(dataset, field: str, kinds=None) -> pd.DataFrame:
    cl = dataset.claims
    cl = cl[(cl["field"].astype(object) == field) & cl["value_num"].notna()]
    pub = dataset.sources.set_index("source_id")["publisher"]
    ev = dataset.events.set_index("event_id")
    if kinds is not None:
        # Only claims about events of these kinds (a count of stranded trucks is no release).
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        cl = cl[cl["event_id"].map(ev["kind"].astype(object)).isin(wanted)]
    best = ev[field] if field in ev.columns else pd.Series(np.nan, index=ev.index)
    out = pd.DataFrame(
        {
            "claim_id": cl["claim_id"],
            "event_id": cl["event_id"],
            "date": cl["event_id"].map(ev["date"]),
            "title": cl["event_id"].map(ev["title"]).astype("str"),
            "source_id": cl["source_id"],
            "publisher": cl["source_id"].map(pub).fillna(cl["source_id"]).astype("str"),
            "value": cl["value"],
            "value_num": cl["value_num"].astype("float64"),
            "precision": cl["precision"],
            "best": pd.to_numeric(cl["event_id"].map(best), errors="coerce").astype("float64"),
        }
    )
    return out.reset_index(drop=True)


def claims_long(dataset, event_ids=None, field: str = "count", *, kinds=None) -> pd.DataFrame:
    """One row per numeric claim, ready to draw.

    Columns: ``claim_id, event_id, date, title, source_id, publisher, value, value_num,
    precision, best`` (``best`` = the event's own value of ``field``, NaN if none).
    Sorted by event date, then value. ``kinds`` (e.g. ``("release",)``) keeps only
    claims about events of those kinds; None keeps all.

    >>> claims_long(ds, ["ev-20250911-release"])[["publisher", "value_num"]]  # doctest: +SKIP
    """
    out = _numeric_claims(dataset, field, kinds)
    if event_ids is not None:
        ids = [event_ids] if isinstance(event_ids, str) else list(event_ids)
        out = out[out["event_id"].isin(ids)]
    out = out.sort_values(["date", "event_id", "value_num", "claim_id"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(
        selection=f"numeric '{field}' claims"
        + ("" if event_ids is None else " for the chosen events"),
        coverage=coverage(dataset.events),
    )
    return out


def claim_ranges(dataset, *, field: str = "count", kinds=None) -> pd.DataFrame:
    """Events with two or more numeric claims for ``field``: the range the sources span.

    One row per such event: ``event_id, date, title, best, low, high, n_sources, n_claims,
    values`` (list of ``(publisher, value text, precision)``), ``source_ids`` (the claims'
    sources, ``;``-joined), ``n_values`` (distinct numbers the claims give),
    ``disputed`` (low != high). ``kinds`` (e.g. ``("release",)``) keeps only events
    of those kinds; None keeps all.
    ``low``/``high`` span the claims *and* the event's own best value (the convention of
    the ``lower``/``upper`` count bases). "Two or more" counts claim rows, so an event
    whose sources all agree is kept with ``disputed=False``.

    >>> claim_ranges(ds).query("disputed")[["event_id", "low", "high"]]  # doctest: +SKIP
    """
    cl = _numeric_claims(dataset, field, kinds)
    cl = cl.sort_values(["event_id", "value_num", "claim_id"], kind="stable")
    cl["triple"] = list(
        zip(cl["publisher"], cl["value"].astype(str), cl["precision"].astype(str), strict=True)
    )
    g = cl.groupby("event_id", sort=False)
    out = g.agg(
        date=("date", "first"),
        title=("title", "first"),
        best=("best", "first"),
        low=("value_num", "min"),
        high=("value_num", "max"),
        n_sources=("source_id", "nunique"),
        n_claims=("claim_id", "size"),
        values=("triple", list),
        source_ids=("source_id", ";".join),
        n_values=("value_num", "nunique"),
    ).reset_index()
    out = out[out["n_claims"] >= 2]
    out["low"] = np.fmin(out["low"], out["best"])
    out["high"] = np.fmax(out["high"], out["best"])
    out["disputed"] = out["low"] != out["high"]
    out = out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
    out.attrs.update(
        selection=f"events with two or more numeric '{field}' claims",
        coverage=f"{len(cl)} numeric '{field}' claims in the data",
    )
    return out


def _itemized(releases: pd.DataFrame, since: pd.Series, as_of: pd.Series):
    """Sum and lower-bound flag of ``releases`` with since <= date <= as_of, per window.

    Prefix sums over releases sorted by date plus a sorted search per window:
    O((R + T) log R), no R x T cross join.
    """
    r = releases.sort_values("date", kind="stable")
    dates = r["date"].to_numpy("datetime64[ns]")
    csum = np.concatenate([[0], np.cumsum(r["count"].fillna(0).to_numpy("int64"))])
    cfloor = np.concatenate([[0], np.cumsum(r["is_lower_bound"].to_numpy("int64"))])
    lo = np.searchsorted(dates, since.to_numpy("datetime64[ns]"), side="left")
    hi = np.searchsorted(dates, as_of.to_numpy("datetime64[ns]"), side="right")
    return csum[hi] - csum[lo], (cfloor[hi] - cfloor[lo]) > 0


def itemized_vs_totals(dataset, rule: CountingRule = DEFAULT_RULE) -> pd.DataFrame:
    """Each published total next to our itemized sum of the same thing over the same window.

    Columns: ``total_id, as_of, since, scope, value, precision, wording, publisher,
    source_id, itemized, itemized_is_lower_bound, difference`` (itemized - published),
    ``verdict`` (``consistent`` / ``close`` / ``differs`` / ``not comparable``) and
    ``explanation``.

    Like with like: ``all_releases`` is compared with people freed, ``all_pardons`` with
    people pardoned, ``decree_pardons`` with the domestic pardon waves, ``us_mediated``
    with releases on the US track, ``expelled`` with releases sent abroad, each summed
    from the total's own ``since`` to its ``as_of``. ``political_prisoners`` is compared
    only where every release in its window says how many were recognised political
    prisoners; otherwise it is ``not comparable`` and the explanation gives both our
    partial count and all people freed (a political-prisoner total cannot exceed it).

    >>> itemized_vs_totals(ds)[["total_id", "itemized", "verdict"]]  # doctest: +SKIP
    """
    # A published total counts everyone it names, at home or abroad, by its best figure:
    # only the rule's choices that a publisher could share (foreign nationals, source
    # strength) carry over to our side of the comparison.
    base = replace(rule, basis="best", include_released_home=True)
    counts = {what: counted_releases(dataset, replace(base, what=what)) for what in COUNT_WHAT}
    freed = counts["freed"]
    dest = freed["destination"].astype(str).str.lower()
    rtype = freed["release_type"].astype(str)
    everything = pd.Series(True, index=freed.index)
    # scope -> (what is counted, which releases)
    scopes = {
        "all_releases": ("freed", everything),
        "all_pardons": ("pardoned", everything),
        "political_prisoners": ("political", everything),
        "decree_pardons": ("pardoned", rtype == "pardon"),
        "us_mediated": ("freed", rtype == "us_deal"),
        # A mixed destination ("Lithuania;home") counts as sent abroad: most were, and
        # n_home is often unknown; the explanation says what each scope sums.
        "expelled": ("freed", dest != "home"),
    }
    t = dataset.totals.reset_index(drop=True)
    since = t["since"].fillna(DEFAULT_SINCE)
    scope = t["scope"].astype(object)
    itemized = pd.Series(0, index=t.index, dtype="int64")
    floor = pd.Series(False, index=t.index)
    all_freed = pd.Series(0, index=t.index, dtype="int64")
    for name, (what, subset) in scopes.items():  # six scopes, not a loop over events
        rows = scope == name
        if rows.any():
            rel = counts[what]
            s, f = _itemized(rel[subset.to_numpy()], since[rows], t.loc[rows, "as_of"])
            itemized[rows], floor[rows] = s, f
            all_freed[rows], _ = _itemized(freed, since[rows], t.loc[rows, "as_of"])
    credit = dataset.credited_publishers() if hasattr(dataset, "credited_publishers") else {}
    pub = dataset.sources.set_index("source_id")["publisher"]
    out = pd.DataFrame(
        {
            "total_id": t["total_id"],
            "as_of": t["as_of"],
            "since": since,
            "scope": t["scope"],
            "value": t["value"],
            "precision": t["precision"],
            "wording": t["wording"],
            "publisher": t["source_id"].map(lambda i: credit.get(i, pub.get(i, i))).astype("str"),
            "source_id": t["source_id"],
            "itemized": itemized.astype("Int64"),
            "itemized_is_lower_bound": floor.astype(bool),
        }
    )
    out["difference"] = (out["itemized"] - out["value"]).astype("Int64")
    out["verdict"] = _verdict(out)
    # A partial political count (some releases give no split) measures nothing against a
    # published total: saying "differs" would blame the source for our gap.
    partial = (scope == "political_prisoners") & floor
    out.loc[partial, "verdict"] = "not comparable"
    out["all_freed"] = all_freed.astype("Int64")
    out["explanation"] = _explain(out)
    out = out.drop(columns="all_freed")
    out.attrs.update(selection="published totals", coverage=coverage(dataset.events))
    return out


def comparable_with_line(cmp: pd.DataFrame, count_what: str, start) -> pd.DataFrame:
    """The totals a running total of ``count_what`` from ``start`` can be drawn against:
    the same thing counted from the same day (the others belong in the table)."""
    start = DEFAULT_SINCE if start in (None, "") else pd.Timestamp(start)
    same = (cmp["scope"].astype(str) == SCOPE_OF[count_what]) & (cmp["since"] == start)
    return cmp[same & (cmp["verdict"] != "not comparable")]


def agreement(cmp: pd.DataFrame) -> tuple[int, int]:
    """(totals that agree with our sum, totals compared): one count for every title."""
    compared = cmp[cmp["verdict"] != "not comparable"]
    return int((compared["verdict"] == "consistent").sum()), len(compared)


def _verdict(cmp: pd.DataFrame) -> pd.Series:
    value = cmp["value"].astype("float64")
    diff = cmp["difference"].astype("float64")
    fallback = pd.Series(np.where(diff == 0, 0.0, np.inf), index=cmp.index)
    rel = (diff.abs() / value.where(value > 0)).fillna(fallback)
    at_least = cmp["precision"].astype(object) == "at_least"
    # "More than N" is met by any itemized sum >= N; only a shortfall counts against it.
    verdict = np.select(
        [at_least & (diff >= 0), ~at_least & (rel <= CONSISTENT_WITHIN), rel <= CLOSE_WITHIN],
        ["consistent", "consistent", "close"],
        "differs",
    )
    return pd.Series(verdict, index=cmp.index, dtype="str")


def _explain(cmp: pd.DataFrame) -> pd.Series:
    """One plain sentence per total; totals are few, so a comprehension is fine here."""
    sentences = []
    for row in cmp.itertuples(index=False):
        said = {"at_least": "more than ", "approx": "about "}.get(str(row.precision), "")
        ours = ("at least " if row.itemized_is_lower_bound else "") + f"{row.itemized:,}"
        if row.verdict == "not comparable":
            sentences.append(
                f"{row.publisher} gives {row.value:,} recognised political prisoners "
                f"({row.since:%-d %b %Y} to {row.as_of:%-d %b %Y}); our releases give that split "
                f"for only some releases (at least {row.itemized:,}), and all people freed in "
                f"the window come to {row.all_freed:,}: not comparable line by line."
            )
            continue
        window = f"{row.since:%-d %b %Y} to {row.as_of:%-d %b %Y}"
        scope = SCOPE_WORDS.get(str(row.scope), str(row.scope))
        head = (
            f"{row.publisher} gives {said}{row.value:,} ({scope}, {window}); "
            f"our itemized releases add up to {ours}"
        )
        if row.verdict == "consistent" and str(row.precision) == "at_least":
            tail = ", which meets the 'more than' figure."
        elif row.verdict == "consistent":
            tail = ", which matches within 2 %."
        elif row.verdict == "close":
            more = "more" if row.difference > 0 else "fewer"
            tail = f", {abs(row.difference):,} {more}: close (within 5 %)."
        else:
            more = "more" if row.difference > 0 else "fewer"
            tail = f", {abs(row.difference):,} {more}: the two differ."
        sentences.append(head + tail)
    return pd.Series(sentences, index=cmp.index, dtype="str")


__all__ = [
    "claim_ranges",
    "claims_long",
    "itemized_vs_totals",
    "comparable_with_line",
    "agreement",
    "DEFAULT_SINCE",
]
