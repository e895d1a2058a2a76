"""Release series (per release, month or quarter) with cumulative totals, and the stock still held.

Pure and vectorised (no per-event Python loops). Every output frame carries
``attrs["selection"]`` (what was asked for) and ``attrs["coverage"]`` (what the data
holds) so a plot of an empty result can say why it is empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..counting import (
    CONFIDENCE_LEVELS,
    COUNTED_RELEASE_TYPES,
    DEFAULT_RULE,
    GRANULARITIES,
    CountingRule,
)
from ..data.read import per_distinct
from .common import between, coverage, describe_window, join_unique

_PERIOD_CODE = {"month": "M", "quarter": "Q"}

# Precisions that make a count only a floor: "more than 50" (at_least) and a
# release whose size was never reported (unknown).
LOWER_BOUND_PRECISIONS = ("at_least", "unknown")

EVENT_COLUMNS = [
    "period", "period_end", "event_id", "title", "short_label", "release_type", "count",
    "is_lower_bound", "count_precision", "confidence", "destination", "n_events", "n_weak",
    "source_ids", "may_include_foreign",
]  # fmt: skip
PERIOD_COLUMNS = [
    "period", "period_end", "n_events", "n_weak", "count", "is_lower_bound", "confidence",
    "destination", "source_ids", "cumulative", "cumulative_is_lower_bound", "may_include_foreign",
]  # fmt: skip


def _base_counts(releases: pd.DataFrame, claims: pd.DataFrame | None, basis: str) -> pd.DataFrame:
    """Count per release under ``basis`` and whether the chosen figure is only a floor."""
    own = pd.DataFrame(
        {
            "event_id": releases["event_id"].to_numpy(),
            "value": releases["count"].astype("Float64").to_numpy(),
            "floor": releases["count_precision"].isin(LOWER_BOUND_PRECISIONS).to_numpy(),
        }
    )
    if basis == "best" or claims is None or claims.empty:
        return own.set_index("event_id")
    cl = claims[(claims["field"] == "count") & claims["value_num"].notna()]
    cl = cl[cl["event_id"].isin(own["event_id"])]
    claimed = pd.DataFrame(
        {
            "event_id": cl["event_id"].to_numpy(),
            "value": cl["value_num"].astype("Float64").to_numpy(),
            "floor": (cl["precision"] == "at_least").to_numpy(),
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


def event_confidence(events: pd.DataFrame, sources: pd.DataFrame) -> pd.Series:
    """``high`` / ``medium`` / ``low`` per event, from the distinct origins of its sources.

    Independence is counted by origin (``sources.origin``: the outlet, agency, office or
    post a page carries; the page's own publisher when it reported the story), so three
    pages relaying one post are one origin. high: an official document, or two or more
    distinct origins reached through official or original pages; medium: one; low: only
    copies whose origin was not read, aggregators or pages of unknown ownership.
    """
    ids = events["source_ids"].astype(str).str.split(";").explode()
    src = sources.set_index("source_id")
    tier = ids.map(src["tier"].astype(str))
    who = src["origin"].astype(str)
    origin = ids.map(who.where(who != "", src["publisher"].astype(str)))
    n_origins = origin.where(tier.isin(["official", "original"])).groupby(level=0).nunique()
    n_origins = n_origins.reindex(events.index, fill_value=0)
    official = (tier == "official").groupby(level=0).any().reindex(events.index, fill_value=False)
    level = pd.Series("low", index=events.index, dtype="str")
    level[n_origins >= 1] = "medium"
    level[(n_origins >= 2) | official] = "high"
    return level


def _releases(data, rule: CountingRule) -> tuple[pd.DataFrame, pd.Series]:
    """The releases a total may count under ``rule``, by date, with their confidence."""
    ev = data.events
    rtype = ev["release_type"]
    rel = ev[(ev["kind"] == "release") & (rtype.isin(COUNTED_RELEASE_TYPES) | rtype.isna())]
    confidence = event_confidence(rel, data.sources)
    keep = confidence.map(CONFIDENCE_LEVELS.index) >= CONFIDENCE_LEVELS.index(rule.min_confidence)
    order = rel[keep].sort_values(["date", "event_id"], kind="stable").index
    return rel.loc[order].reset_index(drop=True), confidence.loc[order].reset_index(drop=True)


def _sub_count(rel: pd.DataFrame, what: str) -> pd.DataFrame:
    """``rel`` with ``count`` and its precision replaced by the people pardoned or the
    recognised political prisoners among the freed."""
    rel = rel.copy()
    own = rel["n_pardoned" if what == "pardoned" else "n_political"].astype("Float64")
    if what == "pardoned":
        # Where no source separates the pardoned from the freed, they are the same people.
        own = own.fillna(rel["count"].astype("Float64"))
        precision = rel["count_precision"]
    else:
        # No recognised split: the release adds nothing and the sum becomes a floor.
        precision = pd.Series(np.where(own.isna(), "unknown", "exact"), index=rel.index)
    rel["count"] = own.round().astype("Int64")
    rel["count_precision"] = pd.Categorical(
        precision, categories=rel["count_precision"].cat.categories
    )
    return rel


def counted_releases(data, rule: CountingRule = DEFAULT_RULE) -> pd.DataFrame:
    """Every counted release with its count under ``rule`` (no date filter).

    ``rule.what``: ``freed`` (people actually freed, each once: someone who refused to
    leave is counted when finally freed), ``pardoned`` (people pardoned or announced,
    ``n_pardoned``, else the number freed) or ``political`` (recognised political
    prisoners among them, ``n_political``; a release without that split counts 0 and
    makes the sum a lower bound). Releases of type ``swap`` are never counted
    (:data:`belthaw.counting.COUNTED_RELEASE_TYPES`); releases whose sources are weaker
    than ``rule.min_confidence`` are left out. ``data`` is a :class:`belthaw.data.Dataset`.

    Columns: ``date, event_id, title, short_label, release_type, confidence,
    count_precision, destination, source_ids, count, is_lower_bound, may_include_foreign``.
    """
    rel, confidence = _releases(data, rule)
    claims = data.claims
    if rule.what != "freed":
        rel = _sub_count(rel, rule.what)
        claims = None  # source claims give people freed, not these sub-counts
    base = _base_counts(rel, claims, rule.basis).reindex(rel["event_id"])
    value = pd.Series(base["value"].to_numpy(), index=rel.index, dtype="Float64")
    floor = pd.Series(base["floor"].to_numpy(dtype=bool), index=rel.index)

    # A release with no reported size still happened: we keep it with 0 people so it is
    # drawn and counted as an event, and flag it a lower bound (the true number is >= 0).
    floor |= value.isna()
    value = value.fillna(0)

    dest = rel["destination"].astype(str)
    if not rule.include_released_home:
        has_home = per_distinct(dest, lambda u: u.str.lower().str.contains("(?:^|;)home(?:;|$)"))
        n_home = rel["n_home"].astype("Float64")
        # Everyone stayed home when home is the only destination, so n_home = count exactly.
        n_home = n_home.mask(n_home.isna() & dest.str.lower().eq("home"), value)
        # Mixed destination and unknown n_home: we cannot tell how many left the country, so
        # we drop the whole release (count 0) and flag it: the true non-home count is >= 0.
        unknown_home = n_home.isna() & has_home
        value = value.mask(unknown_home, 0)
        floor |= unknown_home
        value = value - n_home.fillna(0).where(~unknown_home, 0)
    may_include_foreign = pd.Series(False, index=rel.index)
    if not rule.include_foreign_nationals:
        n_foreign = rel["n_foreign"].astype("Float64")
        # Unknown n_foreign is treated as 0: the count then may still include some foreign
        # nationals, so it is an upper-bound-ish figure for Belarusians alone. We do not
        # clear is_lower_bound (a floor stays a floor); we flag it in may_include_foreign.
        may_include_foreign = n_foreign.isna() & (value > 0)
        value = value - n_foreign.fillna(0)
    return rel[["date", "event_id", "title", "short_label", "release_type"]].assign(
        release_type=rel["release_type"].astype(str),
        confidence=confidence,
        count_precision=rel["count_precision"],
        destination=rel["destination"],
        source_ids=rel["source_ids"],
        count=value.clip(lower=0).round().astype("Int64"),
        is_lower_bound=floor.astype(bool),
        may_include_foreign=may_include_foreign.astype(bool).to_numpy(),
    )


def _cumulate(frame: pd.DataFrame) -> pd.DataFrame:
    frame["cumulative"] = frame["count"].cumsum().astype("Int64")
    # A sum that contains a lower bound is itself only a lower bound, from that row on.
    frame["cumulative_is_lower_bound"] = frame["is_lower_bound"].cummax().astype(bool)
    return frame


def release_series(
    data,
    rule: CountingRule = DEFAULT_RULE,
    *,
    start=None,
    end=None,
    granularity: str = "event",
) -> pd.DataFrame:
    """People released, per release or per month/quarter, with a running total.

    ``granularity="event"``: one row per release with ``period`` (the release date),
    ``period_end`` (the same day), ``event_id, title, short_label, count,
    is_lower_bound, count_precision, confidence, destination, n_events, n_weak,
    source_ids, cumulative, cumulative_is_lower_bound, may_include_foreign``.
    ``"month"``/``"quarter"``: one row per period (``period`` its first day,
    ``period_end`` its last; empty periods between the first and the last release
    included with count 0) with the same count columns; ``n_weak`` counts the releases
    in the period that rest on single or weak sources.
    """
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {tuple(GRANULARITIES)}, not {granularity!r}")
    counted = counted_releases(data, rule)
    counted["n_weak"] = counted["confidence"].eq("low").astype("int64")
    sel = counted[between(counted["date"], start, end)].reset_index(drop=True)
    if granularity == "event":
        out = sel.rename(columns={"date": "period"}).assign(n_events=1)
        out = _cumulate(out.assign(period_end=out["period"])[EVENT_COLUMNS])
    else:
        out = _aggregate(sel, _PERIOD_CODE[granularity])
    out.attrs.update(
        selection=describe_window("releases", start, end), coverage=coverage(data.events)
    )
    return out


def us_track(series: pd.DataFrame) -> pd.DataFrame:
    """The releases of an event series freed with or to the US track (``release_type``
    ``us_deal``): what a title may set beside US steps. Domestic pardon waves, which no
    source ties to a US step, stay out."""
    return series[series["release_type"].astype(str).eq("us_deal")].reset_index(drop=True)


def _aggregate(sel: pd.DataFrame, code: str) -> pd.DataFrame:
    if sel.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in PERIOD_COLUMNS})
        return empty.astype({"period": "datetime64[ns]", "period_end": "datetime64[ns]"})
    period = sel["date"].dt.to_period(code)
    agg = sel.groupby(period, sort=True).agg(
        n_events=("event_id", "size"),
        n_weak=("n_weak", "sum"),
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
    agg = agg.reindex(pd.period_range(period.min(), period.max(), freq=code))
    for col in ("n_events", "n_weak"):
        agg[col] = agg[col].fillna(0).astype("int64")
    agg["count"] = agg["count"].fillna(0).astype("Int64")
    for col in ("is_lower_bound", "may_include_foreign"):
        agg[col] = agg[col].astype("boolean").fillna(False).astype(bool)
    for col in ("source_ids", "destination"):
        agg[col] = agg[col].fillna("").astype("str")
    agg["confidence"] = agg["confidence"].fillna("high").astype("str")  # an empty period
    agg["period"] = agg.index.start_time.astype("datetime64[ns]")
    agg["period_end"] = agg.index.end_time.normalize().astype("datetime64[ns]")
    return _cumulate(agg.reset_index(drop=True))[PERIOD_COLUMNS]


def stock_series(
    prisoner_counts: pd.DataFrame, *, counted_by: str | None = None, start=None, end=None
) -> pd.DataFrame:
    """Political prisoners still held, by date (optionally one counter, a date window).

    Columns ``date, count, precision, counted_by, source_id``, sorted by date.
    """
    pc = prisoner_counts
    mask = between(pc["date"], start, end)
    if counted_by is not None:
        mask &= pc["counted_by"].str.lower() == counted_by.lower()
    out = pc.loc[mask, ["date", "count", "precision", "counted_by", "source_id"]]
    out = out.sort_values(["date", "counted_by"], kind="stable").reset_index(drop=True)
    what = "prisoner counts" + (f" by {counted_by}" if counted_by else "")
    out.attrs.update(selection=describe_window(what, start, end), coverage=coverage(pc, ["date"]))
    return out
