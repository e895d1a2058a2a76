"""Release series (per release, month or quarter) with cumulative totals, and the stock still held.

Pure transforms: DataFrames in, DataFrames out, no I/O, no per-event Python
loops. Every output frame carries ``attrs["selection"]`` (what was asked for)
and ``attrs["coverage"]`` (what the data holds) so a plot of an empty result
can say why it is empty.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..data.read import per_distinct
from .common import (
    between,
    coverage,
    describe_window,
    destination_tokens,
    fmt_day,
    join_unique,
    to_timestamp,
)

GRANULARITIES = ("event", "month", "quarter")
COUNT_BASES = ("best", "lower", "upper")

#: What a release total counts. Each is a different documented quantity, and a headline
#: names the one it counts, in these words.
COUNT_WHAT = {
    "freed": "people freed",
    "pardoned": "pardons",
    "political": "recognised political prisoners freed",
}
#: The kinds of release a total adds up. A ``swap`` (Rico Krieger, handed over in the
#: Russia-West exchange of 1 Aug 2024) is a release by Belarus, but it belongs to another
#: negotiation, so it stays in the table and out of every sum about this track.
COUNTED_RELEASE_TYPES = ("pardon", "us_deal", "transfer")
#: How firmly an event's sources establish it (see :func:`event_confidence`), weakest first.
CONFIDENCE_LEVELS = ("low", "medium", "high")
CONFIDENCE_WORDS = {
    "high": "an official document or two independent outlets",
    "medium": "one original outlet",
    "low": "only copies or aggregators (single or weak source)",
}
_PERIOD_CODE = {"month": "M", "quarter": "Q"}

# Precisions that make a count only a floor: "more than 50" (at_least) and a
# release whose size was never reported (unknown).
LOWER_BOUND_PRECISIONS = ("at_least", "unknown")


# -- counting rules -------------------------------------------------------------------------


def _base_counts(releases: pd.DataFrame, claims: pd.DataFrame | None, basis: str) -> pd.DataFrame:
    """Count per release under ``basis`` and whether the chosen figure is only a floor."""
    precision = releases["count_precision"].astype(object)
    own = pd.DataFrame(
        {
            "event_id": releases["event_id"].to_numpy(),
            "value": releases["count"].astype("Float64").to_numpy(),
            "floor": precision.isin(LOWER_BOUND_PRECISIONS).to_numpy(),
        }
    )
    if basis == "best" or claims is None or claims.empty:
        return own.set_index("event_id")
    cl = claims[(claims["field"].astype(object) == "count") & claims["value_num"].notna()]
    cl = cl[cl["event_id"].isin(own["event_id"])]
    claimed = pd.DataFrame(
        {
            "event_id": cl["event_id"].to_numpy(),
            "value": cl["value_num"].astype("Float64").to_numpy(),
            "floor": (cl["precision"].astype(object) == "at_least").to_numpy(),
        }
    )
    allv = pd.concat([own, claimed], ignore_index=True)
    allv = allv[allv["value"].notna()]
    pick = allv.groupby("event_id")["value"].transform("min" if basis == "lower" else "max")
    chosen = allv[allv["value"] == pick]
    # The chosen figure is a floor when any source giving exactly that figure said "at least".
    picked = chosen.groupby("event_id").agg(value=("value", "first"), floor=("floor", "any"))
    out = own.set_index("event_id")
    out.loc[picked.index, "value"] = picked["value"]
    out.loc[picked.index, "floor"] = picked["floor"]
    return out


def event_confidence(events: pd.DataFrame, sources: pd.DataFrame | None) -> pd.Series:
    """``high`` / ``medium`` / ``low`` per event, from the tiers of its sources.

    high: an official document, or two or more independent original outlets (two copies
    of one wire story are one outlet); medium: one original outlet; low: only
    re-publications whose original could not be read, aggregators or pages of unknown
    ownership. Without a sources table (or its ``tier`` column) every event is ``high``:
    nothing is known against it, and nothing is dropped silently.
    """
    if sources is None or "tier" not in sources.columns:
        return pd.Series("high", index=events.index, dtype="str")
    ids = events["source_ids"].astype(str).str.split(";").explode()
    src = sources.set_index("source_id")
    tier = ids.map(src["tier"].astype(str))
    outlet = ids.map(src["publisher"].astype(str))
    firm = tier.isin(["official", "original"])
    n_outlets = outlet.where(firm).groupby(level=0).nunique()
    official = (tier == "official").groupby(level=0).any()
    level = pd.Series("low", index=events.index, dtype="str")
    level[n_outlets.reindex(events.index, fill_value=0) >= 1] = "medium"
    level[
        (n_outlets.reindex(events.index, fill_value=0) >= 2)
        | official.reindex(events.index, fill_value=False)
    ] = "high"
    return level


def counted_releases(
    events: pd.DataFrame,
    claims: pd.DataFrame | None = None,
    *,
    include_foreign_nationals: bool = True,
    include_released_home: bool = True,
    count_basis: str = "best",
    count_what: str = "freed",
    sources: pd.DataFrame | None = None,
    min_confidence: str = "low",
) -> pd.DataFrame:
    """Every counted release with its count after the counting rules (no date filter).

    ``count_what``: ``freed`` (people actually freed, each once: someone who refused to
    leave is counted when finally freed), ``pardoned`` (people pardoned or announced,
    ``n_pardoned``, else the number freed) or ``political`` (recognised political
    prisoners among them, ``n_political``; a release without that split counts 0 and
    makes the sum a lower bound). Releases of type ``swap`` are never counted
    (:data:`COUNTED_RELEASE_TYPES`); releases whose sources are weaker than
    ``min_confidence`` are left out.

    Columns: ``date, event_id, title, short_label, release_type, confidence,
    count_precision, destination, source_ids, count, is_lower_bound, may_include_foreign``.
    Used by :func:`release_series` and :func:`belthaw.transforms.claims.itemized_vs_totals`.

    >>> counted_releases(ds.events)[["event_id", "count"]]  # doctest: +SKIP
    """
    if count_basis not in COUNT_BASES:
        raise ValueError(f"count_basis must be one of {COUNT_BASES}, not {count_basis!r}")
    if count_what not in COUNT_WHAT:
        raise ValueError(f"count_what must be one of {tuple(COUNT_WHAT)}, not {count_what!r}")
    if min_confidence not in CONFIDENCE_LEVELS:
        raise ValueError(
            f"min_confidence must be one of {CONFIDENCE_LEVELS}, not {min_confidence!r}"
        )
    rel = events[events["kind"].astype(object) == "release"]
    if "release_type" in rel.columns:
        rtype = rel["release_type"].astype(object)
        rel = rel[rtype.isin(COUNTED_RELEASE_TYPES) | rtype.isna()]
    confidence = event_confidence(rel, sources)
    keep = confidence.map(CONFIDENCE_LEVELS.index) >= CONFIDENCE_LEVELS.index(min_confidence)
    rel, confidence = rel[keep], confidence[keep]
    order = rel.sort_values(["date", "event_id"], kind="stable").index
    rel, confidence = (
        rel.loc[order].reset_index(drop=True),
        confidence.loc[order].reset_index(drop=True),
    )
    if count_what != "freed":
        rel = rel.copy()
        column = {"pardoned": "n_pardoned", "political": "n_political"}[count_what]
        own = (
            rel[column].astype("Float64")
            if column in rel.columns
            else pd.Series(pd.NA, index=rel.index, dtype="Float64")
        )
        if count_what == "pardoned":
            # Where no source separates the pardoned from the freed, they are the same people.
            own = own.fillna(rel["count"].astype("Float64"))
            precision = rel["count_precision"].astype(object)
        else:
            # No recognised split: the release adds nothing and the sum becomes a floor.
            precision = pd.Series(np.where(own.isna(), "unknown", "exact"), index=rel.index)
        rel["count"] = own.round().astype("Int64")
        rel["count_precision"] = pd.Categorical(
            precision,
            categories=rel["count_precision"].cat.categories
            if hasattr(rel["count_precision"], "cat")
            else None,
        )
        claims = None  # source claims give people freed, not these sub-counts
    base = _base_counts(rel, claims, count_basis).reindex(rel["event_id"])
    value = pd.Series(base["value"].to_numpy(), index=rel.index, dtype="Float64")
    floor = pd.Series(base["floor"].to_numpy(dtype=bool), index=rel.index)

    # A release with no reported size still happened: we keep it with 0 people so it is
    # drawn and counted as an event, and flag it a lower bound (the true number is >= 0).
    floor |= value.isna()
    value = value.fillna(0)

    has_home = per_distinct(
        rel["destination"].astype(str), lambda u: _contains(destination_tokens(u), "home")
    )
    only_home = rel["destination"].astype(str).str.lower().eq("home")
    if not include_released_home:
        n_home = rel["n_home"].astype("Float64")
        # Everyone stayed home when home is the only destination, so n_home = count exactly.
        n_home = n_home.mask(n_home.isna() & only_home, value)
        # Mixed destination and unknown n_home: we cannot tell how many left the country, so
        # we drop the whole release (count 0) and flag it: the true non-home count is >= 0.
        unknown_home = n_home.isna() & has_home
        value = value.mask(unknown_home, 0)
        floor |= unknown_home
        value = value - n_home.fillna(0).where(~unknown_home, 0)
    may_include_foreign = pd.Series(False, index=rel.index)
    if not include_foreign_nationals:
        n_foreign = rel["n_foreign"].astype("Float64")
        # Unknown n_foreign is treated as 0: the count then may still include some foreign
        # nationals, so it is an upper-bound-ish figure for Belarusians alone. We do not
        # clear is_lower_bound (a floor stays a floor); we flag it in may_include_foreign.
        may_include_foreign = n_foreign.isna() & (value > 0)
        value = value - n_foreign.fillna(0)
    value = value.clip(lower=0).round().astype("Int64")

    return pd.DataFrame(
        {
            "date": rel["date"],
            "event_id": rel["event_id"],
            "title": rel["title"],
            "short_label": rel["short_label"] if "short_label" in rel.columns else rel["title"],
            "release_type": rel["release_type"].astype(str)
            if "release_type" in rel.columns
            else "",
            "confidence": confidence,
            "count_precision": rel["count_precision"],
            "destination": rel["destination"],
            "source_ids": rel["source_ids"],
            "count": value,
            "is_lower_bound": floor.astype(bool),
            "may_include_foreign": may_include_foreign.astype(bool).to_numpy(),
        }
    )


def _contains(tokens: pd.Series, item: str) -> pd.Series:
    """Vectorised ``item in list`` over a Series of lists."""
    exploded = tokens.explode()
    hit = exploded.eq(item)
    return hit.groupby(level=0).any().reindex(tokens.index, fill_value=False)


def _cumulate(frame: pd.DataFrame) -> pd.DataFrame:
    frame["cumulative"] = frame["count"].cumsum().astype("Int64")
    # A sum that contains a lower bound is itself only a lower bound, from that row on.
    frame["cumulative_is_lower_bound"] = frame["is_lower_bound"].cummax().astype(bool)
    return frame


def release_series(
    events: pd.DataFrame,
    claims: pd.DataFrame | None = None,
    *,
    start=None,
    end=None,
    granularity: str = "event",
    include_foreign_nationals: bool = True,
    include_released_home: bool = True,
    count_basis: str = "best",
    count_what: str = "freed",
    sources: pd.DataFrame | None = None,
    min_confidence: str = "low",
) -> pd.DataFrame:
    """People released, per release or per month/quarter, with a running total.

    ``granularity="event"``: one row per release with ``period`` (the release date),
    ``event_id, title, count, is_lower_bound, count_precision, destination, n_events,
    source_ids, cumulative, cumulative_is_lower_bound, may_include_foreign``.
    ``"month"``/``"quarter"``: one row per period start (empty periods between the first
    and the last release included with count 0) with ``period, n_events, count,
    is_lower_bound, destination, source_ids, cumulative, cumulative_is_lower_bound,
    may_include_foreign``.

    ``count_basis``: ``best`` (events.count) or ``lower``/``upper`` (min/max of the
    event's count and every numeric count claim). ``include_released_home=False``
    subtracts ``n_home``; ``include_foreign_nationals=False`` subtracts ``n_foreign``.

    >>> s = release_series(ds.events, ds.claims, granularity="month")  # doctest: +SKIP
    >>> s[["period", "count", "cumulative"]].tail(1)                    # doctest: +SKIP
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    counted = counted_releases(
        events,
        claims,
        include_foreign_nationals=include_foreign_nationals,
        include_released_home=include_released_home,
        count_basis=count_basis,
        count_what=count_what,
        sources=sources,
        min_confidence=min_confidence,
    )
    sel = counted[between(counted["date"], start, end)].reset_index(drop=True)
    if granularity == "event":
        out = sel.rename(columns={"date": "period"})
        out.insert(list(out.columns).index("source_ids"), "n_events", 1)
        out = out[
            [
                "period",
                "event_id",
                "title",
                "short_label",
                "count",
                "is_lower_bound",
                "count_precision",
                "confidence",
                "destination",
                "n_events",
                "source_ids",
                "may_include_foreign",
            ]
        ]
        out = _cumulate(out.copy())
    else:
        out = _aggregate(sel, _PERIOD_CODE[granularity])
    out.attrs.update(
        selection=describe_window("releases", start, end),
        coverage=coverage(events),
        granularity=granularity,
        count_basis=count_basis,
        count_what=count_what,
        min_confidence=min_confidence,
        include_foreign_nationals=include_foreign_nationals,
        include_released_home=include_released_home,
        start=fmt_day(to_timestamp(start)) if start is not None else None,
        end=fmt_day(to_timestamp(end)) if end is not None else None,
    )
    return out


def _aggregate(sel: pd.DataFrame, code: str) -> pd.DataFrame:
    columns = [
        "period",
        "n_events",
        "count",
        "is_lower_bound",
        "confidence",
        "destination",
        "source_ids",
        "cumulative",
        "cumulative_is_lower_bound",
        "may_include_foreign",
    ]
    if sel.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        empty["period"] = pd.Series(dtype="datetime64[ns]")
        return empty
    period = sel["date"].dt.to_period(code)
    grouped = sel.groupby(period, sort=True)
    agg = grouped.agg(
        n_events=("event_id", "size"),
        count=("count", "sum"),
        is_lower_bound=("is_lower_bound", "any"),
        may_include_foreign=("may_include_foreign", "any"),
        confidence=("confidence", lambda c: min(c, key=CONFIDENCE_LEVELS.index)),
    )
    # Group the joins by the integer period ordinal: a Series of Period objects would be
    # boxed one Python object per row.
    ordinal = pd.Series(period.array.asi8, index=sel.index)
    for col in ("source_ids", "destination"):
        joined = join_unique(sel[col], ordinal)
        joined.index = pd.PeriodIndex.from_ordinals(joined.index.to_numpy(), freq=code)
        agg[col] = joined
    full = pd.period_range(period.min(), period.max(), freq=code)
    agg = agg.reindex(full)
    agg["n_events"] = agg["n_events"].fillna(0).astype("int64")
    agg["count"] = agg["count"].fillna(0).astype("Int64")
    for col in ("is_lower_bound", "may_include_foreign"):
        agg[col] = agg[col].astype("boolean").fillna(False).astype(bool)
    for col in ("source_ids", "destination"):
        agg[col] = agg[col].fillna("").astype("str")
    agg["confidence"] = agg["confidence"].fillna("high").astype("str")  # an empty period
    agg["period"] = agg.index.start_time.astype("datetime64[ns]")
    out = _cumulate(agg.reset_index(drop=True))
    return out[columns]


def stock_series(
    prisoner_counts: pd.DataFrame,
    *,
    counted_by: str | Iterable[str] | None = None,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Political prisoners still held, by date (optionally one counter, a date window).

    Columns ``date, count, precision, counted_by, source_id``, sorted by date.

    >>> stock_series(ds.prisoner_counts, counted_by="Viasna").tail(1)  # doctest: +SKIP
    """
    pc = prisoner_counts
    mask = between(pc["date"], start, end)
    if counted_by is not None:
        who = [counted_by] if isinstance(counted_by, str) else list(counted_by)
        mask &= pc["counted_by"].str.lower().isin([w.lower() for w in who])
    out = pc.loc[mask, ["date", "count", "precision", "counted_by", "source_id"]]
    out = out.sort_values(["date", "counted_by"], kind="stable").reset_index(drop=True)
    what = "prisoner counts" + (f" by {counted_by}" if isinstance(counted_by, str) else "")
    out.attrs.update(selection=describe_window(what, start, end), coverage=coverage(pc, ["date"]))
    return out


__all__ = [
    "release_series",
    "stock_series",
    "counted_releases",
]
